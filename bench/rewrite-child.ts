/**
 * One `ptc rewrite` run in a process of its own, for `rewrite.bench.ts`: runs the CLI on its
 * arguments with the real process streams (standard output goes where the parent points it) and
 * reports, on file descriptor 3, the run's wall time and the process's peak resident set size
 * (`process.resourceUsage().maxRSS`, which counts everything the process held, the input file
 * and the output text included). Not a benchmark of its own (no `.bench.ts`), so `bench/run.ts`
 * does not run it.
 */
import { writeSync } from 'node:fs';
import { run } from '../cli/main';

async function main(): Promise<void> {
  const start = process.hrtime.bigint();
  const code = await run(process.argv.slice(2));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // maxRSS is in kilobytes.
  writeSync(3, `${JSON.stringify({ ms, rssMB: (process.resourceUsage().maxRSS * 1024) / 1e6, code })}\n`);
  process.exitCode = code;
}

void main();
