import { copyFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { SQLFLUFF_AVAILABLE, sqlfluffFindings } from '../helpers/sqlfluff';

describe.runIf(SQLFLUFF_AVAILABLE)('sqlfluff with the Redshift dialect', () => {
  it('parses every file in sql/ with no unparsable section and no style finding', () => {
    expect(sqlfluffFindings('sql/')).toEqual([]);
  });

  it('does report an unparsable statement (the check can fail)', () => {
    const dir = tempDir();
    copyFileSync(path.join(PROJECT_ROOT, '.sqlfluff'), path.join(dir, '.sqlfluff'));
    writeFileSync(path.join(dir, 'broken.sql'), 'SELECT FROM WHERE users ORDER;\n');
    expect(sqlfluffFindings('broken.sql', dir).some((finding) => finding.includes(' PRS '))).toBe(true);
  });
});
