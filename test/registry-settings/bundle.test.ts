/**
 * The registry-settings Lambda's bundle carries no config schema: neither zod nor the YAML parser
 * reaches it (issue 15 asks every bundle to stay within 150 KB; zod alone was 459 KB of this one).
 * Bundled with esbuild's API, the options of the command in docs (node platform, minified, the
 * SDK external as the Lambda runtime provides it).
 */
import { buildSync } from 'esbuild';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

test('the registry-settings handler bundles without zod, yaml or the config schema', () => {
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
  const inputs = Object.keys(out.metafile.inputs);
  expect(inputs.filter((i) => /node_modules\/(zod|yaml)\//.test(i))).toEqual([]);
  expect(inputs.filter((i) => i.startsWith('core/config/') && !i.endsWith('format-path.ts'))).toEqual([]);
  const bytes = out.outputFiles.filter((f) => f.path.endsWith('.js')).reduce((n, f) => n + f.contents.length, 0);
  expect(bytes).toBeLessThan(150 * 1024);
});
