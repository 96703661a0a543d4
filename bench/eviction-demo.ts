/**
 * `npm run demo:evict`: a report-mode `ptc evict` (text and `--json`) and `ptc plan --storage` against a
 * small fake ECR on 127.0.0.1, the run docs/eviction.md shows ("A report-mode run"). The CLI is the real one (bin/ptc.js, spawned) with
 * `AWS_ENDPOINT_URL_ECR` pointing at the fake (the SDK's service-specific endpoint variable) and
 * dummy credentials; nothing leaves the machine. The data set is invented, times relative to now:
 * a multi-arch tag pulled yesterday only through its arm64 child, an index nobody pulled for 100
 * days with its two children and a cosign signature, a protected `latest`, a prewarmed `pause`, an
 * untagged orphan, and a repository outside the managed prefixes (never described).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startFakeEcrServer, type FakeEcrServer } from '../test/reconciler/fake-ecr-server';
import { EvictionFakeRegistry, type FakeRepositoryContents, type GeneratedImage } from './eviction-fake';

const DAY_S = 86_400;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const COSIGN_SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';

/** The demo's config: two managed prefixes, eviction in report mode, `latest` protected, `pause` prewarmed. */
export const DEMO_CONFIG = [
  'account: "111122223333"',
  'region: eu-west-2',
  'rules:',
  '  - { prefix: k8s, upstream: k8s }',
  '  - { prefix: quay, upstream: quay }',
  'prewarm:',
  '  images: [registry.k8s.io/pause:3.10]',
  'repositories:',
  '  eviction:',
  '    unpulledDays: 90',
  '    mode: report',
  '    protect: ["*:latest"]',
  '',
].join('\n');

const digest = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`;

/** The demo's repositories, `nowS` being the current time in epoch seconds. */
export function demoRepositories(nowS: number): Map<string, FakeRepositoryContents> {
  const ago = (days: number) => nowS - days * DAY_S;
  const image = (
    label: string,
    bytes: number,
    pushedDays: number,
    pulledDays?: number,
    more: Partial<GeneratedImage> = {},
  ): GeneratedImage => ({
    imageDigest: digest(label),
    imageSizeInBytes: bytes,
    imagePushedAt: ago(pushedDays),
    ...(pulledDays === undefined ? {} : { lastRecordedPullTime: ago(pulledDays) }),
    imageManifestMediaType: OCI_MANIFEST,
    ...more,
  });
  // An index's imageSizeInBytes is the largest of its manifests (ImageDetail).
  const index = (label: string, tag: string, children: GeneratedImage[], pushedDays: number, pulledDays?: number): GeneratedImage =>
    image(label, Math.max(...children.map((c) => c.imageSizeInBytes)), pushedDays, pulledDays, {
      imageTags: [tag],
      imageManifestMediaType: OCI_INDEX,
    });
  const proxyAmd = image('kube-proxy/amd64', 30_500_000, 200, 120);
  const proxyArm = image('kube-proxy/arm64', 29_800_000, 200, 1);
  const proxy = index('kube-proxy/v1.31.2', 'v1.31.2', [proxyAmd, proxyArm], 200, 120);
  const apiAmd = image('kube-apiserver/amd64', 28_100_000, 300, 100);
  const apiArm = image('kube-apiserver/arm64', 27_400_000, 300);
  const api = index('kube-apiserver/v1.29.0', 'v1.29.0', [apiAmd, apiArm], 300, 100);
  const sig = image('kube-apiserver/sig', 1_400, 300, undefined, { artifactMediaType: COSIGN_SIG, subjectManifestDigest: api.imageDigest });
  const etcd = (label: string, bytes: number, pushed: number, pulled: number | undefined, tags?: string[]) =>
    image(`etcd/${label}`, bytes, pushed, pulled, tags ? { imageTags: tags } : {});
  return new Map<string, FakeRepositoryContents>([
    [
      'k8s/kube-proxy',
      { images: [proxy, proxyAmd, proxyArm], children: new Map([[proxy.imageDigest, [proxyAmd.imageDigest, proxyArm.imageDigest]]]) },
    ],
    [
      'k8s/kube-apiserver',
      { images: [api, apiAmd, apiArm, sig], children: new Map([[api.imageDigest, [apiAmd.imageDigest, apiArm.imageDigest]]]) },
    ],
    ['k8s/pause', { images: [image('pause/3.10', 320_000, 300, 200, { imageTags: ['3.10'] })], children: new Map() }],
    [
      'quay/coreos/etcd',
      {
        images: [
          etcd('latest', 60_000_000, 400, 300, ['latest']),
          etcd('v3.5.17', 58_000_000, 60, 5, ['v3.5.17']),
          etcd('orphan', 57_000_000, 150, undefined),
        ],
        children: new Map(),
      },
    ],
    ['team-a/own-app', { images: [image('own/app', 10_000_000, 500, undefined, { imageTags: ['1.0'] })], children: new Map() }],
  ]);
}

/** The fake ECR serving the demo's repositories on 127.0.0.1. */
export async function startDemoEcr(nowS = Date.now() / 1000): Promise<{ server: FakeEcrServer; registry: EvictionFakeRegistry }> {
  const repos = demoRepositories(nowS);
  const names = [...repos.keys()];
  const registry = new EvictionFakeRegistry(
    names.length,
    (i) => names[i]!,
    (name) => repos.get(name) ?? { images: [], children: new Map() },
  );
  return { server: await startFakeEcrServer(registry), registry };
}

/** Runs `ptc <args> --config <demo config>` against `endpoint`; resolves with its exit code and output. */
export function runDemoCli(endpoint: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-evict-demo-'));
  const config = path.join(dir, 'ptc.yaml');
  writeFileSync(config, DEMO_CONFIG);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  Object.assign(env, {
    AWS_ENDPOINT_URL_ECR: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_CONFIG_FILE: path.join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const bin = path.join(__dirname, '..', 'bin', 'ptc.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args, '--config', config], { env, cwd: dir, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

if (require.main === module) {
  void (async () => {
    const { server, registry } = await startDemoEcr();
    try {
      for (const args of [['evict'], ['evict', '--json'], ['plan', '--storage']]) {
        const { code, stdout, stderr } = await runDemoCli(server.endpoint, args);
        // The plan itself is long and offline: only its storage section here.
        const shown = args[0] === 'plan' ? stdout.slice(stdout.indexOf('\nStorage') + 1) : stdout;
        process.stdout.write(`$ ptc ${args.join(' ')} --config ptc.yaml\n${shown}${stderr}(exit ${code})\n\n`);
      }
      process.stdout.write(
        `ECR calls served: ${[...registry.calls].map(([op, n]) => `${op} ${n}`).join(', ')}; deleted: ${registry.deleted.size}\n`,
      );
    } finally {
      await server.close();
    }
  })();
}
