import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileRows, rowMaker, type RowBatch, type RowSpec } from './file-rows';

/** What a parse worker is given: its files (every `workers`-th of the COPY's list) and how to make rows. */
export interface WorkerTask {
  readonly files: readonly { readonly file: string; readonly fileIndex: number }[];
  readonly spec: RowSpec;
  readonly batchRows: number;
  /** How many batches it may post before it waits for the first to be taken. */
  readonly credit: number;
}

/** What a parse worker posts: a batch of rows, or the error that stopped it. */
export type WorkerMessage = { readonly batch: RowBatch } | { readonly error: { readonly message: string; readonly code?: string } };

/** How a COPY's files are parsed. */
export interface ParseOptions {
  /** Rows per batch handed on. */
  readonly batchRows: number;
  /**
   * Worker threads that read, parse and type the files, each every n-th file, while the
   * calling thread runs the COPY; 0 parses on the calling thread, taking turns with it.
   * @default defaultParseWorkers(bytes of the files, whether the engine runs on this thread)
   */
  readonly workers?: number;
}

/**
 * Below this many bytes of input the files are parsed on the calling thread: starting a
 * worker (and, run from TypeScript, compiling its modules) takes longer than they take.
 */
export const WORKER_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Workers for a COPY of `bytes` bytes: none below {@link WORKER_MIN_BYTES}, else one per
 * core, but the one the engine runs on when it runs on the calling thread (PGlite). A
 * Postgres server's COPY runs in its own process; the calling thread only hands it the
 * parsed rows, so it takes no core from the workers. At 800k events on 2 cores, two
 * workers instead of one cut the wait for parsed rows from 2.5 s to 1.3–1.8 s on
 * Postgres, and changed nothing on PGlite.
 */
export function defaultParseWorkers(bytes: number, engineOnThisThread: boolean): number {
  if (bytes < WORKER_MIN_BYTES) return 0;
  return Math.max(1, availableParallelism() - (engineOnThisThread ? 1 : 0));
}

/** Batches each worker may have posted and not yet had taken: enough to keep it busy, few enough to keep memory flat. */
const CREDIT = 4;

/**
 * The rows of `files`, in file order and within each file in the order read (see
 * {@link fileRows}), parsed by `options.workers` worker threads or on this thread.
 * Stopping the iteration (return or throw) stops the workers.
 */
export async function* fileBatches(files: readonly string[], spec: RowSpec, options: ParseOptions): AsyncGenerator<RowBatch> {
  const workers = Math.min(options.workers ?? 0, files.length);
  if (workers === 0) {
    yield* batchesOnThisThread(files, spec, options.batchRows);
    return;
  }
  const pool = Array.from({ length: workers }, (_, index) =>
    startWorker({
      files: files.flatMap((file, fileIndex) => (fileIndex % workers === index ? [{ file, fileIndex }] : [])),
      spec,
      batchRows: options.batchRows,
      credit: CREDIT,
    }),
  );
  try {
    for (let fileIndex = 0; fileIndex < files.length; fileIndex += 1) {
      const worker = pool[fileIndex % workers];
      for (;;) {
        const batch = await worker.next();
        if (batch.fileIndex !== fileIndex) throw new Error(`parse worker sent rows of file ${batch.fileIndex} before the end of file ${fileIndex}`);
        yield batch;
        if (batch.contentHash !== undefined) break;
      }
    }
  } finally {
    await Promise.all(pool.map((worker) => worker.stop()));
  }
}

/** Parses the files one after another on this thread, each batch taken before the next is read. */
async function* batchesOnThisThread(files: readonly string[], spec: RowSpec, batchRows: number): AsyncGenerator<RowBatch> {
  const makeRow = rowMaker(spec);
  for (const [fileIndex, file] of files.entries()) yield* fileRows(file, fileIndex, spec, batchRows, makeRow);
}

/** A started worker: its batches one at a time (each taken acknowledged), and a way to stop it. */
interface RunningWorker {
  next(): Promise<RowBatch>;
  stop(): Promise<void>;
}

/** The worker's module beside this one; run from TypeScript (tsx, vitest), the worker loads tsx first. */
function workerEntry(): { file: string; execArgv: string[] } {
  const typescript = __filename.endsWith('.ts');
  return {
    file: path.join(__dirname, `parse-worker.${typescript ? 'ts' : 'js'}`),
    execArgv: typescript ? ['--require', require.resolve('tsx/cjs')] : [],
  };
}

function startWorker(task: WorkerTask): RunningWorker {
  const { file, execArgv } = workerEntry();
  const worker = new Worker(file, { workerData: task, execArgv });
  const ready: RowBatch[] = [];
  let failure: Error | undefined;
  let waiting: { resolve: (batch: RowBatch) => void; reject: (error: Error) => void } | undefined;
  const settle = () => {
    if (!waiting) return;
    const batch = ready.shift();
    if (batch) {
      worker.postMessage('taken');
      waiting.resolve(batch);
    } else if (failure) waiting.reject(failure);
    else return;
    waiting = undefined;
  };
  worker.on('message', (message: WorkerMessage) => {
    if ('batch' in message) ready.push(message.batch);
    else failure = Object.assign(new Error(message.error.message), message.error.code ? { code: message.error.code } : {});
    settle();
  });
  worker.on('error', (error) => {
    failure ??= error;
    settle();
  });
  worker.on('exit', () => {
    failure ??= new Error('a parse worker stopped before it sent all its rows');
    settle();
  });
  return {
    next: () =>
      new Promise<RowBatch>((resolve, reject) => {
        waiting = { resolve, reject };
        settle();
      }),
    stop: async () => {
      await worker.terminate();
    },
  };
}
