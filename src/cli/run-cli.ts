import { helpText, parseCommand, UsageError, wholeNumber, type CommandSpec, type OptionSpec, type OptionValues } from './options';

// Where the CLIs have long imported them from.
export { UsageError, wholeNumber };

/**
 * Runs a command: prints its --help when asked, else parses its options by `command`
 * and runs `main` with them; turns the outcome into an exit code: main's own number, 2
 * for a usage error, 1 with the message (not a stack trace) for anything else.
 */
export function runCli<O extends Record<string, OptionSpec>>(command: CommandSpec<O>, main: (options: OptionValues<O>) => Promise<number>): void {
  const help = helpText(command);
  const run = async () => {
    const options = parseCommand(command, process.argv.slice(2));
    if (options !== 'help') return main(options);
    console.log(help);
    return 0;
  };
  run().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      console.error(`error: ${(error as Error).message ?? String(error)}`);
      if (usage) console.error(`\n${help.split('\n')[0]}\nRun with --help for the options.`);
      process.exitCode = usage ? 2 : 1;
    },
  );
}
