import { afterAll, beforeAll } from 'vitest';
import { openPglite, type LocalEngine } from '../../src/local/database';
import { runLocalEtl, type LocalRunOptions, type LocalRunReport } from '../../src/local/runner';

/** A loaded warehouse: the run's report and a way to query it. */
export interface LoadedWarehouse {
  readonly report: LocalRunReport;
  rows<T extends object>(sql: string): Promise<T[]>;
}

/**
 * One in-memory PGlite for a test file (booting one takes seconds); each `load` resets
 * the warehouse and loads it from nothing, unless `incremental` is set.
 */
export function sharedWarehouse(): {
  load: (options: LocalRunOptions & { incremental?: boolean }) => Promise<LoadedWarehouse>;
  engine: () => LocalEngine;
} {
  let engine: LocalEngine | undefined;
  beforeAll(async () => {
    engine = await openPglite();
  });
  afterAll(async () => {
    await engine?.close();
  });
  const current = () => {
    if (!engine) throw new Error('sharedWarehouse() is used outside a test');
    return engine;
  };
  return {
    engine: current,
    async load(options) {
      const report = await runLocalEtl(current(), { rebuild: !options.incremental, ...options });
      return { report, rows: (sql) => current().db.query(sql) };
    },
  };
}
