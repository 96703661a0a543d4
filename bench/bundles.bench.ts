/**
 * Lambda bundle benchmark (`npm run bench -- bundles`): every `functions/<name>/handler.ts`, bundled
 * the way `PtcFunction` bundles it (`LAMBDA_BUNDLE`: esbuild, CJS, node22, names kept, `@aws-sdk/*` left to the runtime), minified
 * and tree-shaken, beside the same handler bundled without minification or tree-shaking. Prints
 * each bundle's size from the esbuild metafile and its cold load time (a fresh `node` requiring
 * the bundle, median of several), and the ratios, all from one run.
 *
 * Handlers that read settings from the environment at load time get the environment the CDK app
 * gives them (synthesized from config/example.yaml); a handler whose load fails is reported as such.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { LAMBDA_BUNDLE } from '../infra/lambda-bundling';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.tmp', 'bench-bundles');
const LOADS = Number(process.env.BENCH_LOADS ?? 9);

interface Variant {
  readonly name: string;
  readonly minify: boolean;
  readonly treeShaking: boolean;
}
const VARIANTS: readonly Variant[] = [
  { name: 'minified+tree-shaken', minify: true, treeShaking: true },
  { name: 'plain', minify: false, treeShaking: false },
];

/** The environment each function gets in the example app, by Powertools service name (= folder). */
function functionEnvironments(): Map<string, Record<string, string>> {
  const envs = new Map<string, Record<string, string>>();
  try {
    // Loaded lazily: a half-written construct elsewhere must not stop the size measurements.
    const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
    const { loadConfig } = require('../core') as typeof import('../core');
    const { buildApp } = require('../infra/build-app') as typeof import('../infra/build-app');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const { stacks } = buildApp(loadConfig(path.join(ROOT, 'config', 'example.yaml')), { nag: false });
    for (const stack of stacks) {
      for (const fn of Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))) {
        const vars = (fn.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
        const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : 'token-resolved-at-deploy']));
        if (typeof env.POWERTOOLS_SERVICE_NAME === 'string') envs.set(env.POWERTOOLS_SERVICE_NAME, env);
      }
    }
  } catch (err) {
    console.log(`  (could not synthesize the example app for function environments: ${(err as Error).message.split('\n')[0]})`);
  }
  return envs;
}

/** Bundles one handler; returns the output size and the largest inputs (from the esbuild metafile). */
async function bundle(entry: string, outfile: string, v: Variant): Promise<{ bytes: number; top: string }> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    // The options every Lambda ships with (infra/lambda-bundling.ts), but for what the variant varies.
    target: LAMBDA_BUNDLE.target,
    format: LAMBDA_BUNDLE.format,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    external: [...LAMBDA_BUNDLE.external],
    keepNames: LAMBDA_BUNDLE.keepNames,
    minify: v.minify,
    treeShaking: v.treeShaking,
    metafile: true,
    logLevel: 'silent',
  });
  const metafile: Metafile = result.metafile;
  const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.js'));
  const byPackage = new Map<string, number>();
  for (const [, output] of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1]! : input.split('/').slice(0, 2).join('/');
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, b]) => `${k} ${(b / 1024).toFixed(0)}`).join(', ');
  return { bytes: outputs.reduce((sum, [, o]) => sum + o.bytes, 0), top };
}

/** Time to `require` a bundle in a fresh node, in ms, or the reason it failed. */
function loadOnce(file: string, env: Record<string, string>): number | string {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-2', ...env }, encoding: 'utf8' });
  if (r.status !== 0) return (r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr.slice(0, 200)).trim();
  return Number(r.stdout);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

void (async () => {
  const dirs = readdirSync(path.join(ROOT, 'functions')).filter((d) => existsSync(path.join(ROOT, 'functions', d, 'handler.ts'))).sort();
  if (dirs.length === 0) throw new Error('no functions/*/handler.ts');
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const envs = functionEnvironments();
  console.log(`Lambda bundles (esbuild, CJS, node22, @aws-sdk/* external as in PtcFunction); cold load = median of ${LOADS} fresh node processes requiring the bundle`);
  console.log('  function                   variant                  size KB   cold load ms');
  for (const dir of dirs) {
    const entry = path.join(ROOT, 'functions', dir, 'handler.ts');
    const env = envs.get(dir) ?? {};
    const built: { v: Variant; file: string; bytes?: number; top?: string; times: number[]; error?: string }[] = [];
    for (const v of VARIANTS) {
      const file = path.join(OUT, dir, `${v.name}.js`);
      try {
        built.push({ v, file, ...(await bundle(entry, file, v)), times: [] });
      } catch (err) {
        built.push({ v, file, times: [], error: `build failed: ${(err as Error).message.split('\n')[0]}` });
      }
    }
    // Variants alternate, so a busy machine slows both alike.
    for (let i = 0; i < LOADS; i++) {
      for (const b of built) {
        if (b.error !== undefined || b.bytes === undefined) continue;
        const t = loadOnce(b.file, env);
        if (typeof t === 'string') b.error = `load failed: ${t}`;
        else b.times.push(t);
      }
    }
    for (const b of built) {
      const size = b.bytes === undefined ? '-' : (b.bytes / 1024).toFixed(1);
      const load = b.error ?? median(b.times).toFixed(1);
      console.log(`  ${dir.padEnd(26)} ${b.v.name.padEnd(22)} ${size.padStart(9)}   ${load.padStart(12)}`);
    }
    const [small, plain] = built;
    if (small?.bytes && plain?.bytes) {
      const loads = small.times.length > 0 && plain.times.length > 0 ? (median(small.times) / median(plain.times)).toFixed(2) : 'n/a';
      console.log(`  ${''.padEnd(26)} ratio minified/plain: size ${(small.bytes / plain.bytes).toFixed(2)}, cold load ${loads}; largest inputs (KB): ${small.top}`);
    }
  }
  process.exit(0);
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
