#!/usr/bin/env node
// The `ptc` command. Loads the TypeScript sources through tsx, so the CLI needs no build step.
'use strict';
require('tsx/cjs');
const { run } = require('../cli/main.ts');
run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
