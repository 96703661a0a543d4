/**
 * Mirror mode against the real thing: Debian's containerd 1.6.20 (`ctr content fetch
 * --hosts-dir`, the registry host code the CRI plugin uses with `config_path`) reads the
 * hosts.toml files ptc-autopilot generates and fetches upstream references from a local
 * docker-registry laid out like ECR's pull through cache (`/v2/<prefix>/<upstream path>`, Basic
 * auth). hosts.toml semantics: containerd docs/hosts.md and remotes/docker/config/hosts.go at
 * v1.6.20. Every request stays on 127.0.0.1: the `server` (fallback) is a closed loopback port
 * or a recording server, never the internet.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildMirrorMap, containerdHostsFiles, type HostsFileOptions, type MirrorMap } from '../../core/node-config';
import { OciLayoutWriter, blobDigests, manifestDigests, type BuiltImage } from '../prewarm/oci-images';
import { contentDigests, ctrFetch, startContainerd, stopContainerd, type TestContainerd } from './containerd';
import { ALL_UPSTREAMS_YAML, configOf } from './fixtures';
import { accessLog, freePort, pushImage, startMirrorRegistry, stopMirrorRegistry, type MirrorRegistry } from './mirror-registry';
import { startRecordingUpstream, type RecordingUpstream } from './recording-upstream';

/** Upstream reference -> the cache repository a pull through cache gives it, and its tag. */
const IMAGES = [
  { ref: 'docker.io/library/nginx', repository: 'docker-hub/library/nginx', tag: '1.27', platforms: ['linux/amd64', 'linux/arm64'] },
  { ref: 'docker.io/bitnami/redis', repository: 'docker-hub/bitnami/redis', tag: '7.4', platforms: ['linux/amd64'] },
  { ref: 'ghcr.io/org/app', repository: 'github/org/app', tag: 'v1', platforms: ['linux/amd64', 'linux/arm64'] },
  { ref: 'quay.io/prometheus/node-exporter', repository: 'quay/prometheus/node-exporter', tag: 'v1.8.0', platforms: ['linux/amd64'] },
  { ref: 'registry.k8s.io/pause', repository: 'k8s/pause', tag: '3.9', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] },
  {
    ref: 'public.ecr.aws/eks-distro/kubernetes/pause',
    repository: 'ecr-public/eks-distro/kubernetes/pause',
    tag: '3.9',
    platforms: ['linux/amd64'],
  },
] as const;

let base: string;
let registry: MirrorRegistry | undefined;
let containerd: TestContainerd | undefined;
let upstream: RecordingUpstream | undefined;
let map: MirrorMap;
let closedServer: string;
const built = new Map<string, BuiltImage>();

/** Writes the hosts files of `map` into a new directory and returns it. */
function hostsDir(name: string, options: HostsFileOptions): string {
  const dir = path.join(base, name);
  for (const file of containerdHostsFiles(map, options)) {
    mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    writeFileSync(path.join(dir, file.path), file.content);
  }
  return dir;
}

const credentials = (): string => `${registry!.user}:${registry!.password}`;

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'ptc-mirror-'));
  registry = await startMirrorRegistry(path.join(base, 'registry'));
  containerd = await startContainerd(path.join(base, 'containerd'));
  upstream = await startRecordingUpstream();
  closedServer = `http://127.0.0.1:${await freePort()}`;
  const layout = new OciLayoutWriter(path.join(base, 'layout'));
  for (const image of IMAGES) {
    const tag = `${image.repository.replace(/\//g, '-')}-${image.tag}`;
    built.set(image.ref, layout.addImage(tag, { platforms: image.platforms }));
    pushImage(registry, layout.dir, tag, image.repository);
  }
  // skopeo pushed under the layout tag; give each image its upstream tag too (same digest).
  for (const image of IMAGES) {
    const tag = `${image.repository.replace(/\//g, '-')}-${image.tag}`;
    const res = await fetch(`http://${registry.address}/v2/${image.repository}/manifests/${tag}`, {
      headers: { authorization: `Basic ${Buffer.from(credentials()).toString('base64')}`, accept: built.get(image.ref)!.mediaType },
    });
    const body = Buffer.from(await res.arrayBuffer());
    const put = await fetch(`http://${registry.address}/v2/${image.repository}/manifests/${image.tag}`, {
      method: 'PUT',
      body,
      headers: { authorization: `Basic ${Buffer.from(credentials()).toString('base64')}`, 'content-type': built.get(image.ref)!.mediaType },
    });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`retagging ${image.repository}:${image.tag}: HTTP ${put.status}`);
  }
  map = buildMirrorMap(configOf(ALL_UPSTREAMS_YAML), { scheme: 'http', host: registry.address });
}, 120_000);

afterAll(async () => {
  await stopContainerd(containerd);
  await stopMirrorRegistry(registry);
  await upstream?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('containerd pulls through the generated hosts.toml', () => {
  const noFallback = (): string => hostsDir('hosts-no-fallback', { fallback: false, upstreamServer: () => closedServer });

  test.each(IMAGES.map((i) => [`${i.ref}:${i.tag}`, i] as const))(
    '%s comes from the mirror at its cache path, every platform',
    async (_name, image) => {
      const dir = noFallback();
      const result = await ctrFetch(containerd!, dir, `${image.ref}:${image.tag}`, credentials());
      expect(result).toEqual({ ok: true, output: expect.any(String) });
      const paths = accessLog(registry!)
        .filter((l) => l.status === 200)
        .map((l) => l.path);
      expect(paths).toContainEqual(
        expect.stringMatching(new RegExp(`^/v2/${image.repository}/manifests/${image.tag.replace(/\./g, '\\.')}(\\?|$)`)),
      );
      const image_ = built.get(image.ref)!;
      for (const digest of blobDigests(image_))
        expect(paths).toContainEqual(expect.stringMatching(new RegExp(`^/v2/${image.repository}/blobs/${digest}(\\?|$)`)));
      const stored = contentDigests(containerd!);
      for (const digest of [...manifestDigests(image_), ...blobDigests(image_)]) expect(stored).toContain(digest);
    },
  );

  test.each([
    ['docker.io/library/nginx', 'docker-hub/library/nginx'],
    ['ghcr.io/org/app', 'github/org/app'],
  ])('a digest-pinned %s@sha256 reference comes from the mirror by digest', async (ref, repository) => {
    const digest = built.get(ref)!.digest;
    const result = await ctrFetch(containerd!, noFallback(), `${ref}@${digest}`, credentials());
    expect(result.ok).toBe(true);
    expect(
      accessLog(registry!)
        .filter((l) => l.status === 200)
        .map((l) => l.path),
    ).toContainEqual(expect.stringMatching(new RegExp(`^/v2/${repository}/manifests/${digest}(\\?|$)`)));
  });

  test('a miss with fallback on goes on to the upstream server', async () => {
    const before = upstream!.requests.length;
    const dir = hostsDir('hosts-fallback', { fallback: true, upstreamServer: () => upstream!.url });
    const result = await ctrFetch(containerd!, dir, 'docker.io/library/missing:1', credentials());
    expect(result.ok).toBe(false);
    expect(accessLog(registry!)).toContainEqual(
      expect.objectContaining({ path: expect.stringMatching(/^\/v2\/docker-hub\/library\/missing\/manifests\/1(\?|$)/), status: 404 }),
    );
    expect(upstream!.requests.slice(before).map((r) => r.path)).toContainEqual(
      expect.stringMatching(/^\/v2\/library\/missing\/manifests\/1(\?|$)/),
    );
  });

  test('a miss without fallback fails and never reaches the upstream server', async () => {
    const before = upstream!.requests.length;
    const dir = hostsDir('hosts-no-fallback-recorded', { fallback: false, upstreamServer: () => upstream!.url });
    const result = await ctrFetch(containerd!, dir, 'ghcr.io/org/missing:1', credentials());
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/not found/);
    expect(upstream!.requests.length).toBe(before);
  });

  test('a host no rule covers gets no hosts file, so containerd goes to that host itself', async () => {
    const dir = noFallback();
    const result = await ctrFetch(containerd!, dir, `${closedServer.replace('http://', '')}/some/image:1`, credentials());
    expect(result.ok).toBe(false);
    // containerd tried the reference's own (closed) host, not the mirror.
    expect(result.output).toMatch(new RegExp(`${closedServer.replace('http://', '').replace(/\./g, '\\.')}`));
    expect(accessLog(registry!).map((l) => l.path)).not.toContainEqual(expect.stringMatching(/\/some\/image\//));
  });
});
