#!/usr/bin/env node
// The `ptc` command. Loads the TypeScript sources through tsx, so the CLI needs no build step.
'use strict';
// The AWS SDK warns on every run under Node 20 (which `engines` supports) with nine lines before
// our one; this is its documented opt-out (https://github.com/aws/aws-sdk-js-v3/issues/7983).
// An explicit value the user set is kept.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
const { run } = require('../cli/main.ts');
run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
