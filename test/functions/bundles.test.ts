import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { lambdaEsbuildOptions } from '../../infra/lambda-bundling';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = readdirSync(path.join(ROOT, 'functions')).filter((d) => existsSync(path.join(ROOT, 'functions', d, 'handler.ts'))).sort();

/** The node_modules packages in a Lambda's bundle (metafile inputs), built with the options every Lambda ships with. */
function bundledPackages(functionDir: string): Set<string> {
  const result = buildSync({
    ...lambdaEsbuildOptions(path.join(ROOT, 'functions', functionDir, 'handler.ts')),
    sourcemap: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const packages = Object.keys(result.metafile.inputs)
    .filter((f) => f.includes('node_modules/'))
    .map((f) => f.split('node_modules/').pop()!.split('/'))
    .map((parts) => (parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!));
  return new Set(packages);
}

describe('Lambda bundles', () => {
  test('every function is checked', () => {
    expect(FUNCTIONS).toEqual(expect.arrayContaining(['prewarm', 'reconcile-repository', 'registry-settings', 'validate-rules']));
  });

  // The stack validates the config at synth and hands each Lambda typed JSON, checked by hand at the
  // edge (core/lambda-payload-check.ts); no schema library and no YAML parser travels with the code.
  test.each(FUNCTIONS)('%s bundles neither zod nor yaml', (dir) => {
    const packages = bundledPackages(dir);
    expect({ zod: packages.has('zod'), yaml: packages.has('yaml') }).toEqual({ zod: false, yaml: false });
  });
});
