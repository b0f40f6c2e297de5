import { statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BytesProgress, LoadProgress, StatementProgress } from '../../src/local/load-progress';
import { ENGINES, type EngineName } from '../helpers/engines';
import { dataDir, play, song } from '../helpers/fixtures';
import { sharedWarehouse } from '../helpers/warehouse';

// More records than one bulk COPY takes (20,000), in a file read in several pieces (1 MiB
// each), so reading and copying interleave; and a gzip'd file, whose bytes count as stored.
const BIG_DAY = 'log_data/2018/11/2018-11-01-events.json';
const PACKED_DAY = 'log_data/2018/11/2018-11-02-events.json.gz';

function sourceData(): string {
  const data = dataDir([song(), song({ song_id: 'SO2', title: 'Second', artist_id: 'AR2' })], []);
  const plays = Array.from({ length: 25_000 }, (_, index) => JSON.stringify(play({ sessionId: 1 + Math.floor(index / 1000), itemInSession: index % 1000 })));
  writeFileSync(path.join(data, BIG_DAY), plays.join('\n') + '\n');
  writeFileSync(path.join(data, PACKED_DAY), gzipSync(JSON.stringify(play({ sessionId: 99, ts: 1541203200000 }))));
  return data;
}

const bytesOf = (events: readonly LoadProgress[], phase: 'read' | 'copy') => events.filter((event): event is BytesProgress => event.phase === phase);
const statementsOf = (events: readonly LoadProgress[], phase: 'transform' | 'checks') =>
  events.filter((event): event is StatementProgress => event.phase === phase);

describe.each(ENGINES)('the progress a load reports on %s', { timeout: 120_000 }, (engineName: EngineName) => {
  const warehouse = sharedWarehouse(engineName);
  const data = sourceData();
  const sizes = [BIG_DAY, PACKED_DAY, 'song_data/A/B/C/TRTEST0.json', 'song_data/A/B/C/TRTEST1.json'].map((file) => statSync(path.join(data, file)).size);
  const events: LoadProgress[] = [];
  beforeAll(async () => {
    await warehouse.load({ dataDir: data, onProgress: (event) => events.push(event) });
  });

  it('reads bytes as stored, rising to the size of every file loaded, naming the file and its table', () => {
    const reads = bytesOf(events, 'read');
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(reads.every((event) => event.bytesTotal === total)).toBe(true);
    for (let index = 1; index < reads.length; index += 1) expect(reads[index].bytesDone).toBeGreaterThan(reads[index - 1].bytesDone);
    expect(reads.at(-1)?.bytesDone).toBe(total);
    // The big file comes in pieces; the gzip'd one adds its compressed size, not what it unpacks to.
    expect(reads.filter((event) => event.file === BIG_DAY).length).toBeGreaterThan(1);
    const packed = reads.findIndex((event) => event.file === PACKED_DAY);
    expect(reads[packed].bytesDone - reads[packed - 1].bytesDone).toBe(sizes[1]);
    expect(new Set(reads.map((event) => `${event.table} ${event.file.split('/')[0]}`))).toEqual(new Set(['staging_events log_data', 'staging_songs song_data']));
  });

  it('copies behind the reading, during it, up to the same total', () => {
    const copies = bytesOf(events, 'copy');
    const total = copies[0].bytesTotal;
    for (let index = 1; index < copies.length; index += 1) expect(copies[index].bytesDone).toBeGreaterThan(copies[index - 1].bytesDone);
    expect(copies.at(-1)?.bytesDone).toBe(total);
    let read = 0;
    for (const event of events) {
      if (event.phase === 'read') read = event.bytesDone;
      if (event.phase === 'copy') expect(event.bytesDone).toBeLessThanOrEqual(read);
    }
    // The first bulk COPY (20,000 records) lands while the big file is still being read.
    expect(events.findIndex((event) => event.phase === 'copy')).toBeLessThan(events.findIndex((event) => event.phase === 'read' && event.bytesDone === total));
  });

  it('names each transform and check statement as it starts, numbered, and says when the last is done', () => {
    for (const phase of ['transform', 'checks'] as const) {
      const statements = statementsOf(events, phase);
      const total = statements[0].statementsTotal;
      expect(statements.map((event) => event.statementsDone)).toEqual(Array.from({ length: total + 1 }, (_, index) => index));
      expect(statements.every((event) => event.statementsTotal === total)).toBe(true);
    }
    expect(statementsOf(events, 'transform').every((event) => event.statement.startsWith('05_transform.sql: '))).toBe(true);
    expect(statementsOf(events, 'transform').map((event) => event.statement)).toContainEqual(expect.stringMatching(/^05_transform\.sql: INSERT INTO songplays/));
    const checks = statementsOf(events, 'checks').map((event) => event.statement);
    expect(checks).toContain('06_checks.sql: songplays_user_in_users');
    expect(checks.at(-1)).toMatch(/^07_summary\.sql: SELECT/);
  });

  it('goes through its phases in order: reading and copying, then the transform, then the checks', () => {
    const phases = events.map((event) => (event.phase === 'copy' ? 'read' : event.phase)).filter((phase, index, all) => phase !== all[index - 1]);
    expect(phases).toEqual(['read', 'transform', 'checks']);
    expect(new Set(events.map((event) => event.phase))).toEqual(new Set(['read', 'copy', 'transform', 'checks']));
  });

  it('with nothing new, reports only the checks', async () => {
    const again: LoadProgress[] = [];
    await warehouse.load({ dataDir: data, incremental: true, onProgress: (event) => again.push(event) });
    expect(new Set(again.map((event) => event.phase))).toEqual(new Set(['checks']));
  });
});
