#!/usr/bin/env node
// The `sparkify-local` command: runs the TypeScript CLI through tsx, straight from a clone.
require('tsx/cjs');
require('../src/cli/local.ts');
