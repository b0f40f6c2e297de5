import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS } from '../../lib/app-config';
import { PROJECT_ROOT } from '../helpers/cli';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

describe('the README', () => {
  it("lists every context key the app reads in its settings table, and no other", () => {
    const table = readme.slice(readme.indexOf('### Settings'), readme.indexOf('### Before and after a deploy'));
    const listed = [...table.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual(Object.keys(CONTEXT_KEYS).sort());
  });
});
