/**
 * Lambda bundle benchmark (`npm run bench -- bundles`): every `functions/<name>/handler.ts`, bundled
 * the way `PtcFunction` bundles it (`LAMBDA_BUNDLE`: esbuild, CJS, node22, names kept, `@aws-sdk/*` left to the runtime), minified
 * and tree-shaken, beside the same handler bundled without minification or tree-shaking. Prints
 * each bundle's size from the esbuild metafile and its cold load time (a fresh `node` requiring
 * the bundle, median of several), and the ratios, all from one run.
 *
 * Handlers that read settings from the environment at load time get the environment the CDK app
 * gives them (synthesized from config/example.yaml); a handler whose load fails is reported as such.
 *
 * Beside each minified bundle it prints the figures from before the Lambdas stopped re-validating
 * their config with zod (issue 15: "zod is 443 KB of every 500-640 KB bundle; cold load 160-190 ms"),
 * and checks the 200 KB budget (issue 19).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaEsbuildOptions } from '../infra/lambda-bundling';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.tmp', 'bench-bundles');
const LOADS = Number(process.env.BENCH_LOADS ?? 9);
/** Every minified bundle must stay within this (issue 19: 200 KB and 40 ms of its own load). */
const BUDGET_KB = 200;

/**
 * The minified bundles before the change: this benchmark run on a checkout of commit 72b75d9 (zod
 * 459 KB in each, prewarm also yaml 117 KB), BENCH_LOADS=9, back to back with a run of the change,
 * on the shared 2-core build machine. The issue's own figures were 500-640 KB and 160-190 ms.
 */
const BEFORE: Readonly<Record<string, { kb: number; ms: number; own: number }>> = {
  prewarm: { kb: 685.9, ms: 335.9, own: 92.0 },
  'reconcile-repository': { kb: 562.7, ms: 167.0, own: 71.8 },
  'registry-settings': { kb: 551.3, ms: 126.9, own: 57.3 },
  'validate-rules': { kb: 546.7, ms: 171.9, own: 68.8 },
};

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
    const example = loadConfig(path.join(ROOT, 'config', 'example.yaml'));
    // The example leaves eviction off, so its app has no eviction Lambda: the same config with
    // eviction on (report mode) gives that Lambda the environment it would get.
    const withEviction = {
      ...example,
      repositories: { ...example.repositories, eviction: example.repositories.eviction ?? { unpulledDays: 90 } },
    };
    // Nor copies: one entry (a secret and an SSM list) gives the copy-images Lambda its environment.
    const withCopies = {
      ...example,
      copies:
        example.copies.length > 0
          ? example.copies
          : [
              {
                prefix: 'gcr-copies',
                upstream: 'gcr.io',
                credentials: { secretName: 'ptc-copy/gcr' },
                images: ['gcr.io/distroless/static:nonroot'],
                manifest: { ssmParameter: '/ptc/copies/gcr' },
                schedule: 'rate(1 day)',
              },
            ],
    };
    const stacks = [
      ...buildApp(example, { nag: false }).stacks,
      ...buildApp(withEviction, { nag: false }).stacks,
      ...buildApp(withCopies, { nag: false }).stacks,
    ];
    for (const stack of stacks) {
      for (const fn of Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))) {
        const vars = (fn.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
        const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : 'token-resolved-at-deploy']));
        if (typeof env.POWERTOOLS_SERVICE_NAME === 'string' && !envs.has(env.POWERTOOLS_SERVICE_NAME))
          envs.set(env.POWERTOOLS_SERVICE_NAME, env);
      }
    }
  } catch (err) {
    console.log(`  (could not synthesize the example app for function environments: ${(err as Error).message.split('\n')[0]})`);
  }
  return envs;
}

/** Bundles one handler; returns the output size and the largest inputs (from the esbuild metafile). */
async function bundle(entry: string, outfile: string, v: Variant): Promise<{ bytes: number; top: string; externals: string[] }> {
  const result = await build({
    // The options every Lambda ships with (infra/lambda-bundling.ts), but for what the variant varies.
    ...lambdaEsbuildOptions(entry),
    outfile,
    sourcemap: false,
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
  const top = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, b]) => `${k} ${(b / 1024).toFixed(0)}`)
    .join(', ');
  const externals = [
    ...new Set(outputs.flatMap(([, o]) => o.imports.filter((i) => i.external && i.kind === 'require-call').map((i) => i.path))),
  ].sort();
  return { bytes: outputs.reduce((sum, [, o]) => sum + o.bytes, 0), top, externals };
}

/** One cold load in ms: the whole `require`, and the bundle's own part (its externals loaded first). */
interface Load {
  readonly wall: number;
  readonly own: number;
}

/**
 * Times `require` of a bundle in a fresh node, or gives the reason it failed. `wall` is the whole
 * cold load; `own` requires the bundle's externals (the AWS SDK and Node built-ins, which the
 * Lambda runtime provides) first and then times the bundle alone: its own parse and top-level code,
 * a shorter interval that a busy machine disturbs less.
 */
function loadOnce(file: string, externals: readonly string[], env: Record<string, string>): Load | string {
  const run = (script: string) =>
    spawnSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-2', ...env },
      encoding: 'utf8',
    });
  const time = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const whole = run(time);
  if (whole.status !== 0) return (whole.stderr.split('\n').find((l) => /Error/.test(l)) ?? whole.stderr.slice(0, 200)).trim();
  const own = run(`for(const m of ${JSON.stringify(externals)})require(m);${time}`);
  if (own.status !== 0) return (own.stderr.split('\n').find((l) => /Error/.test(l)) ?? own.stderr.slice(0, 200)).trim();
  return { wall: Number(whole.stdout), own: Number(own.stdout) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

void (async () => {
  const dirs = readdirSync(path.join(ROOT, 'functions'))
    .filter((d) => existsSync(path.join(ROOT, 'functions', d, 'handler.ts')))
    .sort();
  if (dirs.length === 0) throw new Error('no functions/*/handler.ts');
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const envs = functionEnvironments();
  console.log(
    `Lambda bundles (esbuild, CJS, node22, @aws-sdk/* external as in PtcFunction); cold load = median of ${LOADS} fresh node processes requiring the bundle`,
  );
  console.log('  load ms: the whole cold require; own ms: the bundle alone, its externals (AWS SDK, Node built-ins) required first');
  console.log(
    `  ${'function'.padEnd(22)} ${'variant'.padEnd(21)} ${'size KB'.padStart(8)} ${'load ms'.padStart(8)} ${'own ms'.padStart(7)}   ${'before: KB'.padStart(9)} ${'load'.padStart(8)} ${'own'.padStart(7)}`,
  );
  const budget: string[] = [];
  for (const dir of dirs) {
    const entry = path.join(ROOT, 'functions', dir, 'handler.ts');
    const env = envs.get(dir) ?? {};
    const built: {
      v: Variant;
      file: string;
      bytes?: number;
      top?: string;
      externals?: string[];
      times: number[];
      own: number[];
      error?: string;
    }[] = [];
    for (const v of VARIANTS) {
      const file = path.join(OUT, dir, `${v.name}.js`);
      try {
        built.push({ v, file, ...(await bundle(entry, file, v)), times: [], own: [] });
      } catch (err) {
        built.push({ v, file, times: [], own: [], error: `build failed: ${(err as Error).message.split('\n')[0]}` });
      }
    }
    // Variants alternate, so a busy machine slows both alike.
    for (let i = 0; i < LOADS; i++) {
      for (const b of built) {
        if (b.error !== undefined || b.bytes === undefined) continue;
        const t = loadOnce(b.file, b.externals ?? [], env);
        if (typeof t === 'string') b.error = `load failed: ${t}`;
        else {
          b.times.push(t.wall);
          b.own.push(t.own);
        }
      }
    }
    for (const b of built) {
      const size = b.bytes === undefined ? '-' : (b.bytes / 1024).toFixed(1);
      const load = b.error ?? median(b.times).toFixed(1);
      const own = b.error !== undefined || b.own.length === 0 ? '-' : median(b.own).toFixed(1);
      const was = BEFORE[dir];
      const before =
        b.v.minify && was ? `   ${was.kb.toFixed(1).padStart(9)} ${was.ms.toFixed(1).padStart(8)} ${was.own.toFixed(1).padStart(7)}` : '';
      console.log(`  ${dir.padEnd(22)} ${b.v.name.padEnd(21)} ${size.padStart(8)} ${load.padStart(8)} ${own.padStart(7)}${before}`);
      if (b.v.minify && b.bytes !== undefined)
        budget.push(`${dir} ${(b.bytes / 1024).toFixed(1)} KB ${b.bytes / 1024 <= BUDGET_KB ? 'ok' : 'OVER'}`);
    }
    const [small, plain] = built;
    if (small?.bytes !== undefined && plain?.bytes !== undefined && small.bytes > 0 && plain.bytes > 0) {
      const loads = small.times.length > 0 && plain.times.length > 0 ? (median(small.times) / median(plain.times)).toFixed(2) : 'n/a';
      console.log(
        `  ${''.padEnd(22)} ratio minified/plain: size ${(small.bytes / plain.bytes).toFixed(2)}, cold load ${loads}; largest inputs (KB): ${small.top}`,
      );
    }
  }
  console.log(`  budget ${BUDGET_KB} KB per minified bundle: ${budget.join(', ')}`);
  process.exit(0);
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
