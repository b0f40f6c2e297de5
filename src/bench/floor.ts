import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { finished } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { LocalDatabase } from '../local/database';
import { listJsonFiles } from '../local/local-copy';

const CHUNK_LINES = 20_000;

/** The source files of a data folder, songs then logs, as the floors read them. */
function sourceFiles(dataDir: string): string[] {
  return ['song_data', 'log_data'].flatMap((prefix) => listJsonFiles(path.join(dataDir, prefix)));
}

/**
 * The old JavaScript floor, kept to compare with: reading the source bytes, splitting
 * and CSV-quoting each line in JavaScript and bulk-copying them, one line per row, into
 * an unindexed one-column table. No JSON parsing, no typing, no transform; but a pass of
 * JavaScript over every byte, so it is no lower bound (see {@link copyRawBytes}).
 * @returns the number of lines copied
 */
export async function copyRawLines(db: LocalDatabase, dataDir: string): Promise<number> {
  await db.query('CREATE TABLE IF NOT EXISTS raw_lines (line TEXT)');
  let chunk: string[] = [];
  let lines = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await db.copyCsv('raw_lines', ['line'], chunk.join('\n') + '\n');
    lines += chunk.length;
    chunk = [];
  };
  for (const file of sourceFiles(dataDir)) {
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

/**
 * The real floor on a Postgres server: the bytes of every source file, as read, streamed
 * into one server-side `COPY raw_lines FROM STDIN`, a line per row. Its CSV format has a
 * quote and a delimiter (bytes 0x01, 0x02) that JSON text does not hold, so the server
 * takes each line whole and JavaScript touches no line: what reading the files and the
 * engine's bulk path cost, and nothing else.
 * @returns the number of rows the COPY loaded (a row per line; a file's last line needs no newline)
 */
export async function copyRawBytes(databaseUrl: string, dataDir: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS raw_lines (line TEXT)');
    const copy = client.query(copyFrom("COPY raw_lines (line) FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"));
    const done = finished(copy);
    for (const file of sourceFiles(dataDir)) {
      let last = NEWLINE;
      for await (const bytes of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        if (bytes.length > 0) last = bytes[bytes.length - 1];
        if (!copy.write(bytes)) await once(copy, 'drain');
      }
      if (last !== NEWLINE) copy.write(Buffer.of(NEWLINE));
    }
    copy.end();
    await done;
    return copy.rowCount;
  } finally {
    await client.end();
  }
}

const NEWLINE = 0x0a;
