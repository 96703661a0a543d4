/**
 * The one set of esbuild options every ptc-autopilot Lambda is bundled with, whether at `cdk synth`
 * from a source checkout (through `NodejsFunction`) or ahead of time into the npm package
 * (`scripts/build.ts`, `dist/lambda/<function>/index.js`). Both read this, so the code a consumer's
 * stack deploys is built exactly like the code this repository tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** esbuild settings shared by the synth-time and the ahead-of-time Lambda builds. */
export const LAMBDA_BUNDLE = {
  /** The Lambda runtime's Node.js. */
  target: 'node22',
  /** CommonJS, what `NodejsFunction` emits by default. */
  format: 'cjs',
  /** Prefer packages' ES module builds, so esbuild can tree-shake them. */
  mainFields: ['module', 'main'],
  /** Small bundles. */
  minify: true,
  /** Class and function names survive minification (PtcError uses new.target.name): logs, errorType and DLQ records say `ReconcilerSettingsError`, not `Tt`. */
  keepNames: true,
  /** Stack traces point at the TypeScript sources. */
  sourcemap: true,
  /** The Node.js 22 runtime ships AWS SDK for JavaScript v3; bundles use it. */
  external: ['@aws-sdk/*'],
} as const;

/**
 * esbuild `build()` options for one Lambda entry point with `LAMBDA_BUNDLE`'s settings: what the
 * package build (scripts/build.ts), the bundle benchmark and the bundle-content test all build with.
 * Callers add their own output options (`outfile`, `metafile`, `write`, `logLevel`).
 */
export function lambdaEsbuildOptions(entry: string) {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node' as const,
    target: LAMBDA_BUNDLE.target,
    format: LAMBDA_BUNDLE.format,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    external: [...LAMBDA_BUNDLE.external],
    minify: LAMBDA_BUNDLE.minify,
    keepNames: LAMBDA_BUNDLE.keepNames,
    sourcemap: LAMBDA_BUNDLE.sourcemap,
  };
}

/** The file name of an ahead-of-time Lambda bundle inside its folder; the handler is `index.handler`. */
export const PREBUILT_ENTRY = 'index.js';

/** Where the package keeps the ahead-of-time bundle of `functions/<functionDir>`, below `packageRoot`. */
export function prebuiltLambdaDir(packageRoot: string, functionDir: string): string {
  return path.join(packageRoot, 'dist', 'lambda', functionDir);
}

/**
 * How a Lambda's code is found: from its TypeScript source when this is a source checkout (the
 * repository), otherwise from the bundle built into the package. A source checkout never uses a
 * prebuilt bundle, so a stale `dist/` cannot deploy old code.
 */
export type LambdaCodeSource = { readonly kind: 'source'; readonly entry: string } | { readonly kind: 'prebuilt'; readonly dir: string };

/**
 * Decides where the code of `functions/<functionDir>` comes from, below `packageRoot`.
 * @throws Error naming both places when neither exists (a broken install).
 */
export function lambdaCodeSource(packageRoot: string, functionDir: string): LambdaCodeSource {
  const entry = path.join(packageRoot, 'functions', functionDir, 'handler.ts');
  if (fs.existsSync(entry)) return { kind: 'source', entry };
  const dir = prebuiltLambdaDir(packageRoot, functionDir);
  if (fs.existsSync(path.join(dir, PREBUILT_ENTRY))) return { kind: 'prebuilt', dir };
  throw new Error(
    `ptc-autopilot: no code for the ${functionDir} Lambda: neither ${entry} nor ${path.join(dir, PREBUILT_ENTRY)} exists (reinstall the package)`,
  );
}

/**
 * The package's root folder: the nearest folder above `from` holding a `package.json` named
 * `ptc-autopilot`. Works from the TypeScript sources (`infra/constructs`) and from the compiled
 * library (`dist/infra/constructs`) alike.
 */
export function findPackageRoot(from: string): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'ptc-autopilot') return dir;
      } catch {
        // not a readable manifest: keep looking above
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`ptc-autopilot: no package.json named ptc-autopilot above ${from}`);
    dir = parent;
  }
}
