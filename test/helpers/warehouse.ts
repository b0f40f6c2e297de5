import { afterAll, beforeAll } from 'vitest';
import type { LocalEngine } from '../../src/local/database';
import { runLocalEtl, type LocalRunOptions, type LocalRunReport } from '../../src/local/runner';

/** A loaded warehouse: the run's report and a way to query it. */
export interface LoadedWarehouse {
  readonly report: LocalRunReport;
  rows<T extends object>(sql: string): Promise<T[]>;
}

import { openTestEngine, type EngineName } from './engines';

/**
 * One engine for a test file (an in-memory PGlite takes seconds to boot; a Postgres
 * database is made for the file); each `load` rebuilds the warehouse from nothing,
 * unless `incremental` is set.
 */
export function sharedWarehouse(engineName: EngineName = 'pglite'): {
  load: (options: LocalRunOptions & { incremental?: boolean }) => Promise<LoadedWarehouse>;
  engine: () => LocalEngine;
} {
  let engine: LocalEngine | undefined;
  beforeAll(async () => {
    engine = await openTestEngine(engineName);
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
