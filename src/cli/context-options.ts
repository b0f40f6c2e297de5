import { CONTEXT_KEYS } from '../../lib/app-config';
import type { OptionSpec } from './options';

/** The app's context keys (but the stack name) that CLIs take as options: sourceBucket → --source-bucket. */
const KEYS = Object.keys(CONTEXT_KEYS).filter((key) => key !== 'stackName') as (keyof typeof CONTEXT_KEYS)[];
const optionName = (key: string) => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** The options for the app's settings, each with its context key's description. */
export const CONTEXT_OPTIONS: Record<string, OptionSpec & { readonly type: 'string' }> = Object.fromEntries(
  KEYS.map((key) => [optionName(key), { type: 'string' as const, help: CONTEXT_KEYS[key] }]),
);

/** The context values (key → value) the parsed options give. */
export function contextFromOptions(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    KEYS.filter((key) => typeof values[optionName(key)] === 'string').map((key) => [key, values[optionName(key)] as string]),
  );
}
