import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

/**
 * The package as another CDK app gets it: built (`npm run build`), packed (`npm pack`),
 * unpacked into a consumer project's node_modules beside the dependencies it would have
 * installed, and used by the README's example, which is type-checked against the package
 * and synthesized from a working directory that is neither project.
 */

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Use it in your own CDK app'));
const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';

let consumer = '';
let outdir = '';

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  const packs = tempDir();
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', packs], { cwd: PROJECT_ROOT, encoding: 'utf8' })) as [
    { filename: string },
  ];
  consumer = tempDir('sparkify-consumer-');
  const modules = path.join(consumer, 'node_modules');
  mkdirSync(path.join(modules, 'sparkify-warehouse'), { recursive: true });
  execFileSync('tar', ['-xzf', path.join(packs, filename), '--strip-components=1', '-C', path.join(modules, 'sparkify-warehouse')]);
  // What `npm install` would have put beside it: the same dependencies, linked.
  for (const entry of readdirSync(path.join(PROJECT_ROOT, 'node_modules'))) {
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules', entry), path.join(modules, entry));
  }
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  writeFileSync(path.join(consumer, 'app.ts'), example);
  outdir = tempDir();
}, 180_000);

describe('the package, installed in another CDK app', () => {
  it('ships the built constructs, the handlers and sql/, and nothing of the repository’s tests or tools', () => {
    const shipped = path.join(consumer, 'node_modules', 'sparkify-warehouse');
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: shipped, encoding: 'utf8' }).split('\n');
    for (const file of ['./dist/lib/index.js', './dist/lib/index.d.ts', './dist/lambda/etl-handler.js', './dist/lambda/scheduled-handler.js', './dist/sql/01_drop.sql']) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => /^\.\/(test|scripts|src|lib|lambda)\//.test(file))).toEqual([]);
  });

  it('type-checks the README example against the package’s declarations', () => {
    expect(example).toContain("from 'sparkify-warehouse'");
    const program = ts.createProgram([path.join(consumer, 'app.ts')], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: ['node'],
      // The example's types, not aws-cdk-lib's own declarations, are what is checked.
      skipLibCheck: true,
    });
    const errors = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(errors).toEqual([]);
  });

  it('synthesizes the README example from another working directory, bundling the handlers and sql/ from the package', () => {
    const js = ts.transpileModule(example, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(path.join(consumer, 'app.js'), js);
    // A folder with no package.json or lock file above it that NodejsFunction could find.
    const elsewhere = tempDir('sparkify-elsewhere-');
    execFileSync(process.execPath, [path.join(consumer, 'app.js')], { cwd: elsewhere, env: { ...process.env, CDK_OUTDIR: outdir }, stdio: 'pipe' });
    const template = JSON.parse(readFileSync(path.join(outdir, 'Analytics.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
    };
    const resources = Object.values(template.Resources);
    expect(resources.filter((resource) => resource.Type === 'Custom::SparkifyLoad')).toHaveLength(1);
    expect(resources.filter((resource) => resource.Type === 'AWS::RedshiftServerless::Workgroup')).toHaveLength(1);
    const jobPolicy = resources.find((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes('ReportingJob'));
    expect(JSON.stringify(jobPolicy?.Properties.PolicyDocument)).toContain('redshift-data:ExecuteStatement');
    // Each of the package's functions (onEvent, isComplete, the scheduled load); its bundle is in the cloud assembly as asset.<hash of its S3 key>/.
    const bundles = resources
      .filter((resource) => JSON.stringify(resource.Properties.Environment ?? {}).includes('--enable-source-maps'))
      .map((resource) => path.join(outdir, `asset.${String((resource.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '')}`));
    expect(bundles).toHaveLength(3);
    for (const bundle of bundles) expect(readFileSync(path.join(bundle, 'index.js'), 'utf8')).toContain('redshift-data');
    const scheduled = bundles.filter((bundle) => readdirSync(bundle).includes('sql'));
    expect(scheduled).toHaveLength(1);
    for (const file of ['01_drop.sql', 'scheduled/04_copy_events.sql', 'log_json_path.json']) {
      expect(readFileSync(path.join(scheduled[0], 'sql', file), 'utf8')).toBe(readFileSync(path.join(PROJECT_ROOT, 'sql', file), 'utf8'));
    }
  });
});
