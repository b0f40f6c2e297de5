import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { transformSync } from 'esbuild';
import { rehearsalSuffix } from './intrinsics';
import type { LambdaFunctionSpec } from './stack-plan';

/**
 * Runs the bundled Lambda functions of a cloud assembly as Lambda would: each function in
 * its own Node.js process (kept warm between invocations, started again after a timeout
 * or a crash), started with plain `node` on the bundle in cdk.out (never the TypeScript
 * sources), with the function's resolved environment plus what the Lambda runtime sets
 * (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, TZ, …), credentials that are fake but
 * unique to the function's role (so the stand-ins know the caller), and the SDK's
 * endpoints pointed at the local stand-ins (AWS_ENDPOINT_URL_REDSHIFT_DATA,
 * AWS_ENDPOINT_URL_REDSHIFT, AWS_ENDPOINT_URL_S3). Nothing of this process's environment
 * leaks into the function's.
 *
 * Time compression (see lambda-bootstrap.ts): a {@link SimulatedClock} shared by the
 * rehearsal is ahead of the real clock by every wait it skipped. Each invocation sends
 * its offset to the function's process, whose `Date.now()` and `new Date()` then read
 * the simulated time; the function's `getRemainingTimeInMillis()` and its timeout are
 * measured on that clock too. A function's own long sleeps are waits of the shared clock,
 * decided here.
 *
 * No NODE_PATH leads to the project's node_modules: the bundles carry everything they
 * need, the AWS SDK included (lib/loader-function.ts), and a module left out of one fails
 * here as it would on Lambda.
 */

/**
 * A clock ahead of the real one by the waits the rehearsal skipped. A wait ({@link until})
 * lasts in real time only while something is still at work (`busy`: the rehearsal passes
 * one that resolves when the warehouse has no batch in flight); the rest of it is skipped.
 */
export class SimulatedClock {
  /** Simulated time minus real time, in ms. */
  offsetMs = 0;

  /** @param busy resolves when nothing is at work any more, or after at most `maxRealMs` */
  constructor(private readonly busy: (maxRealMs: number) => Promise<void> = async () => undefined) {}

  /** The simulated time, epoch ms. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Skips `ms` of waiting at once. */
  advance(ms: number): void {
    this.offsetMs += Math.max(0, ms);
  }

  /** Lets `ms` of simulated time pass. */
  pass(ms: number): Promise<void> {
    return this.until(this.now() + ms);
  }

  /** Lets simulated time reach `dueMs`: in real time while something is at work, skipping the rest. */
  async until(dueMs: number): Promise<void> {
    const remaining = dueMs - this.now();
    if (remaining <= 0) return;
    await this.busy(remaining);
    this.advance(dueMs - this.now());
  }

  /** Takes up the offset a function's process ended with, if it is ahead. */
  catchUp(offsetMs: number): void {
    this.offsetMs = Math.max(this.offsetMs, offsetMs);
  }
}

/** Where the functions' SDK calls go, and where their logs are written. */
export interface RuntimeSettings {
  readonly region: string;
  /** The Data API stand-in's endpoint. */
  readonly redshiftDataEndpoint: string;
  /** The Redshift control plane stand-in's endpoint (DescribeClusters). */
  readonly redshiftEndpoint: string;
  /** The S3 stand-in's endpoint. */
  readonly s3Endpoint: string;
  /** A folder for the functions' logs (one file per function) and the runtime script. */
  readonly workDir: string;
}

/** Where calls to services without a stand-in go: the discard port of this machine, refused at once. */
const NOWHERE = 'http://127.0.0.1:9';

/** The fake credentials a role's functions sign with: unique per role, so the stand-ins can tell callers apart. */
export function roleCredentials(roleName: string): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  return {
    accessKeyId: `ASIA${rehearsalSuffix(`access-key/${roleName}`, 16)}`,
    secretAccessKey: rehearsalSuffix(`secret-key/${roleName}`, 40),
    sessionToken: `rehearsal-session-${rehearsalSuffix(`session/${roleName}`, 24)}`,
  };
}

/** An error as Lambda reports a failed invocation. */
export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** How one invocation ended. */
export type Invocation =
  | { readonly requestId: string; readonly ok: true; readonly result: unknown; readonly realMs: number }
  | { readonly requestId: string; readonly ok: false; readonly error: LambdaError; readonly realMs: number };

/** The runtime script, compiled once per work folder. */
function bootstrapScript(workDir: string): string {
  const file = path.join(workDir, 'lambda-bootstrap.js');
  const source = readFileSync(path.join(__dirname, 'lambda-bootstrap.ts'), 'utf8');
  writeFileSync(file, transformSync(source, { loader: 'ts', format: 'cjs', platform: 'node', target: 'node20' }).code);
  return file;
}

interface ChildMessage {
  readonly type: 'ready' | 'done' | 'timeout' | 'sleep';
  /** A sleep's id and when it is due (simulated epoch ms). */
  readonly id?: number;
  readonly dueMs?: number;
  readonly requestId?: string;
  readonly offsetMs: number;
  readonly result?: unknown;
  readonly error?: LambdaError;
}

/** One function's sandbox: a warm process, started on first use. */
export class LambdaSandbox {
  private child?: ChildProcess;
  private readonly logFile: string;
  private pending?: { requestId: string; settle: (message: ChildMessage | { exit: string }) => void };
  /** Invocations so far (each also a START/END/REPORT block in the log). */
  invocations = 0;
  /** Processes started so far (cold starts). */
  coldStarts = 0;

  constructor(
    readonly spec: LambdaFunctionSpec,
    private readonly currentSettings: () => RuntimeSettings,
    private readonly clock: SimulatedClock,
    private readonly bootstrap: string,
  ) {
    mkdirSync(path.join(currentSettings().workDir, 'logs'), { recursive: true });
    this.logFile = path.join(currentSettings().workDir, 'logs', `${spec.functionName}.log`);
  }

  private get settings(): RuntimeSettings {
    return this.currentSettings();
  }

  /** The function's log: what its process printed, with Lambda's START/END/REPORT lines. */
  get logPath(): string {
    return this.logFile;
  }

  private environment(): NodeJS.ProcessEnv {
    const credentials = roleCredentials(this.spec.roleName);
    const home = path.join(this.settings.workDir, 'home');
    mkdirSync(home, { recursive: true });
    return {
      ...this.spec.environment,
      PATH: process.env.PATH,
      HOME: home,
      // What the Lambda runtime sets.
      AWS_REGION: this.settings.region,
      AWS_DEFAULT_REGION: this.settings.region,
      AWS_LAMBDA_FUNCTION_NAME: this.spec.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.spec.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: this.spec.logGroupName,
      AWS_EXECUTION_ENV: `AWS_Lambda_${this.spec.runtime}`,
      LAMBDA_TASK_ROOT: this.spec.assetDir,
      _HANDLER: this.spec.handler,
      TZ: ':UTC',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      // Nothing of this machine's AWS configuration: only the stand-ins.
      AWS_CONFIG_FILE: path.join(home, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-aws-credentials'),
      AWS_ENDPOINT_URL_REDSHIFT_DATA: this.settings.redshiftDataEndpoint,
      AWS_ENDPOINT_URL_REDSHIFT: this.settings.redshiftEndpoint,
      AWS_ENDPOINT_URL_S3: this.settings.s3Endpoint,
      // Any other service: a local port nothing listens on, so a call fails at once instead of reaching AWS.
      AWS_ENDPOINT_URL: NOWHERE,
    };
  }

  private start(): Promise<void> {
    if (!this.spec.assetDir) throw new Error(`${this.spec.logicalId} has no bundle in the cloud assembly (no aws:asset:path metadata)`);
    this.coldStarts += 1;
    const child = fork(this.bootstrap, [], {
      cwd: this.spec.assetDir,
      env: this.environment(),
      // Plain node: none of this process's loaders (tsx, vitest). NODE_OPTIONS, if the function sets it, applies as on Lambda.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => appendFileSync(this.logFile, chunk));
    child.stderr?.on('data', (chunk: Buffer) => appendFileSync(this.logFile, chunk));
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) => {
        if (this.child === child) this.child = undefined;
        const settle = this.pending?.settle;
        this.pending = undefined;
        const how = `Runtime exited${signal ? ` with signal: ${signal}` : ` with error: exit status ${code}`}`;
        settle?.({ exit: how });
        reject(new Error(`${this.spec.functionName}: ${how} before it was ready`));
      };
      child.on('exit', onExit);
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'sleep') {
          void this.clock.until(message.dueMs ?? 0).then(() => {
            if (child.connected) child.send({ type: 'wake', id: message.id, offsetMs: this.clock.offsetMs });
          });
        }
        else if (this.pending && message.requestId === this.pending.requestId) {
          const { settle } = this.pending;
          if (message.type !== 'timeout') this.pending = undefined;
          settle(message);
        }
      });
    });
  }

  /** Invokes the function once (RequestResponse) with `event`, on the simulated clock. */
  async invoke(event: unknown, requestId: string = randomUUID()): Promise<Invocation> {
    if (!this.child) await this.start();
    const child = this.child as ChildProcess;
    this.invocations += 1;
    const started = Date.now();
    const simulatedStart = this.clock.now();
    const deadlineMs = simulatedStart + this.spec.timeoutSeconds * 1000;
    appendFileSync(this.logFile, `START RequestId: ${requestId} Version: $LATEST (simulated ${new Date(simulatedStart).toISOString()})\n`);
    const message = await new Promise<ChildMessage | { exit: string }>((resolve) => {
      this.pending = { requestId, settle: resolve };
      // A guard in real time, in case the process stops answering altogether.
      const guard = setTimeout(() => resolve({ exit: 'no answer' }), this.spec.timeoutSeconds * 1000 + 10_000);
      guard.unref();
      child.send({
        type: 'invoke',
        requestId,
        event,
        offsetMs: this.clock.offsetMs,
        deadlineMs,
        functionName: this.spec.functionName,
        functionArn: this.spec.arn,
        memoryMb: this.spec.memoryMb,
        logGroupName: this.spec.logGroupName,
      });
    });
    const realMs = Date.now() - started;
    let invocation: Invocation;
    if ('exit' in message) {
      this.kill();
      invocation = { requestId, ok: false, realMs, error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${message.exit}` } };
    } else {
      this.clock.catchUp(message.offsetMs);
      if (message.type === 'timeout') {
        this.kill();
        const seconds = this.spec.timeoutSeconds.toFixed(2);
        invocation = { requestId, ok: false, realMs, error: { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds` } };
      } else if (message.error) {
        invocation = { requestId, ok: false, realMs, error: message.error };
      } else {
        invocation = { requestId, ok: true, realMs, result: message.result };
      }
    }
    const simulatedMs = this.clock.now() - simulatedStart;
    appendFileSync(
      this.logFile,
      `END RequestId: ${requestId}\nREPORT RequestId: ${requestId}\tDuration: ${simulatedMs} ms (simulated; ${realMs} ms real)\t${invocation.ok ? '' : `Status: ${invocation.error.errorType}`}\n`,
    );
    return invocation;
  }

  private kill(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  /** Stops the function's process. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/** The sandboxes of a rehearsal's functions, one per function, sharing a clock and a runtime script. */
export class LambdaFleet {
  private readonly sandboxes = new Map<string, LambdaSandbox>();
  private readonly bootstrap: string;

  constructor(
    private settings: RuntimeSettings,
    readonly clock: SimulatedClock,
  ) {
    mkdirSync(settings.workDir, { recursive: true });
    this.bootstrap = bootstrapScript(settings.workDir);
  }

  /** The sandbox of a function, created on first use. */
  sandbox(spec: LambdaFunctionSpec): LambdaSandbox {
    let sandbox = this.sandboxes.get(spec.arn);
    if (!sandbox) {
      sandbox = new LambdaSandbox(spec, () => this.settings, this.clock, this.bootstrap);
      this.sandboxes.set(spec.arn, sandbox);
    }
    return sandbox;
  }

  /** Stops every process, so that the next invocations start fresh ones on other endpoints (a stand-in was restarted). */
  async repoint(settings: Partial<RuntimeSettings>): Promise<void> {
    await Promise.all(this.all().map((sandbox) => sandbox.stop()));
    this.settings = { ...this.settings, ...settings };
  }

  /** Every sandbox used so far. */
  all(): LambdaSandbox[] {
    return [...this.sandboxes.values()];
  }

  /** Stops every function's process. */
  async stop(): Promise<void> {
    await Promise.all(this.all().map((sandbox) => sandbox.stop()));
  }
}
