import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CDK synthesis bundles the Lambda with esbuild and PGlite boots a WASM Postgres:
    // both take seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every temporary folder of the run lives in one the run removes at its end.
    globalSetup: ['test/global-setup.ts'],
  },
});
