import { CONTEXT_KEYS } from '../../lib/app-config';

/** The app's context keys (but the stack name) that CLIs take as options: sourceBucket → --source-bucket. */
const KEYS = Object.keys(CONTEXT_KEYS).filter((key) => key !== 'stackName') as (keyof typeof CONTEXT_KEYS)[];
const optionName = (key: string) => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** parseArgs option definitions for the app's settings. */
export const CONTEXT_OPTIONS = Object.fromEntries(KEYS.map((key) => [optionName(key), { type: 'string' as const }]));

/** The --help lines for the app's settings. */
export const CONTEXT_OPTIONS_HELP = KEYS.map((key) => `  --${optionName(key)} VALUE`.padEnd(30) + CONTEXT_KEYS[key]).join('\n');

/** The context values (key → value) the parsed options give. */
export function contextFromOptions(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    KEYS.filter((key) => typeof values[optionName(key)] === 'string').map((key) => [key, values[optionName(key)] as string]),
  );
}
