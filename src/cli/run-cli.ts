/** A mistake in the command line: reported with a hint to --help, exit code 2. */
export class UsageError extends Error {}

/** Parses a whole number ≥ 0 given for an option. */
export function wholeNumber(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option} needs a whole number ≥ 0, got "${text}"`);
  return Number(text);
}

/**
 * Runs a command's main function and turns its outcome into an exit code: its own
 * number, 2 for a usage error, 1 with the message (not a stack trace) for anything else.
 */
export function runCli(main: (args: string[]) => Promise<number>, help: string): void {
  main(process.argv.slice(2)).then(
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
