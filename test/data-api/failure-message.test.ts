import { describe, expect, it } from 'vitest';
import { failureMessage } from '../../src/data-api/deploy-load';
import { buildLoadPlan, toRedshiftSql } from '../../src/sql/plan';
import { readSqlFiles } from '../../src/sql/sql-files';
import { localCopySource } from '../../src/local/runner';

const plan = buildLoadPlan(readSqlFiles(), localCopySource(0));
const statements = { Statements: toRedshiftSql(plan), StatementInfo: plan.map(({ kind, file, checkName }) => ({ kind, file, ...(checkName ? { checkName } : {}) })) };

describe("the deploy's message for a failed data-quality check", () => {
  const checkIndex = plan.findIndex((statement) => statement.checkName === 'staged_events_ts_in_range');
  const message = failureMessage(
    {
      id: 'batch',
      state: 'FAILED',
      subStatements: plan.map((_, index) => ({
        id: `batch:${index + 1}`,
        state: index === checkIndex ? 'FAILED' : 'FINISHED',
        ...(index === checkIndex ? { error: 'ERROR: division by zero' } : {}),
      })),
    },
    statements,
    0,
  );

  it("names the check and Redshift's error", () => {
    expect(message).toContain(`Statement ${checkIndex + 1} of ${plan.length} (06_checks.sql:`);
    expect(message).toContain('failed: ERROR: division by zero.');
    expect(message).toContain('Data-quality check staged_events_ts_in_range found rows breaking its rule');
  });

  it('says where the offending keys can be seen: not in the rolled-back warehouse, but in a local load of the same files', () => {
    expect(message).toContain("Redshift's error cannot carry the rows' keys");
    expect(message).toContain('now sees the warehouse as it was');
    expect(message).toContain('npm run local -- --data DIR');
  });
});
