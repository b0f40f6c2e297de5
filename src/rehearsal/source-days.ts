import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import * as path from 'node:path';

/**
 * How a scheduled rehearsal makes new source files arrive: the data folder's event logs
 * are grouped into days (the `YYYY-MM-DD` in each file's key, as Sparkify names them:
 * `log_data/2018/11/2018-11-05-events.json`), and the rehearsal copies them into the
 * bucket's folder one day at a time, the first day(s) with every song file and the
 * JSONPaths file before the deploy, one more day before each scheduled run.
 */

/** The keys of one day of event logs. */
export interface SourceDay {
  /** `YYYY-MM-DD`, or the key itself for a file without a date in its key. */
  readonly day: string;
  readonly keys: readonly string[];
}

/** The keys (paths relative to `root`, with `/`) of the `.json` files under `root/prefix`, sorted. */
export function jsonKeysUnder(root: string, prefix: string): string[] {
  const keys: string[] = [];
  const walk = (dir: string, keyPrefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${keyPrefix}${entry.name}/`);
      else if (entry.isFile() && entry.name.endsWith('.json')) keys.push(`${keyPrefix}${entry.name}`);
    }
  };
  const start = path.join(root, prefix);
  if (existsSync(start) && statSync(start).isDirectory()) walk(start, `${prefix.replace(/\/+$/, '')}/`);
  return keys.sort();
}

/** The data folder's event logs under `logPrefix`, grouped into days in date order. */
export function sourceDays(dataDir: string, logPrefix: string): SourceDay[] {
  const days = new Map<string, string[]>();
  for (const key of jsonKeysUnder(dataDir, logPrefix)) {
    const day = /(\d{4}-\d{2}-\d{2})/.exec(path.posix.basename(key))?.[1] ?? key;
    days.set(day, [...(days.get(day) ?? []), key]);
  }
  return [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, keys]) => ({ day, keys }));
}

/** Copies keys of the data folder into a bucket folder, stamping them with `uploadedAt` as their LastModified. */
export function uploadKeys(dataDir: string, bucketDir: string, keys: readonly string[], uploadedAt: Date): void {
  for (const key of keys) {
    const target = path.join(bucketDir, ...key.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(dataDir, ...key.split('/')), target);
    utimesSync(target, uploadedAt, uploadedAt);
  }
}
