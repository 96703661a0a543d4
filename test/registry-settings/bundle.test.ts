/**
 * The registry-settings Lambda's bundle carries no config schema and no YAML parser: its custom
 * resource properties are checked with zod/mini, whose tree-shaken core is all of zod that reaches
 * the code (no classic zod, no locale; issue 19). Bundled with esbuild's API, the options of the
 * command in docs (node platform, minified, the SDK external as the Lambda runtime provides it);
 * only inputs that contribute bytes to the output count.
 */
import { buildSync } from 'esbuild';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

test('the registry-settings handler bundles zod/mini only, no yaml and no config schema', () => {
  const out = buildSync({
    entryPoints: [path.join(ROOT, 'functions/registry-settings/handler.ts')],
    bundle: true,
    platform: 'node',
    minify: true,
    external: ['@aws-sdk/*'],
    write: false,
    metafile: true,
    outdir: '/nonexistent-out',
    logLevel: 'silent',
  });
  const inputs = Object.values(out.metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([file]) => file),
  );
  const zod = inputs.filter((i) => /node_modules\/zod\//.test(i));
  expect(zod.length).toBeGreaterThan(0);
  expect(zod.filter((i) => !/node_modules\/zod\/v4\/(core|mini)\//.test(i))).toEqual([]);
  expect(inputs.filter((i) => /node_modules\/yaml\//.test(i))).toEqual([]);
  expect(inputs.filter((i) => i.startsWith('core/config/') && !/(format-path|organizational-unit-path)\.ts$/.test(i))).toEqual([]);
  const bytes = out.outputFiles.filter((f) => f.path.endsWith('.js')).reduce((n, f) => n + f.contents.length, 0);
  expect(bytes).toBeLessThan(150 * 1024);
});
