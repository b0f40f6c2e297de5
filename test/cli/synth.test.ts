import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemblyTemplates } from '../../src/cli/assembly-templates';
import { tempDir } from '../helpers/fixtures';

describe('npm run synth', () => {
  it("names each stack's template in the cloud assembly, at a path that exists", () => {
    const outdir = tempDir();
    const app = new App({ outdir });
    for (const name of ['First', 'Second']) new CfnResource(new Stack(app, name), 'Topic', { type: 'AWS::SNS::Topic' });
    app.synth();
    const templates = assemblyTemplates(outdir);
    expect(templates.map((template) => template.stack).sort()).toEqual(['First', 'Second']);
    for (const { file } of templates) {
      expect(path.dirname(file)).toBe(outdir);
      expect(existsSync(file), file).toBe(true);
    }
  });
});
