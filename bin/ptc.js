#!/usr/bin/env node
// The `ptc` command. In a source checkout (cli/bin.ts is here) it runs the TypeScript sources through
// tsx, so a change needs no build step; the npm package has no sources and runs the compiled CLI.
'use strict';
// The AWS SDK warns on every run under Node 20 (which `engines` supports) with nine lines before
// our one; this is its documented opt-out (https://github.com/aws/aws-sdk-js-v3/issues/7983).
// An explicit value the user set is kept.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { existsSync } = require('node:fs');
const path = require('node:path');

const source = path.join(__dirname, '..', 'cli', 'bin.ts');
const fail = (what) => (err) => {
  process.stderr.write(`ptc: cannot load ${what}: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 1;
};
if (existsSync(source)) {
  // Both of tsx's hooks: commands are loaded with import() (cli/commands/index.ts), which goes
  // through Node's ES module loader.
  require('tsx/cjs');
  import('tsx/esm/api').then(({ register }) => {
    register();
    require(source);
  }, fail('tsx'));
} else {
  import(require('node:url').pathToFileURL(path.join(__dirname, '..', 'dist', 'cli', 'ptc.mjs')).href).catch(fail('the compiled CLI'));
}
