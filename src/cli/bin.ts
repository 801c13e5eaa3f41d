#!/usr/bin/env node
// The `fram-import` executable.

import { main } from './main.js';
import { restrictNewFiles } from '../store/data-dir.js';

// Everything this process writes (store, staging, backups, exports) is its user's alone.
restrictNewFiles();

main(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fram-import: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
