import { createReadStream, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ObjectStore, StoredObject } from './compact-json';

/**
 * An {@link ObjectStore} over local folders, one per bucket (an object's key is its path
 * under its bucket's folder): what tests and the benchmark compact with, as the Lambda
 * compacts S3.
 */
export class FolderStore implements ObjectStore {
  constructor(private readonly folderOf: (bucket: string) => string) {}

  async list(bucket: string, prefix: string): Promise<StoredObject[]> {
    const root = this.folderOf(bucket);
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .map((file) => ({ key: path.relative(root, file).split(path.sep).join('/'), sizeBytes: statSync(file).size }))
      .filter((object) => object.key.startsWith(prefix))
      .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  async read(bucket: string, key: string): Promise<AsyncIterable<Uint8Array>> {
    return createReadStream(path.join(this.folderOf(bucket), key));
  }

  async put(bucket: string, key: string, body: Buffer): Promise<void> {
    const file = path.join(this.folderOf(bucket), key);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, body);
  }
}
