/**
 * The npm package as a consumer gets it: `npm pack`, then a fresh directory that installs the tarball
 * with only the peer dependencies and TypeScript (from the npm cache the project's own install filled:
 * `--offline`, so the test reaches no registry), compiles a CDK app with strict tsc, synthesizes it with
 * plain node, and runs the installed `ptc`.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const installed = (pkg: string): string =>
  (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

function sh(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}
function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

let work: string;
let tarball: string;
let consumer: string;
let files: string[];

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ptc-consumer-'));
  // prepack builds dist/ (library, CLI, Lambdas) before packing.
  const packed = JSON.parse(ok(sh('npm', ['pack', '--json', '--pack-destination', work], ROOT), 'npm pack')) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = path.join(work, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path);
  consumer = path.join(work, 'consumer');
  cpSync(path.join(ROOT, 'test', 'fixtures', 'consumer'), consumer, { recursive: true });
  cpSync(path.join(ROOT, 'config', 'example.yaml'), path.join(consumer, 'ptc.yaml'));
  // Everything below the direct installs is pinned to the lock file's versions (scripts/consumer-deps.js,
  // which scripts/test.sh put into npm's cache), so the offline install resolves exactly what is cached.
  const pins = ok(sh(process.execPath, [path.join(ROOT, 'scripts', 'consumer-deps.js')], ROOT), 'consumer-deps')
    .trim()
    .split('\n');
  const direct = ['aws-cdk-lib', 'constructs', 'typescript', '@types/node'];
  const overrides = Object.fromEntries(
    pins.map((p) => [p.slice(0, p.lastIndexOf('@')), p.slice(p.lastIndexOf('@') + 1)]).filter(([name]) => !direct.includes(name!)),
  );
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0', overrides }));
  const peers = direct.map((p) => `${p}@${installed(p)}`);
  const install = sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...peers], consumer);
  if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
    throw new Error(
      `npm's cache lacks a package the consumer needs; run: node scripts/consumer-deps.js | xargs npm cache add\n${install.stderr}`,
    );
  }
  ok(install, 'npm install (consumer)');
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  test('holds the compiled library, CLI and Lambdas, and no tests, fixtures or TypeScript sources', () => {
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'bin/ptc.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/ptc.mjs', 'CHANGELOG.md']),
    );
    for (const fn of ['prewarm', 'reconcile-repository', 'registry-settings', 'validate-rules'])
      expect(files).toContain(`dist/lambda/${fn}/index.js`);
    const offending = files.filter(
      (f) =>
        f.startsWith('test/') ||
        f.startsWith('bench/') ||
        /\.test\./.test(f) ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
        f.includes('fixtures/'),
    );
    expect(offending).toEqual([]);
  });

  test('its type declarations import only the package itself, its dependencies and its peers', () => {
    const dist = path.join(consumer, 'node_modules', 'ptc-autopilot', 'dist');
    const allowed = [manifest.name, ...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)];
    const bare = new Set<string>();
    for (const file of files.filter((f) => f.endsWith('.d.ts'))) {
      const text = readFileSync(path.join(dist, '..', file), 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"]([^'"]+)['"]/g)) if (!m[1]!.startsWith('.')) bare.add(m[1]!);
    }
    const stray = [...bare].filter(
      (spec) => !spec.startsWith('node:') && !allowed.some((dep) => spec === dep || spec.startsWith(`${dep}/`)),
    );
    expect(stray).toEqual([]);
    expect(bare.has('aws-cdk-lib')).toBe(true);
  });

  test('declares aws-cdk-lib and constructs as peers and needs neither a TypeScript loader nor esbuild', () => {
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    for (const dev of ['tsx', 'esbuild', 'jest', 'ts-jest', 'aws-cdk-lib', 'constructs'])
      expect(manifest.dependencies).not.toHaveProperty(dev);
    for (const absent of ['tsx', 'esbuild', 'jest']) expect(existsSync(path.join(consumer, 'node_modules', absent))).toBe(false);
  });

  test("a consumer's strict tsc compiles an app that imports PullThroughCache, loadConfig, parseConfig and targets", () => {
    ok(sh(path.join(consumer, 'node_modules', '.bin', 'tsc'), ['-p', '.'], consumer), 'tsc (consumer)');
    expect(existsSync(path.join(consumer, 'out', 'app.js'))).toBe(true);
  });

  test('plain node synthesizes the consumer app from the prebuilt Lambda code: rules, templates and functions', () => {
    const outdir = path.join(consumer, 'cdk.out');
    ok(sh(process.execPath, ['out/app.js', outdir, 'ptc.yaml'], consumer), 'node out/app.js');
    const stacks = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    expect(stacks).toEqual(['PtcAutopilot-prod-eu.template.json']);
    const template = JSON.parse(readFileSync(path.join(outdir, stacks[0]!), 'utf8')) as {
      Description?: string;
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const byType = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
    expect(
      byType('AWS::ECR::PullThroughCacheRule')
        .map((r) => r.Properties?.EcrRepositoryPrefix)
        .sort(),
    ).toEqual(['docker-hub', 'ecr', 'github', 'k8s', 'quay']);
    expect(byType('AWS::ECR::RepositoryCreationTemplate').length).toBeGreaterThan(0);
    const functions = byType('AWS::Lambda::Function').filter((f) => f.Properties?.Runtime === 'nodejs22.x');
    // The example config needs the reconciler, rule validation, prewarm, and registry-settings: its
    // pullAccounts and pullOrganizations get first-pull statements in the registry policy (issue 14).
    expect(functions.length).toBe(4);
    expect(functions.every((f) => f.Properties?.Handler === 'index.handler')).toBe(true);
    expect(template.Description).toBe(`consumer of ptc-autopilot ${manifest.version}: docker-hub, github, k8s, ecr, quay`);
    // Each function's asset is the package's prebuilt bundle, copied by the CDK as is.
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    const bundles = assets.filter((d) => existsSync(path.join(outdir, d, 'index.js')));
    expect(bundles.length).toBe(4);
    const shipped = ['prewarm', 'reconcile-repository', 'registry-settings', 'validate-rules'].map((fn) =>
      readFileSync(path.join(consumer, 'node_modules', 'ptc-autopilot', 'dist', 'lambda', fn, 'index.js'), 'utf8'),
    );
    const deployed = bundles.map((d) => readFileSync(path.join(outdir, d, 'index.js'), 'utf8'));
    expect(deployed.sort()).toEqual(shipped.sort());
  });

  test('the installed ptc prints the package version and resolves a reference with no TypeScript loader', () => {
    const ptc = path.join(consumer, 'node_modules', '.bin', 'ptc');
    expect(ok(sh(ptc, ['--version'], consumer), 'ptc --version').trim()).toBe(manifest.version);
    expect(ok(sh(ptc, ['resolve', '--config', 'ptc.yaml', 'nginx:1.27'], consumer), 'ptc resolve').trim()).toBe(
      '111122223333.dkr.ecr.eu-west-2.amazonaws.com/docker-hub/library/nginx:1.27',
    );
    // A bad reference still gets one clear line and exit 2, from the compiled CLI.
    const bad = sh(ptc, ['resolve', '--config', 'ptc.yaml', 'Nginx:1.27'], consumer);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
