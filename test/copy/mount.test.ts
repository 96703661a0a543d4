/**
 * Cross-repository blob mounting within one run, against Debian's docker-registry (distribution
 * 2.8, which mounts: 201) as the target, behind the fault proxy (test/copy/fault-proxy.ts), which
 * records every request and, for the fallback case, forwards a mount `POST` as a plain upload
 * `POST` so the registry answers 202 with an upload, as ECR does without the BLOB_MOUNTING account
 * setting (https://docs.aws.amazon.com/AmazonECR/latest/userguide/blob-mounting.html).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copyJobs, type CopyJob } from '../../core/copy/jobs';
import { copyImages, RegistrySession, type CopyOptions, type CopyResult } from '../../engines/copy';
import { MOUNT_FELL_BACK_NOTE } from '../../engines/copy/mount';
import { selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import { OciLayoutWriter, type BuiltImage } from '../prewarm/oci-images';
import { FaultProxy, type SeenRequest } from './fault-proxy';
import { inspectRaw, pushLayout, startRegistry, stopRegistry, type TestRegistry } from './registries';

const RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 200 };
let cert: TestCertificate;
let work: string;
let upstream: TestRegistry;
let target: TestRegistry;
let back: FaultProxy;
let image: BuiltImage;
const TAG = 'app';

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-mount-'));
  [upstream, target] = await Promise.all([
    startRegistry(path.join(work, 'upstream'), cert),
    startRegistry(path.join(work, 'target'), cert, { kind: 'basic' }),
  ]);
  const layout = new OciLayoutWriter(path.join(work, 'layout'));
  image = layout.addImage(TAG, { platforms: ['linux/amd64'], layers: 2, layerBytes: 100_000 });
  await pushLayout(upstream, layout.dir, TAG, 'team/app');
  back = await new FaultProxy(target.address, cert).start();
}, 120_000);

afterAll(async () => {
  await Promise.all([back?.stop(), stopRegistry(upstream), stopRegistry(target)]);
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  back.rule = () => undefined;
  back.requests.length = 0;
});

/** The image, copied into each of `repositories` (one job each), through the proxy in front of the target. */
async function copyInto(repositories: string[], options: Partial<CopyOptions> = {}): Promise<CopyResult[]> {
  const { jobs } = copyJobs({
    copies: [{ prefix: 'cp', upstream: upstream.address, images: [`${upstream.address}/team/app:${TAG}`], schedule: 'rate(1 day)' }],
  });
  const all: CopyJob[] = repositories.map((targetRepository) => ({ ...jobs[0]!, targetRepository }));
  const source = new RegistrySession({ baseUrl: `https://${upstream.address}`, ca: cert.cert, retry: RETRY });
  const to = new RegistrySession({
    baseUrl: `https://${back.address}`,
    ca: cert.cert,
    retry: RETRY,
    credentials: { username: target.user!, password: target.password! },
  });
  try {
    return await copyImages(all, { target: to, targetHost: target.address, source: () => source, concurrency: 1, ...options });
  } finally {
    source.close();
    to.close();
  }
}

const blobCount = () => 1 + image.manifests[0]!.layerDigests.length;
const mounts = (): SeenRequest[] => back.requests.filter((r) => r.method === 'POST' && r.path.includes('mount='));
/** Requests that carry a blob's bytes into `repository`: PATCHes, and PUTs with the whole blob. */
const sendsInto = (repository: string) =>
  back.requests.filter(
    (r) =>
      (r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('digest='))) && r.path.startsWith(`/v2/${repository}/blobs/uploads/`),
  ).length;

test('a blob this run pushed into one copy repository is mounted into the next (201), not sent again', async () => {
  const [first, second] = await copyInto(['ma/team/app', 'mb/team/app']);
  expect(first).toMatchObject({ status: 'copied', blobs: { sent: blobCount(), present: 0 } });
  expect(second).toMatchObject({ status: 'copied', digest: image.digest, blobs: { sent: 0, present: 0, mounted: blobCount() } });
  expect(second!.bytes).toBe(0);
  expect(mounts().map((r) => [r.status, new URL(r.path, 'https://x').searchParams.get('from')])).toEqual(
    Array.from({ length: blobCount() }, () => [201, 'ma/team/app']),
  );
  expect(sendsInto('mb/team/app')).toBe(0);
  expect(await inspectRaw(target, `mb/team/app:${TAG}`)).toBe(await inspectRaw(upstream, `team/app:${TAG}`));
});

test('two images that need the same blobs at once: each blob is sent once and mounted into the other repository', async () => {
  const results = await copyInto(['mc/team/app', 'md/team/app'], { concurrency: 2 });
  expect(results.map((r) => r.status)).toEqual(['copied', 'copied']);
  expect(results.map((r) => r.blobs.sent + (r.blobs.mounted ?? 0))).toEqual([blobCount(), blobCount()]);
  expect(results.reduce((n, r) => n + r.blobs.sent, 0)).toBe(blobCount());
  expect(mounts()).toHaveLength(blobCount());
  expect(await inspectRaw(target, `md/team/app:${TAG}`)).toBe(await inspectRaw(upstream, `team/app:${TAG}`));
});

test('a registry that answers the mount with a normal upload (202): the engine sends the bytes into that upload', async () => {
  // The proxy forwards the mount POST without its query: distribution then starts a plain upload (202 + Location).
  back.rule = (r) => (r.method === 'POST' && r.path.includes('mount=') ? { kind: 'rewrite', path: r.path.split('?')[0]! } : undefined);
  const [, second] = await copyInto(['me/team/app', 'mf/team/app']);
  expect(second).toMatchObject({ status: 'copied', digest: image.digest, blobs: { sent: blobCount(), present: 0 } });
  expect(second!.notes).toEqual([MOUNT_FELL_BACK_NOTE]);
  expect(mounts().map((r) => r.status)).toEqual(Array.from({ length: blobCount() }, () => 202));
  // No second POST: the upload the mount started is the one used.
  expect(back.count('POST', /^\/v2\/mf\/team\/app\/blobs\/uploads\/$/)).toBe(0);
  expect(sendsInto('mf/team/app')).toBe(blobCount());
  expect(await inspectRaw(target, `mf/team/app:${TAG}`)).toBe(await inspectRaw(upstream, `team/app:${TAG}`));
});

test('mount: false uploads every blob into every repository', async () => {
  const [, second] = await copyInto(['mg/team/app', 'mh/team/app'], { mount: false });
  expect(second).toMatchObject({ status: 'copied', blobs: { sent: blobCount(), present: 0 } });
  expect(mounts()).toEqual([]);
});

test('a repository mountFrom refuses (a pull-through-cache repository) never lends a blob', async () => {
  const results = await copyInto(['docker-hub/team/app', 'mi/team/app'], { mountFrom: (r) => !r.startsWith('docker-hub/') });
  expect(results.map((r) => [r.status, r.blobs.sent])).toEqual([
    ['copied', blobCount()],
    ['copied', blobCount()],
  ]);
  expect(mounts()).toEqual([]);
});
