import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readJsonRecords } from '../../src/json/json-records';
import { TooManyRejectsError } from '../../src/local/local-copy';
import { ChecksFailedError, runLocalEtl } from '../../src/local/runner';
import { dataDir, play, song, tempDir } from '../helpers/fixtures';
import { sharedWarehouse } from '../helpers/warehouse';
import { warehouseSnapshot } from '../helpers/snapshot';

/** A line of a log file: a good event, or one of the ways real files go wrong. */
const line: fc.Arbitrary<Buffer> = fc.oneof(
  fc.integer({ min: 0, max: 50 }).map((item) => Buffer.from(JSON.stringify(play({ itemInSession: item })))),
  fc.tuple(fc.integer({ min: 0, max: 50 }), fc.nat()).map(([item, cut]) => {
    const text = JSON.stringify(play({ itemInSession: item }));
    return Buffer.from(text.slice(0, cut % text.length));
  }),
  fc
    .tuple(fc.constantFrom('ts', 'sessionId', 'itemInSession', 'length', 'page', 'userId', 'registration'), fc.jsonValue())
    .map(([key, value]) => Buffer.from(JSON.stringify(play({ [key]: value })))),
  fc.constantFrom('song', 'artist', 'userAgent').map((key) => Buffer.from(JSON.stringify(play({ [key]: 'x'.repeat(70_000) })))),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => Buffer.concat([Buffer.from('{"song":"'), Buffer.from(bytes), Buffer.from('"}')])),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => Buffer.from(`{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
  fc.dictionary(fc.string(), fc.jsonValue()).map((extra) => Buffer.from(JSON.stringify({ ...extra, ...play() }))),
  fc.constantFrom('ts', 'page', 'userId').map((key) => Buffer.from(JSON.stringify({ ...play(), [key]: undefined }))),
  fc.constant(Buffer.from('')),
);

const file = fc.array(line, { minLength: 1, maxLength: 12 }).map((lines) => Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));

describe('bad input never crashes', () => {
  it('the JSON reader yields a record or a reason, with a line number in the file, for any bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(file, fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes))), async (bytes) => {
        const target = path.join(tempDir(), 'input.json');
        writeFileSync(target, bytes);
        const lines = bytes.toString('latin1').split('\n').length;
        for await (const record of readJsonRecords(target)) {
          expect(record.line).toBeGreaterThanOrEqual(1);
          expect(record.line).toBeLessThanOrEqual(lines);
          if ('value' in record) expect(typeof record.value).toBe('object');
          else expect(record.error).toMatch(/\S/);
        }
      }),
      { numRuns: 200, seed: 20_261_124 },
    );
  });

  const shared = sharedWarehouse();

  it('every load ends loaded, rejected with reasons, or failed cleanly, never partly loaded', async () => {
    // One source, as a warehouse takes files from one source only: each fuzzed file is a new one in it.
    const dir = dataDir([song()], [play()]);
    await shared.load({ dataDir: dir });
    let iteration = 0;
    await fc.assert(
      fc.asyncProperty(file, fc.integer({ min: 0, max: 6 }), async (content, maxErrors) => {
        const engine = shared.engine();
        const before = await warehouseSnapshot(engine.db);
        // A new key every time: a known key with new content would be a changed file.
        iteration += 1;
        const fuzzed = path.join(dir, 'log_data', `fuzzed-${iteration}.json`);
        writeFileSync(fuzzed, content);
        try {
          const report = await runLocalEtl(engine, { dataDir: dir, maxErrors });
          expect(report.rejected).toBeLessThanOrEqual(maxErrors);
          expect(report.rejects.every((reject) => reject.line >= 1 && reject.reason.length > 0)).toBe(true);
        } catch (error) {
          if (!(error instanceof TooManyRejectsError || error instanceof ChecksFailedError)) throw error;
          expect(await warehouseSnapshot(engine.db)).toEqual(before);
          // Not loaded: out of the source again, so that the next runs do not retry it.
          rmSync(fuzzed);
        }
      }),
      { numRuns: 60, seed: 20_261_124 },
    );
  });
});
