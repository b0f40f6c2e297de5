import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * One temporary folder for a whole test run, removed when the run ends: the test
 * workers (separate processes) make their folders in it (test/helpers/fixtures.ts
 * tempDir), and a worker's own exit handlers do not always run.
 */
export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'sparkify-test-run-'));
  process.env.SPARKIFY_TEST_TMP = root;
  return () => rmSync(root, { recursive: true, force: true });
}
