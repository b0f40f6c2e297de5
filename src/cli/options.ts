import { parseArgs } from 'node:util';
import { DEFAULT_DB_DIR, type WarehouseLocation } from '../local/local-warehouse';

/** A mistake in the command line: reported with a hint to --help, exit code 2. */
export class UsageError extends Error {}

/** Parses a whole number ≥ 0 given for an option. */
export function wholeNumber(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option} needs a whole number ≥ 0, got "${text}"`);
  return Number(text);
}

/**
 * One command-line option, declared once: how it parses, how it is checked, and its
 * line in --help (with its default) all come from this.
 */
export interface OptionSpec {
  /** `string` takes a value, `whole` a whole number ≥ 0, `boolean` none. */
  readonly type: 'string' | 'whole' | 'boolean';
  /** What it does, for --help (wrapped to the help's width). */
  readonly help: string;
  /**
   * The value's placeholder in --help, e.g. `DIR`.
   * @default none for a boolean, `VALUE` otherwise
   */
  readonly value?: string;
  /**
   * Its value when not given; --help shows it as `(default: …)`.
   * @default none: the option is absent
   */
  readonly default?: string | number;
  /**
   * How --help states the default where it is not a value (`AWS_REGION or AWS_DEFAULT_REGION`).
   * @default the `default` value
   */
  readonly defaultHelp?: string;
  /**
   * A one-letter alias, e.g. `c` for `-c`.
   * @default none
   */
  readonly short?: string;
  /**
   * Whether it may be given more than once (its value is then a list).
   * @default false
   */
  readonly multiple?: boolean;
  /**
   * Checks a value given: returns what is wrong with it (a usage error), or nothing.
   * @default every value is accepted
   */
  readonly check?: (value: string) => string | undefined;
}

/** A command's declaration: what --help says around its options, and the options. */
export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** The first line of --help, `Usage: npm run …`. */
  readonly usage: string;
  /** What the command does, the paragraphs after the usage line. */
  readonly about: string;
  /** The options, by name without the dashes; `-h, --help` is added to every command. */
  readonly options: O;
  /**
   * Text after the options, such as the exit codes.
   * @default none
   */
  readonly footer?: string;
  /**
   * Text between `about` and the options, such as a list of the values an option takes.
   * @default none
   */
  readonly beforeOptions?: string;
}

type OptionValue<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['multiple'] extends true
    ? string[]
    : S['type'] extends 'whole'
      ? S['default'] extends number
        ? number
        : number | undefined
      : S['default'] extends string
        ? string
        : string | undefined;

/** The parsed options of a command, by name. */
export type OptionValues<O extends Record<string, OptionSpec>> = { -readonly [K in keyof O]: OptionValue<O[K]> };

/** Declares a command (an identity function that keeps the options' literal types). */
export function defineCommand<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/**
 * Parses a command's arguments by its declaration: `help` for -h/--help, else every
 * option's value (its default where not given), checked.
 * @throws UsageError (or parseArgs's ERR_PARSE_ARGS_* error) naming the option
 */
export function parseCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, args: readonly string[]): OptionValues<O> | 'help' {
  const declared = Object.entries(spec.options);
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...Object.fromEntries(declared.map(([name, option]) => [name, parseArgsOption(option)])),
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }) as { values: Record<string, string | string[] | boolean | undefined> };
  if (values.help) return 'help';
  const parsed = Object.fromEntries(
    declared.map(([name, option]) => {
      const given = values[name];
      if (option.type === 'boolean') return [name, given === true];
      const texts = given === undefined ? [] : Array.isArray(given) ? given : [given as string];
      for (const text of texts) {
        const problem = option.check?.(text);
        if (problem) throw new UsageError(`--${name} ${problem}, got "${text}"`);
      }
      if (option.multiple) return [name, texts];
      const text = given === undefined ? option.default : (given as string);
      if (option.type === 'whole' && typeof text === 'string') return [name, wholeNumber(`--${name}`, text)];
      return [name, text];
    }),
  );
  return parsed as OptionValues<O>;
}

/** An option as parseArgs takes it. */
function parseArgsOption(option: OptionSpec): { type: 'string' | 'boolean'; short?: string; multiple?: boolean } {
  return {
    type: option.type === 'boolean' ? 'boolean' : 'string',
    ...(option.short ? { short: option.short } : {}),
    ...(option.multiple ? { multiple: true } : {}),
  };
}

/** The width --help wraps option descriptions to. */
const HELP_WIDTH = 88;

/** How --help shows an option's default, or nothing when it has none. */
export function defaultShown(option: OptionSpec): string | undefined {
  return option.defaultHelp ?? (option.default === undefined ? undefined : String(option.default));
}

/** A command's --help: usage, about, then a line (or a few) per option with its default. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'boolean' ? '' : ` ${option.value ?? 'VALUE'}`}`;
    const shown = defaultShown(option);
    // The default stays on one line: its spaces do not break.
    return { flag, text: shown === undefined ? option.help : `${option.help} (default: ${shown.replace(/ /g, NO_BREAK)})` };
  });
  rows.push({ flag: '-h, --help', text: 'show this help' });
  const column = Math.max(...rows.map((row) => row.flag.length)) + 4;
  const lines = rows.flatMap((row) =>
    wrap(row.text, HELP_WIDTH - column).map((line, index) => `${index === 0 ? `  ${row.flag}`.padEnd(column) : ' '.repeat(column)}${line}`),
  );
  const parts = [spec.usage, spec.about, ...(spec.beforeOptions ? [spec.beforeOptions] : []), `Options:\n${lines.join('\n')}`];
  if (spec.footer) parts.push(spec.footer);
  return parts.join('\n\n');
}

const NO_BREAK = '\u00a0';

/** Splits text into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/[ \n]+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line].map((text) => text.replaceAll(NO_BREAK, ' '));
}

/** A value check for Postgres URLs. */
const postgresUrl = (value: string) => (/^postgres(ql)?:\/\//.test(value) ? undefined : 'needs a postgres://… URL');

/** A value check for folders: not empty. */
export const folder = (value: string) => (value === '' ? 'needs a folder' : undefined);

/** A string option's declaration. */
type StringOption = OptionSpec & { readonly type: 'string' };

/** `--database-url`: a Postgres server, declared once (commands say in their help what they do with it). */
export function databaseUrlOption(help: string): StringOption {
  return { type: 'string', value: 'URL', help, check: postgresUrl };
}

/** `--db` and `--database-url`: where the local warehouse is, a PGlite folder or a Postgres server. */
export function warehouseOptions(help: { readonly db: string; readonly databaseUrl: string }): { readonly db: StringOption; readonly 'database-url': StringOption } {
  return {
    db: { type: 'string', value: 'DIR', help: help.db, defaultHelp: DEFAULT_DB_DIR, check: folder },
    'database-url': databaseUrlOption(help.databaseUrl),
  };
}

/**
 * The warehouse `--db`/`--database-url` name: the server when a URL is given, else the PGlite folder.
 * @throws UsageError when both are given
 */
export function warehouseLocation(values: { readonly db?: string; readonly 'database-url'?: string }): WarehouseLocation {
  const databaseUrl = values['database-url'];
  if (values.db !== undefined && databaseUrl !== undefined) throw new UsageError('--db (PGlite) and --database-url (a Postgres server) exclude each other');
  return databaseUrl !== undefined ? { databaseUrl } : { dbDir: values.db ?? DEFAULT_DB_DIR };
}

/** `--region`: an AWS region, by default the environment's. */
export function regionOption(help: string): StringOption {
  return { type: 'string', value: 'REGION', help, defaultHelp: 'AWS_REGION or AWS_DEFAULT_REGION' };
}

/** The region given, else the environment's (AWS_REGION, then AWS_DEFAULT_REGION). */
export function regionOrEnvironment(region: string | undefined): string | undefined {
  return region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}
