import { summarizeSql, type PlannedStatement, type StatementKind } from '../sql/plan';
import type { LocalDatabase } from './database';

/**
 * The phases of a local load, in the order they start: `read` (reading and parsing the
 * source files), `copy` (bulk COPY of their rows into staging; it runs between reads),
 * `transform` (staging to star), `checks` (data-quality checks and the summary) and
 * `swap` (PGlite only: closing the copy the run worked on and renaming it into place).
 */
export const LOAD_PHASES = ['read', 'copy', 'transform', 'checks', 'swap'] as const;

/** A phase of a local load (see {@link LOAD_PHASES}). */
export type LoadPhase = (typeof LOAD_PHASES)[number];

/**
 * How far reading, or copying, the run's new files has got, in bytes of the files as
 * stored (a gzip'd file counts its compressed bytes) against the size of every file the
 * run loads, across all of its COPY statements.
 */
export interface BytesProgress {
  readonly phase: 'read' | 'copy';
  /** The staging table the bytes' records go to. */
  readonly table: string;
  /** For `read`: the file being read; for `copy`: the last file read (its path under the data folder). */
  readonly file: string;
  /**
   * Bytes read (`read`), or bytes whose records are in the table (`copy`: the bytes read
   * when a bulk COPY finished, so at most the read-ahead of one file more than copied).
   */
  readonly bytesDone: number;
  /** The size of every file the run loads, when it listed them. */
  readonly bytesTotal: number;
}

/** Which statement of a phase is running: sent as each starts, and once after the last. */
export interface StatementProgress {
  readonly phase: 'transform' | 'checks';
  /** Statements of the phase that finished (the index of the one starting). */
  readonly statementsDone: number;
  readonly statementsTotal: number;
  /** The statement starting, as `file: summary` (the last one when all are done). */
  readonly statement: string;
}

/** The PGlite copy being closed and renamed into place, then done. */
export interface SwapProgress {
  readonly phase: 'swap';
  readonly finished: boolean;
}

/** One step of a local load, as the runner (and, for `swap`, the CLI) reports it. */
export type LoadProgress = BytesProgress | StatementProgress | SwapProgress;

/** The phase each kind of statement is shown under; the others (schema, manifest) are too quick to show. */
const PHASE_OF_KIND: Partial<Record<StatementKind, StatementProgress['phase']>> = { transform: 'transform', check: 'checks', summary: 'checks' };

/** Where a statement stands in the phase progress reports show it under. */
interface NumberedStatement {
  readonly phase: StatementProgress['phase'];
  readonly index: number;
  readonly total: number;
  /** How progress names it: its file and check name, or its file and its SQL in short. */
  readonly name: string;
}

/**
 * Reports a run's progress through its callback: counts the bytes read and copied
 * against the total, and numbers the transform and check statements within their phase.
 */
export class LoadProgressReporter {
  private bytesRead = 0;
  private bytesCopied = 0;
  private lastFile = '';
  private readonly numbered = new Map<PlannedStatement, NumberedStatement>();

  /**
   * @param bytesTotal the size of every file the run loads
   * @param statements the statements the run will run, in order
   * @param report the run's callback (none: nothing is reported)
   */
  constructor(
    private readonly bytesTotal: number,
    statements: readonly PlannedStatement[],
    private readonly report: ((progress: LoadProgress) => void) | undefined,
  ) {
    for (const phase of ['transform', 'checks'] as const) {
      const ofPhase = statements.filter((statement) => PHASE_OF_KIND[statement.kind] === phase);
      ofPhase.forEach((statement, index) => {
        const name = `${statement.file}: ${statement.checkName ?? summarizeSql(statement.sql, 60)}`;
        this.numbered.set(statement, { phase, index, total: ofPhase.length, name });
      });
    }
  }

  /** `bytes` more of `file` were read, for `table`. */
  read(table: string, file: string, bytes: number): void {
    this.bytesRead += bytes;
    this.lastFile = file;
    this.report?.({ phase: 'read', table, file, bytesDone: this.bytesRead, bytesTotal: this.bytesTotal });
  }

  /** A bulk COPY into `table` finished: the records of every byte read so far are in, or on their way. */
  copied(table: string): void {
    if (this.bytesCopied === this.bytesRead) return;
    this.bytesCopied = this.bytesRead;
    this.report?.({ phase: 'copy', table, file: this.lastFile, bytesDone: this.bytesCopied, bytesTotal: this.bytesTotal });
  }

  /** `db`, reporting bytes copied into `table` after each bulk COPY it runs. */
  copyingInto(db: LocalDatabase, table: string): LocalDatabase {
    return {
      query: (sql, params) => db.query(sql, params),
      execute: (sql) => db.execute(sql),
      copyCsv: async (target, columns, csv) => {
        await db.copyCsv(target, columns, csv);
        this.copied(table);
      },
      runsOnThisThread: db.runsOnThisThread,
    };
  }

  /** Runs `statement`, reporting its start and, after the last of its phase, the phase's end. */
  async running<T>(statement: PlannedStatement, run: () => Promise<T>): Promise<T> {
    const numbered = this.numbered.get(statement);
    if (!numbered) return run();
    this.statement(numbered, numbered.index);
    const result = await run();
    if (numbered.index === numbered.total - 1) this.statement(numbered, numbered.total);
    return result;
  }

  private statement(numbered: NumberedStatement, statementsDone: number): void {
    this.report?.({ phase: numbered.phase, statementsDone, statementsTotal: numbered.total, statement: numbered.name });
  }
}
