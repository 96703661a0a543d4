/**
 * The `ptc` program: runs the CLI on the process's arguments and exits with its code. The npm
 * package ships this compiled (`dist/cli/ptc.mjs`); a source checkout runs it through tsx (`bin/ptc.js`).
 */
import { run } from './main';

void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
