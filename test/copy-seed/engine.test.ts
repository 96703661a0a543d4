/**
 * Seeding pinned digests against real registries on 127.0.0.1 over TLS (test/copy/registries.ts):
 * Debian's docker-registry plays Docker Hub (anonymous, `library/nginx`, `bitnami/redis`) and the
 * ECR-like cache registry (htpasswd Basic, user `AWS`). The seed jobs come from a config with a
 * `docker-hub` rule (the upstream host `registry-1.docker.io` is mapped to the local registry), so
 * `nginx:1.27@<digest>` lands in `docker-hub/library/nginx`. skopeo builds the content and reads
 * both sides: `skopeo inspect --raw` of source and seed must be equal, and every seeded manifest
 * carries its `ptc-seed-<hex>` tag, while no upstream tag is ever written into the cache repository.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../core';
import { seedJobs, type SeedJob } from '../../core/copy/seeds';
import { seedTag } from '../../core/image-ref/seeds';
import { copyImages, RegistrySession, type CopyResult } from '../../engines/copy';
import { seedImages } from '../../engines/copy/seed';
import { OciLayoutWriter, type BuiltImage } from '../prewarm/oci-images';
import { selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import { inspectRaw, pushLayout, skopeo, startRegistry, stopRegistry, type TestRegistry } from '../copy/registries';

const RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 200 };
let cert: TestCertificate;
let work: string;
let hub: TestRegistry;
let cache: TestRegistry;
const built: Record<string, BuiltImage> = {};

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-seed-engine-'));
  [hub, cache] = await Promise.all([
    startRegistry(path.join(work, 'hub'), cert),
    startRegistry(path.join(work, 'cache'), cert, { kind: 'basic' }),
  ]);
  const layout = new OciLayoutWriter(path.join(work, 'layout'));
  built.old = layout.addImage('old', { platforms: ['linux/amd64', 'linux/arm64'], layers: 2 });
  built.now = layout.addImage('now', { platforms: ['linux/amd64', 'linux/arm64'] });
  built.redis = layout.addImage('redis', { platforms: ['linux/amd64'], layers: 2 });
  // nginx:1.27 pointed at "old", then moved to "now": the listed digest is no longer any tag's.
  await pushLayout(hub, layout.dir, 'old', 'library/nginx', hub, '1.27');
  await pushLayout(hub, layout.dir, 'now', 'library/nginx', hub, '1.27');
  await pushLayout(hub, layout.dir, 'redis', 'bitnami/redis', hub, '7.2');
}, 120_000);

afterAll(async () => {
  await Promise.all([stopRegistry(hub), stopRegistry(cache)]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function jobs(seeds: string[]): SeedJob[] {
  const config = parseConfig({
    account: '111122223333',
    region: 'eu-west-2',
    rules: [{ prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' }, seeds }],
  });
  return seedJobs(config);
}

function session(r: TestRegistry, creds?: { username: string; password: string }): RegistrySession {
  return new RegistrySession({ baseUrl: `https://${r.address}`, ca: cert.cert, retry: RETRY, ...(creds ? { credentials: creds } : {}) });
}

/** Runs `run` with the cache as target and the local hub standing in for registry-1.docker.io (the only upstream asked for). */
async function withSessions<T>(run: (options: Parameters<typeof seedImages>[1]) => Promise<T>): Promise<T> {
  const from = session(hub);
  const to = session(cache, { username: cache.user!, password: cache.password! });
  const asked: string[] = [];
  try {
    return await run({
      target: to,
      targetHost: cache.address,
      source: (host) => {
        asked.push(host);
        expect(host).toBe('registry-1.docker.io');
        return from;
      },
      blob: { chunkBytes: 64 * 1024 },
    });
  } finally {
    from.close();
    to.close();
  }
}

const seed = (list: SeedJob[], dryRun = false): Promise<CopyResult[]> =>
  withSessions((options) => seedImages(list, dryRun ? { ...options, dryRun: true } : options));
const cacheRaw = (reference: string) => inspectRaw(cache, reference);
const tagsOf = async (repository: string): Promise<string[]> =>
  (
    JSON.parse(
      await skopeo([
        'list-tags',
        '--tls-verify=false',
        '--creds',
        `${cache.user}:${cache.password}`,
        `docker://${cache.address}/${repository}`,
      ]),
    ) as { Tags: string[] }
  ).Tags.sort();

describe('seeding a digest whose upstream tag has moved into docker-hub/library/nginx', () => {
  test('a dry run reads only: nothing is written, and it says what it would do', async () => {
    const [result] = await seed(jobs([`nginx:1.27@${built.old!.digest}`]), true);
    expect(result).toMatchObject({ status: 'copied', digest: built.old!.digest });
    expect(result!.notes).toContain(`dry run: would tag it ${seedTag(built.old!.digest)}`);
    await expect(cacheRaw(`docker-hub/library/nginx@${built.old!.digest}`)).rejects.toThrow(/manifest unknown|not found|404/i);
  });

  test('copies the listed digest byte for byte, says the tag moved, and tags every manifest ptc-seed-<hex> and nothing else', async () => {
    const [result] = await seed(jobs([`nginx:1.27@${built.old!.digest}`]));
    expect(result).toMatchObject({
      status: 'copied',
      digest: built.old!.digest,
      target: `${cache.address}/docker-hub/library/nginx@${built.old!.digest}`,
    });
    expect(result!.notes).toContain(`upstream tag 1.27 has moved to ${built.now!.digest}; the seed keeps the listed ${built.old!.digest}`);
    expect(result!.notes).toContain(`tagged ${seedTag(built.old!.digest)} (3 seed tags written)`);
    const source = await inspectRaw(hub, `library/nginx@${built.old!.digest}`);
    expect(await cacheRaw(`docker-hub/library/nginx@${built.old!.digest}`)).toBe(source);
    expect(await cacheRaw(`docker-hub/library/nginx:${seedTag(built.old!.digest)}`)).toBe(source);
    for (const m of built.old!.manifests) {
      expect(await cacheRaw(`docker-hub/library/nginx:${seedTag(m.digest)}`)).toBe(await inspectRaw(hub, `library/nginx@${m.digest}`));
    }
    // The cache's own tags (1.27) belong to the pull-through cache: never written.
    expect(await tagsOf('docker-hub/library/nginx')).toEqual(
      [built.old!.digest, ...built.old!.manifests.map((m) => m.digest)].map(seedTag).sort(),
    );
  });

  test('a second run finds the seed and its tags, and sends nothing', async () => {
    const [result] = await seed(jobs([`nginx:1.27@${built.old!.digest}`]));
    expect(result).toMatchObject({ status: 'unchanged', blobs: { sent: 0 }, bytes: 0 });
    expect(result!.notes.some((n) => n.startsWith('tagged'))).toBe(false);
  });
});

describe('a digest the cache already holds untagged', () => {
  test('is only given its seed tag: no blob is sent again', async () => {
    const [pre] = jobs([`bitnami/redis@${built.redis!.digest}`]);
    // As if the pull-through cache had cached it by a tag that has since moved: the digest, no tag.
    const [plain] = await withSessions((options) => copyImages([pre!], options));
    expect(plain).toMatchObject({ status: 'copied', digest: built.redis!.digest });
    await expect(cacheRaw(`docker-hub/bitnami/redis:${seedTag(built.redis!.digest)}`)).rejects.toThrow(/manifest unknown|not found|404/i);
    const [result] = await seed([pre!]);
    expect(result).toMatchObject({ status: 'copied', blobs: { sent: 0 } });
    expect(result!.notes).toContain(`tagged ${seedTag(built.redis!.digest)} (1 seed tag written)`);
    expect(await cacheRaw(`docker-hub/bitnami/redis:${seedTag(built.redis!.digest)}`)).toBe(
      await inspectRaw(hub, `bitnami/redis@${built.redis!.digest}`),
    );
  });
});

describe('a digest the upstream does not have', () => {
  test('fails with the upstream reason and writes nothing', async () => {
    const missing = `sha256:${'e'.repeat(64)}`;
    const [result] = await seed(jobs([`nginx@${missing}`]));
    expect(result).toMatchObject({ status: 'failed' });
    expect(result!.reason).toMatch(/404|manifest unknown/i);
    await expect(cacheRaw(`docker-hub/library/nginx:${seedTag(missing)}`)).rejects.toThrow();
  });
});
