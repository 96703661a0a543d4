import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { lambdaEsbuildOptions } from '../../infra/lambda-bundling';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = readdirSync(path.join(ROOT, 'functions'))
  .filter((d) => existsSync(path.join(ROOT, 'functions', d, 'handler.ts')))
  .sort();

/**
 * The node_modules files that contribute bytes to a Lambda's bundle, built with the options every
 * Lambda ships with, as paths below node_modules (`zod/v4/core/schemas.js`).
 */
function bundledFiles(functionDir: string): string[] {
  const result = buildSync({
    ...lambdaEsbuildOptions(path.join(ROOT, 'functions', functionDir, 'handler.ts')),
    sourcemap: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs)
    .flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, i]) => i.bytesInOutput > 0)
        .map(([file]) => file),
    )
    .filter((f) => f.includes('node_modules/'))
    .map((f) => f.split('node_modules/').pop()!);
}

describe('Lambda bundles', () => {
  test('every function is checked', () => {
    expect(FUNCTIONS).toEqual(expect.arrayContaining(['prewarm', 'reconcile-repository', 'registry-settings', 'validate-rules']));
  });

  // The stack validates the config at synth and hands each Lambda typed JSON, checked at the edge by
  // schemas composed from the config schema's pieces (core/lambda-payload-check.ts): zod/mini's
  // tree-shaken core travels with the code, never classic zod or a locale (issue 19).
  test.each(FUNCTIONS)('%s bundles zod/mini only, no classic zod and no locale', (dir) => {
    const zod = bundledFiles(dir).filter((f) => f.startsWith('zod/'));
    expect(zod.filter((f) => !/^zod\/v4\/(core|mini)\//.test(f))).toEqual([]);
  });

  // Prewarm reads YAML image lists with its own reader (core/prewarm/image-list-yaml.ts): the yaml package
  // (113 KB minified) would take its bundle over the 200 KB budget (docs/validation-and-prewarm.md).
  test.each(FUNCTIONS)('%s bundles no yaml parser', (dir) => {
    expect(bundledFiles(dir).filter((f) => f.startsWith('yaml/'))).toEqual([]);
  });
});
