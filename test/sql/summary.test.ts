import { describe, expect, it } from 'vitest';
import { SUMMARY_COLUMNS, summaryColumns } from '../../src/sql/summary';

describe('summaryColumns', () => {
  it('names the outer SELECT’s columns in order, not those of subqueries, tables, comments or literals', () => {
    const sql = [
      '-- counted AS not_a_column,',
      'SELECT (SELECT COUNT(*) AS inner_count FROM songs) AS songs,',
      "  'x AS y' AS label, /* AS hidden */ COUNT(*) as Plays",
      'FROM (SELECT 1 AS one) AS t;',
    ].join('\n');
    expect(summaryColumns(sql)).toEqual(['songs', 'label', 'plays']);
  });

  it('refuses a query that names no column', () => {
    expect(() => summaryColumns('SELECT COUNT(*) FROM songs;')).toThrow(/names no column/);
  });
});

describe('SUMMARY_COLUMNS', () => {
  it('count both staging tables, every star table of the contract and the matched plays, each once', () => {
    const contract = ['staging_events', 'staging_songs', 'songplays', 'users', 'songs', 'artists', 'time', 'matched_songplays'];
    expect([...SUMMARY_COLUMNS].sort()).toEqual([...contract].sort());
  });
});
