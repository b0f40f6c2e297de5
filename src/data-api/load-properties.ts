import type { DeployCompactionProperties } from '../compaction/deploy-compaction';
import type { PlannedStatement, StatementKind } from '../sql/plan';
import type { WarehouseTarget } from './target';

/**
 * The custom resource's properties: the contract between the CDK construct that writes
 * them (lib/etl-loader.ts) and the handler that reads them. CloudFormation passes them
 * as JSON; every value is a string, an array or an object.
 */
export interface LoadProperties {
  /** The rendered Redshift statements of the load, in order (checks as assertions). */
  readonly Statements: readonly string[];
  /** For each statement: where it comes from and what it does, for progress logs and errors. */
  readonly StatementInfo: readonly StatementInfo[];
  /** A hash of sql/ and the source: a change re-runs the load. */
  readonly SqlHash: string;
  /**
   * Seconds after which a load still running is cancelled and the deploy fails (a
   * little less than the Provider's timeout, which would fail it without cancelling).
   * CloudFormation passes numbers as strings.
   */
  readonly CancelAfterSeconds: string;
  /** Where the load runs, as the warehouse construct gives it (the admin secret's ARN, never its value). */
  readonly Target: WarehouseTarget;
  /** What onEvent compacts before it submits the load: the song and event files, for the COPYs' manifests. */
  readonly Compaction: DeployCompactionProperties;
}

/** What the handler knows about one statement besides its SQL. */
export interface StatementInfo {
  readonly kind: StatementKind;
  readonly file: string;
  readonly checkName?: string;
  /** What a failure of the statement means, when its SQL says (`-- on failure:`). */
  readonly failureHint?: string;
}

/** What the handler needs to know of each planned statement besides its SQL. */
export function statementInfoOf(plan: readonly PlannedStatement[]): StatementInfo[] {
  return plan.map(({ kind, file, checkName, failureHint }) => ({
    kind,
    file,
    ...(checkName ? { checkName } : {}),
    ...(failureHint ? { failureHint } : {}),
  }));
}
