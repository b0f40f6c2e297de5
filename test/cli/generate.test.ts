import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listJsonFiles } from '../../src/local/local-copy';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

const generate = (args: string[]) => runCli('generate.ts', args);

describe('npm run generate', () => {
  it('writes the files it says it wrote', async () => {
    const out = tempDir();
    const run = await generate(['--out', out, '--users', '5', '--days', '2', '--songs', '4', '--events', '50', '--seed', '3']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Wrote 50 events in 2 log files and 4 songs in 4 song files to ${out} \\(`));
    expect(listJsonFiles(path.join(out, 'log_data'))).toHaveLength(2);
  });

  it('needs --out and whole numbers', async () => {
    expect(await generate([])).toMatchObject({ code: 2, stderr: expect.stringContaining('--out DIR is required') });
    expect(await generate(['--out', tempDir(), '--users', 'ten'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--users needs a whole number'),
    });
  });

  it('documents every option in --help', async () => {
    const run = await generate(['--help']);
    for (const option of ['--out', '--users', '--days', '--songs', '--events', '--seed', '--start-date', '--match-rate']) {
      expect(run.stdout).toContain(option);
    }
  });
});
