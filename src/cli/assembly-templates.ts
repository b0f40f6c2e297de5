import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The templates a cloud assembly holds, by stack: `{ stack, file }` with the file's path. */
export function assemblyTemplates(outdir: string): { stack: string; file: string }[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type?: string; displayName?: string; properties?: { templateFile?: string } }>;
  };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile)
    .map(([id, artifact]) => ({ stack: artifact.displayName ?? id, file: path.join(outdir, artifact.properties?.templateFile ?? '') }));
}
