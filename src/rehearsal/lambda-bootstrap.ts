/**
 * The runtime inside each rehearsal Lambda process (compiled to plain CommonJS by
 * lambda-runtime.ts and started by it with `node`, never through tsx). It plays the part
 * of the Lambda Node.js runtime: loads the bundled handler named by `_HANDLER` from
 * `LAMBDA_TASK_ROOT` on the first invocation (the init phase), then answers each
 * `invoke` message from the parent with the handler's result or its error
 * (`{errorType, errorMessage, trace}`, as Lambda reports it), and ends a run that outlives
 * the function's timeout as Lambda does (the parent then starts a fresh process).
 *
 * Time compression: the parent runs a simulated clock that is ahead of the real one by
 * the waits it skipped (the Provider's IntervalSeconds between isComplete calls, the
 * schedule's period). Each invoke carries that offset; here `Date.now()` and
 * `new Date()` return real time plus the offset, so handler code measuring elapsed time
 * sees the Provider's schedule. A `setTimeout` of a second or more (the scheduled
 * loader's 5-second wait between polls) asks the parent to let that time pass: it waits
 * in real time while the warehouse still has work in flight and skips the rest, then
 * sends its clock back with the word to run the callback. So a handler sees the full
 * wait, but the rehearsal only waits as long as the warehouse is busy.
 */
import type * as http from 'node:http';
import { format } from 'node:util';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** What the parent sends to run the handler once. */
interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  readonly event: unknown;
  /** Simulated time minus real time, in ms. */
  readonly offsetMs: number;
  /** When the invocation times out, in simulated epoch ms. */
  readonly deadlineMs: number;
  readonly functionName: string;
  readonly functionArn: string;
  readonly memoryMb: number;
  readonly logGroupName: string;
}

/** A Lambda error payload. */
interface LambdaErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: string[];
}

const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
const realSetTimeout = globalThis.setTimeout;
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;
let offsetMs = 0;
const shiftedNow = () => realNow() + offsetMs;

class ShiftedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(shiftedNow());
    else super(...(args as [string | number | Date]));
  }

  static now(): number {
    return shiftedNow();
  }

  /** Dates made before the shift (or by Node itself) are Dates too. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof RealDate;
  }
}

// `Date()` called without `new` returns the current time as a string.
globalThis.Date = new Proxy(ShiftedDate, { apply: () => new ShiftedDate().toString() }) as DateConstructor;

/** Timers at least this long are waits the parent's clock may skip. */
const SKIPPABLE_FROM_MS = 1000;
/** How long (real ms) a long timer must be pending, with no HTTP request in flight, to count as a sleep. */
const SLEEP_GRACE_MS = 20;

/** Long timers waiting for the parent's word, by id: their callbacks, unless cleared first. */
const sleeping = new Map<number, { readonly timer: NodeJS.Timeout; readonly run: () => void }>();
const realClearTimeout = globalThis.clearTimeout;
let nextSleep = 1;

// HTTP requests in flight: the SDK's own timers (socket and request timeouts) run while
// one is, and are not sleeps; a handler's sleep or a retry's back-off runs while none is.
let requestsInFlight = 0;
// The modules themselves (require), not an import's copy of their exports: the SDK requires them too.
const builtin = createRequire(__filename);
for (const module of [builtin('node:http'), builtin('node:https')] as (typeof http)[]) {
  const request = module.request;
  module.request = ((...args: Parameters<typeof http.request>) => {
    const sent = request(...args);
    requestsInFlight += 1;
    sent.once('close', () => (requestsInFlight -= 1));
    return sent;
  }) as typeof http.request;
}

/**
 * setTimeout as handlers see it: a delay of a second or more that is still pending a
 * moment later, with no HTTP request in flight, is a sleep the parent decides on (it
 * waits in real time while the warehouse still works, and skips the rest of the delay on
 * the simulated clock); other timers are real. The Timeout returned is a real timer of
 * the full delay, so clearTimeout, unref and ref work on it as usual.
 */
function skippableSetTimeout(callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]): NodeJS.Timeout {
  const ms = Number(delay) || 0;
  if (typeof callback !== 'function' || ms < SKIPPABLE_FROM_MS || !process.send) return realSetTimeout(callback, delay, ...args);
  const id = nextSleep++;
  const dueMs = shiftedNow() + ms;
  let ran = false;
  const run = () => {
    if (ran) return;
    ran = true;
    sleeping.delete(id);
    realClearTimeout(timer);
    realClearTimeout(grace);
    callback(...args);
  };
  const timer = realSetTimeout(run, ms);
  sleeping.set(id, { timer, run });
  const grace = realSetTimeout(() => {
    if (sleeping.has(id) && requestsInFlight === 0) process.send?.({ type: 'sleep', id, dueMs });
  }, SLEEP_GRACE_MS);
  grace.unref();
  return timer;
}
Object.defineProperty(skippableSetTimeout, Symbol.for('nodejs.util.promisify.custom'), {
  value: (ms: number, value?: unknown) => new Promise((resolve) => skippableSetTimeout(() => resolve(value), ms)),
});
globalThis.setTimeout = skippableSetTimeout as typeof globalThis.setTimeout;
globalThis.clearTimeout = ((timer?: NodeJS.Timeout | string | number) => {
  for (const [id, entry] of sleeping) if (entry.timer === timer) sleeping.delete(id);
  realClearTimeout(timer);
}) as typeof globalThis.clearTimeout;

/** The parent let a sleep's time pass: take up its clock, and run the timer's callback. */
function wake(id: number, parentOffsetMs: number): void {
  offsetMs = Math.max(offsetMs, parentOffsetMs);
  sleeping.get(id)?.run();
}

let currentRequestId = '';
// Lambda's Node.js runtime writes each console line as `<time>\t<request id>\t<LEVEL>\t<message>`.
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG']] as const) {
  const stream = level === 'ERROR' || level === 'WARN' ? process.stderr : process.stdout;
  console[method] = (...items: unknown[]) => {
    stream.write(`${new ShiftedDate().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${format(...items)}\n`);
  };
}

type Handler = (event: unknown, context: unknown, callback?: (error: unknown, result?: unknown) => void) => unknown;
let handler: Handler | undefined;

async function loadHandler(): Promise<Handler> {
  if (handler) return handler;
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw Object.assign(new Error(`Bad handler ${spec}: expected file.export`), { name: 'Runtime.MalformedHandlerName' });
  const [file, exported] = [spec.slice(0, dot), spec.slice(dot + 1)];
  const candidates = ['.js', '.cjs', '.mjs'].map((extension) => path.join(root, `${file}${extension}`));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw Object.assign(new Error(`Cannot find module '${file}' in ${root}`), { name: 'Runtime.ImportModuleError' });
  const loaded = (found.endsWith('.mjs') ? await import(pathToFileURL(found).href) : createRequire(found)(found)) as Record<string, unknown>;
  const candidate = loaded[exported];
  if (typeof candidate !== 'function') {
    throw Object.assign(new Error(`${file}.${exported} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  handler = candidate as Handler;
  return handler;
}

function errorPayload(error: unknown): LambdaErrorPayload {
  if (error instanceof Error) {
    return { errorType: error.name || 'Error', errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function send(message: Record<string, unknown>, then?: () => void): void {
  process.send?.({ ...message, offsetMs }, undefined, undefined, () => then?.());
}

async function invoke(message: InvokeMessage): Promise<void> {
  offsetMs = message.offsetMs;
  currentRequestId = message.requestId;
  const watchdog = realSetInterval(() => {
    if (shiftedNow() <= message.deadlineMs) return;
    realClearInterval(watchdog);
    // Lambda stops the run and throws the sandbox away.
    send({ type: 'timeout', requestId: message.requestId }, () => process.exit(1));
  }, 10);
  const context = {
    awsRequestId: message.requestId,
    functionName: message.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: message.functionArn,
    memoryLimitInMB: String(message.memoryMb),
    logGroupName: message.logGroupName,
    logStreamName: `rehearsal/[$LATEST]${message.requestId.replace(/-/g, '')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - shiftedNow()),
  };
  try {
    const run = await loadHandler();
    const result = await new Promise((resolve, reject) => {
      const returned = run(message.event, context, (error, value) => (error ? reject(error) : resolve(value)));
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolve, reject);
    });
    realClearInterval(watchdog);
    // Lambda returns the JSON of the result.
    send({ type: 'done', requestId: message.requestId, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    realClearInterval(watchdog);
    send({ type: 'done', requestId: message.requestId, error: errorPayload(error) });
  } finally {
    currentRequestId = '';
  }
}

process.on('message', (message: InvokeMessage | { type: 'wake'; id: number; offsetMs: number }) => {
  if (message?.type === 'invoke') void invoke(message);
  else if (message?.type === 'wake') wake(message.id, message.offsetMs);
});
// The rehearsal is gone (ended or killed): so is the sandbox.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
