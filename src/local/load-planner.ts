/**
 * Memory each sort or hash of the load may take before it spills to temporary files:
 * the check keys_unique_not_null hashes every songplay_id and start_time, and at 800k
 * events on PGlite, whose temporary files go through its virtual file system, it took
 * 1.3 s with Postgres's default of 4 MB and 0.7 s with this. Native Postgres measured
 * the same either way (BENCHMARKS.md).
 */
const LOAD_WORK_MEM = '64MB';

/**
 * Settings for the load's transaction on Postgres and PGlite, set with SET LOCAL so the
 * session's own settings are back once the load has committed or rolled back.
 *
 * The load's tables are created or emptied and filled in its own transaction, so
 * autovacuum never sees them and the planner works from guesses. Two guesses went badly
 * wrong, and each of the first two settings rules one out; a load is a few bulk
 * statements in one session, so neither costs it anything when the planner guesses right:
 * - **No parallel workers.** At 8M events on Postgres 15 the check staged_plays_in_songplays
 *   was planned as a Parallel Hash Right Join over a parallel HashAggregate (800k groups
 *   expected, 6.14M real) and ran for 13.5 minutes, 20 GB of temp files, before it was
 *   cancelled; serial, the same query takes ~10 s (BENCHMARKS.md, "The 8M load"). PGlite
 *   has no worker processes: the setting changes nothing there.
 * - **No nested loops.** The transform ranks held and staged copies of a row with
 *   ROW_NUMBER() and keeps the first; the planner takes `copy_number = 1 AND
 *   from_this_load = 1` to keep 0.5 % of 0.5 % of the rows (8 of 300k) and joined that
 *   to songplays with a nested loop over a materialized subquery. At 400k events an
 *   incremental day's DELETE of replaced plays then ran over ten minutes instead of a
 *   second. Every join the load makes is an equality of keys, so a hash or merge join is
 *   always there to take its place.
 * - **More memory per sort and hash** ({@link LOAD_WORK_MEM}).
 */
export const LOAD_PLANNER_SETTINGS: readonly string[] = [
  'SET LOCAL max_parallel_workers_per_gather = 0',
  'SET LOCAL enable_nestloop = off',
  `SET LOCAL work_mem = '${LOAD_WORK_MEM}'`,
];
