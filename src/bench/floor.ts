import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import type { LocalDatabase } from '../local/database';
import { listJsonFiles } from '../local/local-copy';

const CHUNK_LINES = 20_000;

/**
 * The benchmark's floor: the cost of only reading the source bytes and bulk-copying
 * them, one line per row, into an unindexed one-column table. No JSON parsing, no
 * typing, no transform: what the engine's bulk path costs for the same bytes.
 * @returns the number of lines copied
 */
export async function copyRawLines(db: LocalDatabase, dataDir: string): Promise<number> {
  await db.query('CREATE TABLE IF NOT EXISTS raw_lines (line TEXT)');
  const files = ['song_data', 'log_data'].flatMap((prefix) => listJsonFiles(path.join(dataDir, prefix)));
  let chunk: string[] = [];
  let lines = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await db.copyCsv('raw_lines', ['line'], chunk.join('\n') + '\n');
    lines += chunk.length;
    chunk = [];
  };
  for (const file of files) {
    let carry = '';
    for await (const piece of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const parts = (carry + piece).split('\n');
      carry = parts.pop() ?? '';
      for (const line of parts) if (line !== '') chunk.push(`"${line.replace(/"/g, '""')}"`);
      if (chunk.length >= CHUNK_LINES) await flush();
    }
    if (carry !== '') chunk.push(`"${carry.replace(/"/g, '""')}"`);
  }
  await flush();
  return lines;
}
