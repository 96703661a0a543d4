/**
 * `ptc prewarm` against real registries: Debian's docker-registry (CNCF distribution) as the
 * upstream, holding images pushed with skopeo, and a second instance in proxy mode behind htpasswd
 * Basic auth as the pull-through cache (ECR's endpoint takes Basic auth too).
 *
 * Mapping: prewarm asks the cache for `<prefix>/<path>` (the config's rules: `nginx` becomes
 * `docker-hub/library/nginx`), while distribution's proxy mirrors its one upstream without a
 * prefix. So the test pushes each image to the upstream under the cache path it will be asked
 * for (`docker-hub/library/testimg`, `github/org/app`): the proxy then forwards exactly the
 * repository names ECR's cache would create, and the references in the config stay the upstream
 * ones (`testimg:1.0`, `ghcr.io/org/app:v2`).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { MANIFEST_ACCEPT, type PrewarmReport } from '../../core/prewarm';
import { recordingIo } from '../cli/fake-io';
import { blobDigests, OciLayoutWriter, skopeoPush, type BuiltImage } from './oci-images';
import { proxyHasBlob, startRegistries, stopRegistries, stopUpstream, type LocalRegistries } from './registries';

const CONFIG = [
  'account: "111122223333"',
  'region: eu-west-2',
  'rules:',
  '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }',
  '  - { prefix: github, upstream: github-container-registry, credentials: { secretName: ecr-pullthroughcache/github } }',
  'prewarm:',
  '  images: [testimg:1.0, docker.io/library/single:v1, ghcr.io/org/app:v2]',
  '',
].join('\n');
const PLATFORMS = ['linux/amd64', 'linux/arm64'];

let registries: LocalRegistries | undefined;
let work: string;
let configFile: string;
const images: Record<string, { repository: string; tag: string; built: BuiltImage }> = {};

beforeAll(() => {
  registries = startRegistries();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-prewarm-images-'));
  const layout = new OciLayoutWriter(path.join(work, 'layout'));
  const add = (key: string, repository: string, tag: string, platforms: string[], format?: 'v2s2') => {
    const built = layout.addImage(`${key}`, { platforms, layers: 2 });
    skopeoPush(layout.dir, key, `${registries!.upstream}/${repository}:${tag}`, format ? { format } : {});
    images[key] = { repository, tag, built };
  };
  // An index with a platform prewarm must skip (s390x), a Docker v2 single manifest, and a second rule's image.
  add('testimg', 'docker-hub/library/testimg', '1.0', ['linux/amd64', 'linux/arm64', 'linux/s390x']);
  add('single', 'docker-hub/library/single', 'v1', ['linux/amd64'], 'v2s2');
  add('app', 'github/org/app', 'v2', PLATFORMS);
  configFile = path.join(work, 'ptc.yaml');
  writeFileSync(configFile, CONFIG);
});

afterAll(() => {
  stopRegistries(registries);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function prewarmCli(args: string[], password = registries!.password) {
  const io = recordingIo({ stdin: `${password}\n` });
  const code = await run(
    [
      'prewarm',
      '--config',
      configFile,
      '--registry-url',
      registries!.proxy,
      '--insecure-http',
      '--username',
      registries!.user,
      '--password-stdin',
      ...args,
    ],
    io,
  );
  return { code, out: io.out, err: io.err };
}

const basic = () => `Basic ${Buffer.from(`${registries!.user}:${registries!.password}`).toString('base64')}`;
const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** GETs a path from the proxy with Basic auth; returns the status and the body's digest. */
async function fromProxy(pathname: string): Promise<{ status: number; digest?: string; served?: string | null }> {
  const res = await fetch(`http://${registries!.proxy}${pathname}`, { headers: { authorization: basic(), accept: MANIFEST_ACCEPT } });
  const body = Buffer.from(await res.arrayBuffer());
  return res.status === 200
    ? { status: 200, digest: sha256(body), served: res.headers.get('docker-content-digest') }
    : { status: res.status };
}

describe('ptc prewarm through an authenticated pull-through proxy', () => {
  let first: { code: number; out: string; err: string };
  beforeAll(async () => {
    first = await prewarmCli(['--json', '--concurrency', '4']);
  });

  test('exits 0 and reports every listed image ok, with the configured platforms of each index', () => {
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.out) as PrewarmReport;
    expect(report.summary).toEqual({ images: 3, ok: 3, missing: 0, denied: 0, failed: 0 });
    expect(report.results.map((r) => [r.image, r.uri, r.platforms, r.manifests, r.blobs])).toEqual([
      ['testimg:1.0', `${registries!.proxy}/docker-hub/library/testimg:1.0`, PLATFORMS, 3, 6],
      ['docker.io/library/single:v1', `${registries!.proxy}/docker-hub/library/single:v1`, [], 1, 3],
      ['ghcr.io/org/app:v2', `${registries!.proxy}/github/org/app:v2`, PLATFORMS, 3, 6],
    ]);
    expect(report.results[0]!.digest).toBe(images.testimg!.built.digest);
  });

  test('reports an invalid reference, an unknown tag and an uncovered host per image, prewarms the rest, and exits 1', async () => {
    const list = path.join(work, 'more-images.txt');
    writeFileSync(list, '# extra images\nghcr.io/org/app:v2\nghcr.io/org/app:no-such-tag\nnot a reference\nquay.io/org/tool:1\n');
    const { code, out } = await prewarmCli(['--images', list]);
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines.filter((l) => /^(ok|missing|denied|failed) /.test(l)).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'ok testimg:1.0',
      'ok docker.io/library/single:v1',
      'ok ghcr.io/org/app:v2',
      'missing ghcr.io/org/app:no-such-tag',
      'failed not',
      'failed quay.io/org/tool:1',
    ]);
    expect(out).toContain('invalid image reference "not a reference"');
    expect(out).toContain('no pull through cache rule covers "quay.io"');
    expect(out).toMatch(/6 images prewarmed through http:\/\/127\.0\.0\.1:\d+: 3 ok, 1 missing, 0 denied, 2 failed\n$/);
  });

  test('a wrong password is one clear error and exit 1', async () => {
    const { code, out, err } = await prewarmCli([], 'not-the-password');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(`registry http://${registries!.proxy} refused access: it does not accept the credentials given\n`);
  });

  test('an unreachable registry is one clear error and exit 1', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const io = recordingIo();
    const code = await run(['prewarm', '--config', configFile, '--registry-url', `127.0.0.1:${port}`, '--insecure-http'], io);
    expect(code).toBe(1);
    expect(io.err).toBe(`cannot reach registry http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  describe('then, with the upstream stopped', () => {
    beforeAll(async () => {
      // distribution's proxy stores each blob in the background while it streams it; wait until all are on disk.
      const wanted = Object.values(images).flatMap((i) =>
        blobDigests(i.built, i.built.manifests.length > 1 ? PLATFORMS : undefined).map((d) => [i.repository, d] as const),
      );
      const deadline = Date.now() + 30_000;
      while (!wanted.every(([repo, digest]) => proxyHasBlob(registries!, repo, digest)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      stopUpstream(registries!);
      const upstreamGone = await fetch(`http://${registries!.upstream}/v2/`).then(
        () => false,
        () => true,
      );
      expect(upstreamGone).toBe(true);
    });

    test('the proxy serves every manifest and blob of the prewarmed images', async () => {
      for (const { repository, tag, built } of Object.values(images)) {
        const top = await fromProxy(`/v2/${repository}/manifests/${tag}`);
        expect({ repository, status: top.status, same: top.digest === top.served }).toEqual({ repository, status: 200, same: true });
        const warmed = built.manifests.length > 1 ? built.manifests.filter((m) => PLATFORMS.includes(m.platform)) : [];
        for (const m of warmed) {
          expect(await fromProxy(`/v2/${repository}/manifests/${m.digest}`)).toMatchObject({ status: 200, digest: m.digest });
        }
        for (const digest of blobDigests(built, built.manifests.length > 1 ? PLATFORMS : undefined)) {
          expect({ blob: `${repository}@${digest}`, ...(await fromProxy(`/v2/${repository}/blobs/${digest}`)) }).toMatchObject({
            status: 200,
            digest,
          });
        }
      }
    });

    test('the proxy cannot serve the platform prewarm skipped, so the check above would catch a cold cache', async () => {
      const s390x = images.testimg!.built.manifests.find((m) => m.platform === 'linux/s390x')!;
      expect((await fromProxy(`/v2/docker-hub/library/testimg/manifests/${s390x.digest}`)).status).not.toBe(200);
      expect((await fromProxy(`/v2/docker-hub/library/testimg/blobs/${s390x.layerDigests[0]}`)).status).not.toBe(200);
    });
  });
});
