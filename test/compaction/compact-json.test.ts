import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  MAX_PART_SOURCE_BYTES,
  TooManyBadRecordsError,
  assignParts,
  compactJsonFiles,
  compactedFileCount,
  isReadableSourceKey,
} from '../../src/compaction/compact-json';
import { FolderStore } from '../../src/compaction/folder-store';
import { writeSample } from '../../src/generate/writer';
import { tempDir } from '../helpers/fixtures';
import { warehouseSnapshot } from '../helpers/snapshot';
import { sharedWarehouse } from '../helpers/warehouse';

const MB = 1024 * 1024;

/** Buckets as folders under one root. */
function buckets(): { root: string; store: FolderStore; folder: (bucket: string) => string } {
  const root = tempDir('sparkify-compact-');
  const folder = (bucket: string) => {
    const dir = path.join(root, bucket);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  return { root, store: new FolderStore(folder), folder };
}

function writeObject(dir: string, key: string, body: string | Buffer): void {
  mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
  writeFileSync(path.join(dir, key), body);
}

describe('how many files a compaction writes (AWS: a multiple of the slices, each 1 MB–1 GB compressed, ideally ≤ 125 MB)', () => {
  it('gives one file per slice while the source fits, then the next multiple of the slices', () => {
    expect(compactedFileCount(4 * MB, 2)).toBe(2);
    expect(compactedFileCount(2 * MAX_PART_SOURCE_BYTES, 2)).toBe(2);
    expect(compactedFileCount(2 * MAX_PART_SOURCE_BYTES + 1, 2)).toBe(4);
    expect(compactedFileCount(100 * MAX_PART_SOURCE_BYTES, 16)).toBe(112);
  });

  it('keeps each file within 125 MB compressed: at most 64 MiB of source JSON, and gzip never makes JSON bigger than that', () => {
    expect(MAX_PART_SOURCE_BYTES).toBeLessThanOrEqual(125 * 1000 * 1000);
    for (const [bytes, slices] of [[1, 1], [10 * MB, 2], [7_777 * MB, 4], [123_456 * MB, 32]] as const) {
      const count = compactedFileCount(bytes, slices);
      expect(count % slices).toBe(0);
      expect(bytes / count).toBeLessThanOrEqual(MAX_PART_SOURCE_BYTES);
    }
  });

  it('refuses a slice count that is not a positive whole number', () => {
    expect(() => compactedFileCount(1, 0)).toThrow(/slices must be a positive whole number/);
  });

  it('deals files into runs of about equal bytes, in key order, and drops parts left empty', () => {
    const files = Array.from({ length: 10 }, (_, index) => ({ key: `k${index}`, sizeBytes: 100 }));
    expect(assignParts(files, 2).map((part) => part.map((file) => file.key))).toEqual([
      ['k0', 'k1', 'k2', 'k3', 'k4'],
      ['k5', 'k6', 'k7', 'k8', 'k9'],
    ]);
    expect(assignParts(files.slice(0, 3), 16)).toHaveLength(3);
  });

  it('reads the names the local runner reads: .json, .jsonl, each optionally gzip’d', () => {
    expect(['a.json', 'a.jsonl', 'a.json.gz', 'a.jsonl.gz'].every(isReadableSourceKey)).toBe(true);
    expect(['a.csv', 'a.json.bak', '_SUCCESS', 'a.gz'].some(isReadableSourceKey)).toBe(false);
  });
});

describe('compactJsonFiles on real gzip output', () => {
  it('writes gzip’d JSON lines holding every object of every file, .json.gz and pretty-printed ones too, and a COPY manifest of them', async () => {
    const { store, folder } = buckets();
    const source = folder('source');
    writeObject(source, 'song_data/A/one.json', '{"song_id":"S1","title":"One"}');
    writeObject(source, 'song_data/A/two.json', '{\n  "song_id": "S2",\n  "title": "Two"\n}\n{"song_id":"S3","title":"Three"}\n');
    writeObject(source, 'song_data/B/four.json.gz', gzipSync('{"song_id":"S4","title":"Four"}\n'));
    const files = (await store.list('source', 'song_data/')).filter((file) => isReadableSourceKey(file.key));
    const result = await compactJsonFiles(store, {
      sourceBucket: 'source',
      files,
      targetBucket: 'staging',
      targetPrefix: 'songs/run-1/',
      manifestKey: 'songs/song_data.manifest',
      slices: 2,
      maxErrors: 0,
    });
    expect(result.parts.map((part) => part.key)).toEqual(['songs/run-1/part-00001-of-00002.json.gz', 'songs/run-1/part-00002-of-00002.json.gz']);
    const lines = result.parts.flatMap((part) => gunzipSync(readFileSync(path.join(folder('staging'), part.key))).toString('utf8').trimEnd().split('\n'));
    expect(lines.map((line) => JSON.parse(line).song_id)).toEqual(['S1', 'S2', 'S3', 'S4']);
    expect(result.parts.reduce((sum, part) => sum + part.records, 0)).toBe(4);
    expect(result.parts.every((part) => part.gzipBytes === readFileSync(path.join(folder('staging'), part.key)).length)).toBe(true);
    expect(JSON.parse(readFileSync(path.join(folder('staging'), 'songs/song_data.manifest'), 'utf8'))).toEqual({
      entries: result.parts.map((part) => ({ url: `s3://staging/${part.key}`, mandatory: true })),
    });
    expect(result.manifestUri).toBe('s3://staging/songs/song_data.manifest');
  });

  it('names the records that are not JSON objects, and fails past MAXERROR as COPY would', async () => {
    const { store, folder } = buckets();
    writeObject(folder('source'), 'song_data/bad.json', '{"song_id":"S1"}\nnot json\n');
    const request = {
      sourceBucket: 'source',
      files: await store.list('source', 'song_data/'),
      targetBucket: 'staging',
      targetPrefix: 'songs/r/',
      manifestKey: 'songs/m.manifest',
      slices: 1,
    };
    await expect(compactJsonFiles(store, { ...request, maxErrors: 0 })).rejects.toThrow(TooManyBadRecordsError);
    await expect(compactJsonFiles(store, { ...request, maxErrors: 0 })).rejects.toThrow(/s3:\/\/source\/song_data\/bad\.json line 2/);
    const allowed = await compactJsonFiles(store, { ...request, maxErrors: 1 });
    expect(allowed.leftOut).toEqual([{ key: 'song_data/bad.json', line: 2, reason: expect.any(String) }]);
    expect(allowed.parts[0].records).toBe(1);
  });

  it('refuses to compact nothing, rather than write a manifest COPY would fail on', async () => {
    const { store } = buckets();
    await expect(
      compactJsonFiles(store, { sourceBucket: 's', files: [], targetBucket: 't', targetPrefix: 'p/', manifestKey: 'm', slices: 2, maxErrors: 0 }),
    ).rejects.toThrow(/Nothing to compact/);
  });
});

describe("the generator's 17,576-file catalogue, compacted", () => {
  const warehouse = sharedWarehouse();

  it('loads to exactly the same star tables as the files it was made from', async () => {
    const original = tempDir('sparkify-catalogue-');
    const summary = await writeSample(original, { seed: 7, users: 20, days: 2, songs: 17_576, events: 600, startDate: '2018-11-01', matchRate: 0.5 });
    expect(summary.songFiles).toBe(17_576);

    const compacted = tempDir('sparkify-compacted-');
    cpSync(path.join(original, 'log_data'), path.join(compacted, 'log_data'), { recursive: true });
    cpSync(path.join(original, 'log_json_path.json'), path.join(compacted, 'log_json_path.json'));
    const store = new FolderStore((bucket) => (bucket === 'compacted' ? compacted : original));
    const result = await compactJsonFiles(store, {
      sourceBucket: 'original',
      files: await store.list('original', 'song_data/'),
      targetBucket: 'compacted',
      targetPrefix: 'song_data/',
      // Beside the data folders, where the local runner does not look.
      manifestKey: 'song_data.manifest',
      slices: 4,
      maxErrors: 0,
    });
    expect(result.parts).toHaveLength(4);
    expect(result.parts.reduce((sum, part) => sum + part.sourceFiles, 0)).toBe(17_576);

    const before = await warehouse.load({ dataDir: original });
    const beforeTables = await warehouseSnapshot(warehouse.engine().db);
    const after = await warehouse.load({ dataDir: compacted });
    const afterTables = await warehouseSnapshot(warehouse.engine().db);
    expect(after.report.tables).toEqual(before.report.tables);
    expect(after.report.loadedFiles).toBe(4 + 2);
    // load_manifest names the files read, which differ; every star table is the same.
    for (const table of ['songplays', 'users', 'songs', 'artists', 'time']) expect(afterTables[table]).toEqual(beforeTables[table]);
    expect(before.report.tables.songs).toBe(17_576);
  }, 240_000);
});
