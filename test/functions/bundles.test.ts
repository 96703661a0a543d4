import * as path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');

/** The node_modules packages a Lambda's bundle pulls in, bundled as PtcFunction does (AWS SDK external). */
function bundledPackages(functionDir: string): Set<string> {
  const result = buildSync({
    entryPoints: [path.join(ROOT, 'functions', functionDir, 'handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    external: ['@aws-sdk/*'],
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
  // The config arrives as JSON in the environment; the YAML parser (112 KB minified) is for the CLI.
  test.each(['reconcile-repository', 'validate-rules', 'registry-settings'])('%s does not bundle the YAML parser', (dir) => {
    const packages = bundledPackages(dir);
    // registry-settings parses its custom resource properties without zod (issue 15: bundles within 150 KB).
    expect(packages.has('zod')).toBe(dir !== 'registry-settings');
    expect(packages.has('yaml')).toBe(false);
  });
});
