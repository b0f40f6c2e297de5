import { TABLES } from '../local/runner';
import { formatTable } from '../text-table';
import type { RehearsalReport } from './rehearse';

/** The one JSON object `npm run rehearse -- --json` prints. */
export function rehearsalJson(report: RehearsalReport): string {
  return JSON.stringify({
    tables: report.tables,
    matchedSongplays: report.matchedSongplays,
    attributes: report.attributes,
    steps: report.steps,
  });
}

const seconds = (value: number) => (value >= 100 ? `${value.toFixed(0)} s` : `${value.toFixed(1)} s`);

/** The rehearsal as plain text for a terminal. */
export function rehearsalText(report: RehearsalReport): string {
  const { stack } = report;
  const where = stack.environmentAgnostic
    ? `environment-agnostic, rehearsed as account ${stack.account} in ${stack.region}`
    : `for account ${stack.account} in ${stack.region}`;
  const lines: string[] = [
    `Rehearsal of cdk deploy: stack ${stack.name} (${stack.warehouse === 'cluster' ? 'provisioned cluster' : 'Redshift Serverless'}), ${where}`,
    `Source data: ${report.dataDir}${report.steps.some((step) => step.dayAdded) ? ' (copied into the bucket a day at a time)' : ' (the bucket)'}`,
    '',
    formatTable(
      ['step', 'outcome', 'isComplete calls', 'simulated', 'real', 'stack status'],
      report.steps.map((step) => [
        step.name,
        step.outcome,
        step.polls ? String(step.polls) : '',
        seconds(step.simulatedSeconds),
        seconds(step.realSeconds),
        step.stackStatus,
      ]),
      2,
    ),
    '',
  ];
  for (const step of report.steps) {
    const details = [
      step.dayAdded ? `day added: ${step.dayAdded}` : '',
      step.fault ? `fault injected: ${step.fault}` : '',
      step.warehouseUnchanged === undefined ? '' : `warehouse unchanged: ${step.warehouseUnchanged ? 'yes' : 'NO'}`,
      step.cancelledStatements ? `cancelled: ${step.cancelledStatements.join(', ')}` : '',
      step.throttledCalls ? `throttled Data API calls: ${step.throttledCalls}` : '',
      step.batchStillRunning ? 'a batch was still running in the warehouse, not cancelled: it may yet commit' : '',
    ].filter(Boolean);
    lines.push(`${step.name}: ${step.outcome === 'failed' ? 'FAILED: ' : ''}${step.message}`);
    if (details.length > 0) lines.push(`  ${details.join('; ')}`);
  }
  lines.push(
    '',
    formatTable(
      ['table', 'rows'],
      [
        ...TABLES.map((table) => [table, report.tables[table].toLocaleString('en-US')]),
        ['songplays matched to a song', report.matchedSongplays.toLocaleString('en-US')],
      ],
    ),
    '',
    `Attributes of the load (Fn::GetAtt): ${Object.entries(report.attributes).map(([key, value]) => `${key}=${value}`).join(' ') || 'none'}`,
    '',
    ...analystsText(report),
    '',
    `Data API calls: ${Object.entries(report.dataApiCalls).map(([operation, count]) => `${operation} ${count}`).join(', ') || 'none'}`,
    ...report.callers.map((caller) => `  by ${caller.role}: ${caller.calls} call(s), statements run as ${caller.databaseUsers.join(', ') || 'nobody'}`),
    '',
    formatTable(
      ['function (bundle in cdk.out)', 'role', 'invocations', 'cold starts'],
      report.functions.map((fn) => [fn.name, fn.role, String(fn.invocations), String(fn.coldStarts)]),
      2,
    ),
  );
  if (report.workDir) lines.push('', `Kept in ${report.workDir}: cdk.out/, logs/ (one file per function), the warehouse.`);
  const failed = report.steps.find((step) => step.outcome === 'failed' && !step.name.startsWith('scheduled-run'));
  const failedRuns = report.steps.filter((step) => step.outcome === 'failed' && step.name.startsWith('scheduled-run'));
  lines.push(
    '',
    report.succeeded
      ? `The deploy would succeed (stack ${stack.status}).`
      : `The deploy would FAIL (stack ${stack.status}): ${failed?.message ?? 'see the steps above'}`,
  );
  if (failedRuns.length > 0) lines.push(`Scheduled run(s) failed: ${failedRuns.map((step) => step.name).join(', ')} (see above).`);
  const analysts = report.analysts;
  if (analysts && analysts.failed.length > 0) {
    const first = analysts.queries.find((query) => query.error);
    lines.push(`The analysts could NOT query the stack: ${analysts.failed.length} of ${analysts.queries.length} analytics queries failed as ${analysts.role} (${first?.name}: ${first?.error}).`);
  }
  return lines.join('\n');
}

/** The analytics queries the analysts' IAM role ran, one line each, or why none ran. */
function analystsText(report: RehearsalReport): string[] {
  const { analysts } = report;
  if (!analysts) {
    const createFailed = report.steps.some((step) => step.name === 'create' && step.outcome === 'failed');
    return [`Analysts' queries: not run (${createFailed ? 'the Create failed' : 'the stack outputs no AnalystRoleArn'}).`];
  }
  const where = analysts.target.workgroupName ? `workgroup ${analysts.target.workgroupName}` : `cluster ${analysts.target.clusterIdentifier}`;
  return [
    `Analysts' queries (sql/analytics/, after ${analysts.after}): IAM role ${analysts.role}, signed in with its own identity (no secret)` +
      ` on ${where}, database ${analysts.target.database}, as database user ${analysts.databaseUsers.join(', ') || 'nobody'}:`,
    formatTable(
      ['query', 'rows'],
      analysts.queries.map((query) => [query.name, query.error === undefined ? query.rows.length.toLocaleString('en-US') : `FAILED: ${query.error}`]),
      2,
    ),
  ];
}
