import { describe, expect, it } from 'vitest';
import { rejectLines } from '../../src/local/reject-lines';
import { runSummaryTable } from '../../src/local/report-format';

const rejects = (count: number) => Array.from({ length: count }, (_, index) => ({ file: 'log_data/day.json', line: index + 1, reason: `bad ${index + 1}` }));

describe('rejectLines', () => {
  it('names every reject as file:line: reason when there are at most 20', () => {
    expect(rejectLines(rejects(2))).toEqual(['log_data/day.json:1: bad 1', 'log_data/day.json:2: bad 2']);
    expect(rejectLines(rejects(20))).toHaveLength(20);
  });

  it('names the first 20 and counts the rest', () => {
    const lines = rejectLines(rejects(23));
    expect(lines).toHaveLength(21);
    expect(lines[19]).toBe('log_data/day.json:20: bad 20');
    expect(lines[20]).toBe('… and 3 more rejected record(s)');
  });
});

describe('runSummaryTable', () => {
  it('says where the warehouse is, its schema, the source and how long the run took', () => {
    const summary = runSummaryTable({ warehouse: 'Postgres postgres://loader:***@db:5432/sparkify', schema: 'public', source: '/data/sample', seconds: 83 });
    expect(summary).toBe(
      [
        'run',
        '---------  -----------------------------------------------',
        'warehouse  Postgres postgres://loader:***@db:5432/sparkify',
        'schema     public',
        'source     /data/sample',
        'took       1m23s',
      ].join('\n'),
    );
  });
});
