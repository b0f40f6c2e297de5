import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { defaultShown, type CommandSpec } from '../../src/cli/options';
import { PROJECT_ROOT, runCli } from '../helpers/cli';

/** The commands' declarations, as each CLI hands them to runCli (which, imported here, does not run them). */
const declared = new Map<string, CommandSpec>();
vi.mock('../../src/cli/run-cli', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  runCli: (command: CommandSpec) => declared.set(currentScript, command),
}));
let currentScript = '';

/** The CLIs package.json's scripts run. */
const SCRIPTS = [
  ...new Set(
    Object.values(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>).flatMap(
      (command) => [...command.matchAll(/src\/cli\/([a-z0-9-]+\.ts)/g)].map((match) => match[1]),
    ),
  ),
];

describe("every CLI's --help", () => {
  it('is found for every npm script that runs a CLI', () => {
    expect(SCRIPTS.length).toBeGreaterThanOrEqual(11);
  });

  it.each(SCRIPTS)('%s lists each declared option with its default', async (script) => {
    currentScript = script;
    await import(`../../src/cli/${script}`);
    const command = declared.get(script);
    expect(command, `${script} declares its options through runCli`).toBeDefined();
    const run = await runCli(script, ['--help']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    // Wrapped descriptions: compare with white space folded.
    const folded = run.stdout.replace(/\s+/g, ' ');
    for (const [name, option] of Object.entries((command as CommandSpec).options)) {
      expect(lines.some((line) => new RegExp(`^ {2}(-[a-z], )?--${name}\\b`).test(line)), `--${name} starts a line`).toBe(true);
      const shown = defaultShown(option);
      if (shown !== undefined) expect(folded).toContain(`(default: ${shown})`);
    }
    expect(run.stdout).toContain('-h, --help');
  });
});
