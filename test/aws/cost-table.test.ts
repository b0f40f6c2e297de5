import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { costTable } from '../../src/aws/cost-table';

describe("the README's cost table", () => {
  it('is the one src/aws/redshift-capacity.ts gives (so a price changed there changes it)', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = /<!-- cost:start -->\n([\s\S]*?)\n<!-- cost:end -->/.exec(readme)?.[1];
    expect(section).toBe(costTable());
  });

  it('prices the default cluster at nodes × price × 730 hours, and 60 of 168 hours when paused nights and weekends', () => {
    // By hand: 0.543 × 730 = 396.39; × 60 / 168 = 141.57.
    expect(costTable()).toContain('| cluster: 1 × ra3.large, always on | $0.54 while running | $396.39 |');
    expect(costTable()).toContain('active 7:00-19:00 UTC Monday to Friday | $0.54 while running | $141.57 |');
  });
});
