/**
 * Which source files a load reads, decided from the warehouse's `load_manifest`: the one
 * rule both the local runner and the scheduled AWS load follow.
 */

/** A source file as listed, locally or in S3. */
export interface ListedFile {
  /** Its key: the path under the bucket (or the local data folder), with forward slashes. */
  readonly key: string;
  /** Its size in bytes. */
  readonly sizeBytes: number;
  /** Last-modified time, whole milliseconds. */
  readonly modifiedAt: Date;
}

/** A file the manifest says was loaded. */
export interface ManifestEntry {
  /** Its key, as {@link ListedFile.key}. */
  readonly key: string;
  /** Its size when it was loaded. */
  readonly sizeBytes: number;
  /** Its last-modified time when it was loaded. */
  readonly modifiedAt: Date;
  /** SHA-256 of its content, hex. */
  readonly contentHash: string;
}

/** A listed file with the SHA-256 of its content. */
export type HashedFile<F extends ListedFile> = F & { readonly contentHash: string };

/** What to do with each file found. */
export interface FileDecisions<F extends ListedFile> {
  /** New files (or changed ones, with `reloadChanged`), to load, with their content hash. */
  readonly load: readonly HashedFile<F>[];
  /** New keys whose content was already loaded under another key: recorded, not loaded. */
  readonly redelivered: readonly HashedFile<F>[];
  /** Keys loaded before with the same content. */
  readonly unchanged: readonly F[];
}

/** How {@link decideFiles} reads and reports files. */
export interface DecideFilesOptions<F extends ListedFile> {
  /** The SHA-256 (hex) of a file's content; only called for files not known unchanged. */
  readonly hashOf: (file: F) => Promise<string>;
  /**
   * Load files whose content changed since they were loaded, instead of failing.
   * @default false
   */
  readonly reloadChanged?: boolean;
  /**
   * Hash known files too, even with the size and modification time the manifest has, so
   * that content changed with both kept (or restored) is found.
   * @default false: a known key with the same size and modification time is unchanged, unread
   */
  readonly verify?: boolean;
  /**
   * How a changed file is named in the error.
   * @default its key
   */
  readonly nameOf?: (file: F) => string;
  /** What the error about changed files tells the reader to do to load them again. */
  readonly howToReload: string;
  /**
   * How many files are hashed at once (reading S3 objects gains from more).
   * @default 1
   */
  readonly concurrency?: number;
}

/** Thrown when files loaded before have other content now. */
export class ChangedFileError extends Error {
  constructor(
    readonly files: readonly string[],
    howToReload: string,
  ) {
    super(
      `${files.length} file(s) already loaded have changed since: ${files.slice(0, 5).join(', ')}` +
        `${files.length > 5 ? ', …' : ''}. Source files should not change once loaded; ${howToReload}.`,
    );
  }
}

/**
 * Decides, from the manifest, which files a load reads. A known key with the same size
 * and modification time is unchanged without reading it (unless `verify`); otherwise its
 * content hash decides. A new key whose content hash is already loaded (or loaded earlier in this
 * same list) is a redelivered copy.
 * @throws ChangedFileError when known keys have other content, unless `reloadChanged`
 */
export async function decideFiles<F extends ListedFile>(
  files: readonly F[],
  manifest: readonly ManifestEntry[],
  options: DecideFilesOptions<F>,
): Promise<FileDecisions<F>> {
  const byKey = new Map(manifest.map((entry) => [entry.key, entry]));
  const loadedHashes = new Set(manifest.map((entry) => entry.contentHash));
  const load: HashedFile<F>[] = [];
  const redelivered: HashedFile<F>[] = [];
  const unchanged: F[] = [];
  const changed: string[] = [];
  const isUnchanged = (file: F): boolean => {
    const known = byKey.get(file.key);
    return !options.verify && known !== undefined && known.sizeBytes === file.sizeBytes && known.modifiedAt.getTime() === file.modifiedAt.getTime();
  };
  const hashes = await mapConcurrently(files.filter((file) => !isUnchanged(file)), options.concurrency ?? 1, options.hashOf);
  for (const file of files) {
    const known = byKey.get(file.key);
    const contentHash = hashes.get(file);
    if (contentHash === undefined) {
      unchanged.push(file);
      continue;
    }
    if (known?.contentHash === contentHash) {
      unchanged.push(file);
    } else if (known) {
      changed.push(options.nameOf?.(file) ?? file.key);
      load.push({ ...file, contentHash });
    } else if (loadedHashes.has(contentHash)) {
      redelivered.push({ ...file, contentHash });
    } else {
      loadedHashes.add(contentHash);
      load.push({ ...file, contentHash });
    }
  }
  if (changed.length > 0 && !options.reloadChanged) throw new ChangedFileError(changed, options.howToReload);
  return { load, redelivered, unchanged };
}

/** Runs `work` on every item, at most `concurrency` at once; the results by item. */
async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<Map<T, R>> {
  const results = new Map<T, R>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      results.set(item, await work(item));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
