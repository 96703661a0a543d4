/**
 * CLI start-up benchmark (`npm run bench -- cli-startup`): a one-reference `ptc resolve`, three ways,
 * side by side in one run, runs alternating so a busy machine slows each alike:
 * - a bare `node -e 0` (the floor);
 * - the compiled CLI the npm package ships (`dist/cli/ptc.mjs`, built first by scripts/build.ts);
 * - the source checkout's `bin/ptc.js`, which loads the TypeScript sources through tsx (what the
 *   package's `ptc` was before it was compiled).
 * Prints the median and minimum of each and the compiled CLI's ratio to the floor (the goal: within 4x).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CONFIG = path.join(ROOT, 'config', 'example.yaml');

const build = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT, encoding: 'utf8' });
if (build.status !== 0) {
  console.error(`build failed:\n${build.stderr}`);
  process.exit(1);
}

const variants = [
  { name: 'node -e 0', args: ['-e', '0'] },
  {
    name: 'compiled ptc resolve (dist/cli/ptc.mjs)',
    args: [path.join(ROOT, 'dist', 'cli', 'ptc.mjs'), 'resolve', '--config', CONFIG, 'nginx:1.27'],
  },
  { name: 'tsx ptc resolve (bin/ptc.js, sources)', args: [path.join(ROOT, 'bin', 'ptc.js'), 'resolve', '--config', CONFIG, 'nginx:1.27'] },
] as const;

const times: number[][] = variants.map(() => []);
for (let i = 0; i < RUNS; i++) {
  variants.forEach((v, n) => {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [...v.args], { cwd: ROOT, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${v.name} exited ${r.status}: ${r.stderr}`);
    times[n]!.push(ms);
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const min = (xs: number[]) => Math.min(...xs);
console.log(`CLI start-up, ${RUNS} runs each, alternating (ms)`);
variants.forEach((v, n) =>
  console.log(`  ${v.name.padEnd(42)} median ${median(times[n]!).toFixed(0).padStart(5)}   min ${min(times[n]!).toFixed(0).padStart(5)}`),
);
const floor = median(times[0]!);
console.log(
  `  compiled / node -e 0: ${(median(times[1]!) / floor).toFixed(2)}x (goal <= 4x); tsx / node -e 0: ${(median(times[2]!) / floor).toFixed(2)}x`,
);
