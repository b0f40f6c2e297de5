import { execFile } from 'node:child_process';
import * as path from 'node:path';

/** The project's root folder. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** What a command printed and how it ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a TypeScript CLI of `src/cli/` (through tsx, as npm run does) and waits for it. */
export function runCli(script: string, args: readonly string[], cwd: string = PROJECT_ROOT): Promise<CliResult> {
  return runNode(['--require', 'tsx/cjs', path.join(PROJECT_ROOT, 'src', 'cli', script), ...args], cwd);
}

/** Runs node with these arguments and waits for it. */
export function runNode(args: readonly string[], cwd: string = PROJECT_ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args],
      { cwd, env: { ...process.env, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules') }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
