import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** The project's root folder. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** What a command printed and how it ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// tsx resolved from the project, so a CLI can run with any working directory.
const tsxArgs = (script: string) => ['--require', require.resolve('tsx/cjs'), path.join(PROJECT_ROOT, 'src', 'cli', script)];

/** Runs a TypeScript CLI of `src/cli/` (through tsx, as npm run does) and waits for it. */
export function runCli(script: string, args: readonly string[], cwd: string = PROJECT_ROOT): Promise<CliResult> {
  return runNode([...tsxArgs(script), ...args], cwd);
}

/** Runs node with these arguments and waits for it. */
export function runNode(args: readonly string[], cwd: string = PROJECT_ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...args], { cwd, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A CLI started in the background: its process, what it printed so far, and its end. */
export interface StartedCli {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly finished: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts a TypeScript CLI of `src/cli/` without waiting for it. */
export function startCli(script: string, args: readonly string[]): StartedCli {
  const child = spawn(process.execPath, [...tsxArgs(script), ...args], { cwd: PROJECT_ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const finished = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, finished };
}

/** Waits until `condition` holds, checking every 50 ms, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
