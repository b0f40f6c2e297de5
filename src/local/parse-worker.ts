/**
 * A worker thread of `fileBatches` (file-batches.ts): reads, parses and types its share of
 * a COPY's files and posts their rows to the thread that runs the COPY, waiting for an
 * acknowledgement whenever {@link WorkerTask.credit} batches are unacknowledged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fileRows, rowMaker, type RowBatch } from './file-rows';
import type { WorkerMessage, WorkerTask } from './file-batches';

const task = workerData as WorkerTask;
const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs only as a worker thread');

let unacknowledged = 0;
let wakeReader: (() => void) | undefined;
port.on('message', () => {
  unacknowledged -= 1;
  wakeReader?.();
  wakeReader = undefined;
});

async function post(batch: RowBatch): Promise<void> {
  port?.postMessage({ batch } satisfies WorkerMessage, [batch.csv.buffer as ArrayBuffer]);
  unacknowledged += 1;
  while (unacknowledged >= task.credit) await new Promise<void>((resolve) => (wakeReader = resolve));
}

async function main(): Promise<void> {
  const makeRow = rowMaker(task.spec);
  try {
    for (const { file, fileIndex } of task.files) {
      for await (const batch of fileRows(file, fileIndex, task.spec, task.batchRows, makeRow)) await post(batch);
    }
  } catch (error) {
    const { message, code } = error as NodeJS.ErrnoException;
    port?.postMessage({ error: { message: String(message ?? error), code } } satisfies WorkerMessage);
  }
  port?.close();
}

void main();
