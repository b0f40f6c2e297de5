import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalDatabase } from '../local/database';
import { keyInLocalBucket, listJsonFiles, parseCopyStatement, type CopyOutcome, type LocalCopyOptions } from '../local/local-copy';
import { parseJsonPaths, valueAt, type JsonPath } from '../local/jsonpaths';

/**
 * The benchmark's naive baseline, the way most published Sparkify solutions fill
 * tables outside COPY: read each file whole, `JSON.parse` each line, and send one
 * parameterised INSERT per record. Same columns and mapping as the real loader, no
 * rejects (a bad record throws). Only for measuring: never use it to load.
 */
export async function naiveInsertCopy(db: LocalDatabase, copySql: string, options: LocalCopyOptions): Promise<CopyOutcome> {
  const copy = parseCopyStatement(copySql);
  const columns = (
    await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [copy.table],
    )
  ).map((row) => row.column_name);
  const paths: JsonPath[] =
    copy.jsonFormat === 'auto'
      ? columns.map((column) => [column])
      : parseJsonPaths(readFileSync(options.fallbackJsonPaths, 'utf8'), options.fallbackJsonPaths);
  const insert = `INSERT INTO ${copy.table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
  const files = options.files ?? listJsonFiles(path.join(options.dataDir, keyInLocalBucket(copy.from)));
  const started = performance.now();
  const rowsPerFile: number[] = [];
  const contentHashes: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    contentHashes.push(createHash('sha256').update(bytes).digest('hex'));
    const lines = bytes.toString('utf8').split('\n').filter((line) => line.trim() !== '');
    for (const line of lines) {
      const record = JSON.parse(line);
      await db.query(insert, paths.map((jsonPath) => valueAt(record, jsonPath) ?? null));
    }
    rowsPerFile.push(lines.length);
  }
  const copySeconds = (performance.now() - started) / 1000;
  // The same statistics as the real loader gets, so only the filling of staging differs.
  if (copy.updateStatistics) await db.query(`ANALYZE ${copy.table}`);
  const rows = rowsPerFile.reduce((total, count) => total + count, 0);
  return { table: copy.table, rows, rowsPerFile, contentHashes, rejected: 0, rejects: [], copySeconds };
}
