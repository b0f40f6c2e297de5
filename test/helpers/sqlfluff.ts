import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from './cli';

/** Whether Debian's sqlfluff is on this machine (CI installs it: scripts/install-test-tools.sh). */
export const SQLFLUFF_AVAILABLE = spawnSync('sqlfluff', ['version'], { encoding: 'utf8' }).status === 0;
if (!SQLFLUFF_AVAILABLE && process.env.CI) throw new Error('CI parses the SQL with sqlfluff: run scripts/install-test-tools.sh');
if (!SQLFLUFF_AVAILABLE) console.warn('Skipping the sqlfluff parse: sqlfluff is not installed (scripts/install-test-tools.sh; CI has it).');

/** Lints with the .sqlfluff in `configDir` (the project's: Redshift dialect); returns `file:line CODE description` findings. */
export function sqlfluffFindings(target: string, configDir: string = PROJECT_ROOT): string[] {
  const run = spawnSync('sqlfluff', ['lint', target, '--format', 'json', '--nofail'], { cwd: configDir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`sqlfluff failed to run: ${run.stderr}`);
  const files = JSON.parse(run.stdout) as { filepath: string; violations: { code: string; description: string; line_no: number }[] }[];
  return files.flatMap((file) => file.violations.map((v) => `${file.filepath}:${v.line_no} ${v.code} ${v.description}`));
}
