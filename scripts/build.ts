/**
 * `npm run build`: everything the npm package ships, in `dist/`.
 *
 * - the library (`dist/index.js` and type declarations), compiled by `tsc -p tsconfig.build.json`;
 * - the `ptc` command as one JavaScript bundle (`dist/ptc.js`), so running it loads no TypeScript;
 * - every Lambda bundled ahead of time (`dist/lambda/<function>/index.js`) with the options the
 *   stack uses at synth (`infra/lambda-bundling.ts`), so a consumer's `cdk synth` needs no esbuild.
 *
 * Usage: tsx scripts/build.ts (what it built goes to stderr, so `npm pack --json` stays parseable)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { PREBUILT_ENTRY, lambdaEsbuildOptions, prebuiltLambdaDir } from '../infra/lambda-bundling';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

function kb(file: string): string {
  return `${(statSync(file).size / 1024).toFixed(1)} KB`;
}

async function main(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });

  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error('tsc -p tsconfig.build.json failed');
  console.error(`library: ${path.relative(ROOT, path.join(DIST, 'index.js'))} (+ .d.ts)`);

  // ES modules with code splitting: each subcommand is its own chunk, loaded when it runs, so a
  // `ptc resolve` parses none of the AWS SDK that `ptc reconcile` needs.
  const cliDir = path.join(DIST, 'cli');
  await build({
    entryPoints: { ptc: path.join(ROOT, 'cli', 'bin.ts') },
    outdir: cliDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    keepNames: true,
    legalComments: 'none',
    // Bundled CommonJS packages call require(); give them Node's.
    banner: {
      js: "import { createRequire as __ptcCreateRequire } from 'node:module'; const require = __ptcCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const cli = path.join(cliDir, 'ptc.mjs');
  const chunks = readdirSync(cliDir).filter((f) => f.endsWith('.mjs'));
  const total = chunks.reduce((sum, f) => sum + statSync(path.join(cliDir, f)).size, 0);
  console.error(`cli: ${path.relative(ROOT, cli)} ${kb(cli)} (${chunks.length} chunks, ${(total / 1024).toFixed(1)} KB in all)`);

  const functions = readdirSync(path.join(ROOT, 'functions'))
    .filter((d) => existsSync(path.join(ROOT, 'functions', d, 'handler.ts')))
    .sort();
  for (const dir of functions) {
    const outfile = path.join(prebuiltLambdaDir(ROOT, dir), PREBUILT_ENTRY);
    await build({
      ...lambdaEsbuildOptions(path.join(ROOT, 'functions', dir, 'handler.ts')),
      outfile,
      legalComments: 'none',
      logLevel: 'warning',
    });
    console.error(`lambda: ${path.relative(ROOT, outfile)} ${kb(outfile)}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
