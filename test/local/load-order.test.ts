import { cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GeneratorOptions } from '../../src/generate/events';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { ENGINES } from '../helpers/engines';
import { tempDir } from '../helpers/fixtures';
import { generatedDays } from '../helpers/generated-days';
import { warehouseSnapshot } from '../helpers/snapshot';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';
import { sharedWarehouse } from '../helpers/warehouse';

/** A data folder holding `sourceDir`'s JSONPaths file and only the given kinds of its files (the others empty). */
function dataWith(sourceDir: string, kinds: readonly ('song_data' | 'log_data')[], dir = tempDir()): string {
  cpSync(path.join(sourceDir, 'log_json_path.json'), path.join(dir, 'log_json_path.json'));
  for (const kind of ['song_data', 'log_data'] as const) {
    if (kinds.includes(kind)) cpSync(path.join(sourceDir, kind), path.join(dir, kind), { recursive: true });
    else mkdirSync(path.join(dir, kind), { recursive: true });
  }
  return dir;
}

const options: GeneratorOptions = { ...DEFAULT_SAMPLE, users: 12, days: 4, songs: 30, events: 600, matchRate: 0.5 };
const generated = generatedDays(options);

describe.each(ENGINES)('loading in any order gives the warehouse a clean load gives, on %s', (engine) => {
  const shared = sharedWarehouse(engine);

  it.runIf(udacitySamplePresent('logs before songs on the real sample'))('the real sample: logs first, songs in a later load', async () => {
    const clean = await shared.load({ dataDir: UDACITY_SAMPLE });
    const expected = await warehouseSnapshot(shared.engine().db);
    expect(clean.report.matchedSongplays).toBe(1);

    const dir = dataWith(UDACITY_SAMPLE, ['log_data']);
    await shared.load({ dataDir: dir });
    dataWith(UDACITY_SAMPLE, ['song_data'], dir);
    const late = await shared.load({ dataDir: dir, incremental: true });
    expect(late.report.matchedSongplays).toBe(1);
    expect(await warehouseSnapshot(shared.engine().db)).toEqual(expected);
  });

  it('generated days, in any order and split into any loads, with the songs arriving in any of them', async () => {
    const everything = generated.dataWithDays([0, 1, 2, 3]);
    await shared.load({ dataDir: everything });
    const expected = await warehouseSnapshot(shared.engine().db);
    expect(expected.songplays.some((play) => (play as { song_id: string | null }).song_id !== null)).toBe(true);

    const loads = fc
      .tuple(fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }))
      .chain(([order, cuts]) => {
        const groups: number[][] = [[order[0]]];
        order.slice(1).forEach((day, index) => (cuts[index] ? groups.push([day]) : groups[groups.length - 1].push(day)));
        return fc.tuple(fc.constant(groups), fc.integer({ min: 0, max: groups.length }));
      });
    await fc.assert(
      fc.asyncProperty(loads, async ([groups, songsWith]) => {
        const dir = dataWith(everything, []);
        for (const [index, days] of groups.entries()) {
          if (index === songsWith) dataWith(everything, ['song_data'], dir);
          for (const day of days) generated.addDay(dir, day);
          await shared.load({ dataDir: dir, incremental: index > 0 });
        }
        if (songsWith === groups.length) {
          dataWith(everything, ['song_data'], dir);
          await shared.load({ dataDir: dir, incremental: true });
        }
        expect(await warehouseSnapshot(shared.engine().db)).toEqual(expected);
      }),
      { numRuns: 6, seed: 20_261_215 },
    );
  });
});
