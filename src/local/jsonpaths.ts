import * as path from 'node:path';
import { SQL_DIR } from '../sql/sql-files';

/** The JSONPaths file shipped with the project, used when the data folder has none. */
export const PROJECT_JSONPATHS = path.join(SQL_DIR, 'log_json_path.json');

/** One JSONPaths expression as a list of object keys and array indexes to walk. */
export type JsonPath = readonly (string | number)[];

const STEP = /^(?:\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]|\.([A-Za-z_$][\w$]*)|\[(\d+)\])/;

/**
 * Parses a Redshift JSONPaths document (`{"jsonpaths": ["$['key']", "$.a.b", "$['list'][0]"]}`).
 * @throws with the offending expression when the document or an expression is not valid
 */
export function parseJsonPaths(text: string, source: string): JsonPath[] {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`${source}: not valid JSON: ${(error as Error).message}`);
  }
  const expressions = (document as { jsonpaths?: unknown })?.jsonpaths;
  if (!Array.isArray(expressions) || expressions.some((item) => typeof item !== 'string')) {
    throw new Error(`${source}: expected {"jsonpaths": ["$['key']", ...]}`);
  }
  return expressions.map((expression: string) => parseExpression(expression, source));
}

function parseExpression(expression: string, source: string): JsonPath {
  if (!expression.startsWith('$')) {
    throw new Error(`${source}: JSONPaths expression must start with $: ${expression}`);
  }
  const steps: (string | number)[] = [];
  let rest = expression.slice(1);
  while (rest !== '') {
    const match = STEP.exec(rest);
    if (!match) throw new Error(`${source}: cannot read JSONPaths expression ${expression}`);
    const [whole, singleQuoted, doubleQuoted, dotted, index] = match;
    steps.push(index !== undefined ? Number(index) : (singleQuoted ?? doubleQuoted ?? dotted));
    rest = rest.slice(whole.length);
  }
  if (steps.length === 0) throw new Error(`${source}: JSONPaths expression selects nothing: ${expression}`);
  return steps;
}

/** The value at a path in a record, or undefined when any step is missing. */
export function valueAt(record: unknown, path: JsonPath): unknown {
  let current: unknown = record;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}
