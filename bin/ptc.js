#!/usr/bin/env node
// The `ptc` command. In a source checkout (cli/bin.ts is here) it runs the TypeScript sources through
// tsx, so a change needs no build step; the npm package has no sources and runs the compiled CLI.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const source = path.join(__dirname, '..', 'cli', 'bin.ts');
if (existsSync(source)) {
  require('tsx/cjs');
  require(source);
} else {
  import(path.join(__dirname, '..', 'dist', 'cli', 'ptc.mjs')).catch((err) => {
    process.stderr.write(`ptc: cannot load the compiled CLI: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 1;
  });
}
