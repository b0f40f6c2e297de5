import { describe, expect, it } from 'vitest';
import { openEveryBatch, splitIntoBatches } from '../../src/sql/batches';

const statements = (count: number) => Array.from({ length: count }, (_, index) => `SELECT ${index};`);

describe('splitIntoBatches', () => {
  it('keeps up to 40 statements in one batch', () => {
    expect(splitIntoBatches(statements(40))).toEqual([statements(40)]);
  });

  it('starts a second batch at the 41st statement, keeping the order', () => {
    const batches = splitIntoBatches(statements(41));
    expect(batches.map((batch) => batch.length)).toEqual([40, 1]);
    expect(batches.flat()).toEqual(statements(41));
  });

  it('accepts a statement of exactly 100 KB and refuses one byte more, naming it', () => {
    const limit = 100 * 1024;
    expect(splitIntoBatches(['x'.repeat(limit)])).toHaveLength(1);
    expect(() => splitIntoBatches(['SELECT 1;', 'x'.repeat(limit + 1)])).toThrow(/Statement 2 is 102401 bytes/);
  });

  it('counts bytes, not characters', () => {
    expect(() => splitIntoBatches(['é'.repeat(3)], { maxStatementBytes: 5 })).toThrow(/6 bytes/);
  });
});

describe('openEveryBatch', () => {
  const opening = ['SET search_path TO "sparkify", public;'];

  it('keeps the opening once when everything fits one batch of 40', () => {
    const laidOut = openEveryBatch(opening, statements(39));
    expect(splitIntoBatches(laidOut)).toEqual([[...opening, ...statements(39)]]);
  });

  it('starts every batch splitIntoBatches makes with the opening, keeping the rest in order', () => {
    const batches = splitIntoBatches(openEveryBatch(opening, statements(40)));
    expect(batches.map((batch) => batch.length)).toEqual([40, 2]);
    for (const batch of batches) expect(batch[0]).toBe(opening[0]);
    expect(batches.flatMap((batch) => batch.slice(1))).toEqual(statements(40));
  });

  it('leaves room for an opening of several statements', () => {
    const two = ['CREATE SCHEMA IF NOT EXISTS "s";', 'SET search_path TO "s", public;'];
    const limits = { maxStatements: 4 };
    const batches = splitIntoBatches(openEveryBatch(two, statements(5), limits), limits);
    expect(batches).toEqual([
      [...two, 'SELECT 0;', 'SELECT 1;'],
      [...two, 'SELECT 2;', 'SELECT 3;'],
      [...two, 'SELECT 4;'],
    ]);
  });

  it('refuses an opening that leaves no room in a batch', () => {
    expect(() => openEveryBatch(statements(40), statements(1))).toThrow(/40 statements open every batch; a batch holds at most 40/);
  });
});
