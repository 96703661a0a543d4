/**
 * The copy engine when things go wrong, against real docker-registry instances over TLS with a
 * fault proxy (test/copy/fault-proxy.ts) in front: an upstream that cuts a body, sends wrong bytes,
 * answers 429 with Retry-After, or disappears halfway; a target that refuses a part. In every
 * failure nothing is tagged (so no tag points at a missing blob), what was copied stays, and the
 * next run resumes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copyJobs, type CopyJob } from '../../core/copy/jobs';
import { copyImages, RegistrySession, targetHasBlob, type CopyResult } from '../../engines/copy';
import { selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import { OciLayoutWriter, type BuiltImage } from '../prewarm/oci-images';
import { FaultProxy } from './fault-proxy';
import { digestOf, inspectRaw, pushLayout, startRegistry, stopRegistry, type TestRegistry } from './registries';

const RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 1500 };
let cert: TestCertificate;
let work: string;
let upstream: TestRegistry;
let target: TestRegistry;
let front: FaultProxy;
let back: FaultProxy;
let image: BuiltImage;
let layers: string[];
const TAG = 'img';

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-faults-'));
  [upstream, target] = await Promise.all([
    startRegistry(path.join(work, 'upstream'), cert),
    startRegistry(path.join(work, 'target'), cert, { kind: 'basic' }),
  ]);
  const layout = new OciLayoutWriter(path.join(work, 'layout'));
  image = layout.addImage(TAG, { platforms: ['linux/amd64'], layers: 3, layerBytes: 200_000 });
  layers = image.manifests[0]!.layerDigests;
  await pushLayout(upstream, layout.dir, TAG, 'team/app');
  front = await new FaultProxy(upstream.address, cert).start();
  back = await new FaultProxy(target.address, cert).start();
}, 120_000);

afterAll(async () => {
  await Promise.all([front?.stop(), back?.stop(), stopRegistry(upstream), stopRegistry(target)]);
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  front.rule = () => undefined;
  back.rule = () => undefined;
  front.requests.length = 0;
  back.requests.length = 0;
});

const creds = () => ({ username: target.user!, password: target.password! });

/** Copies the image from the upstream (through the front proxy) into `repository` of the target (through the back proxy). */
/**
 * `chunked`: 64 KiB PATCHes; `stream`: one streamed PATCH (no blob is small enough to go whole);
 * `whole`: each blob read whole and sent in the committing PUT (the default for blobs up to 1 MiB).
 */
type Mode = 'chunked' | 'stream' | 'whole';

async function copyInto(repository: string, mode: Mode = 'chunked'): Promise<CopyResult> {
  const { jobs } = copyJobs({
    copies: [{ prefix: 'cp', upstream: front.address, images: [`${front.address}/team/app:${TAG}`], schedule: 'rate(1 day)' }],
  });
  const job: CopyJob = { ...jobs[0]!, targetRepository: repository };
  const source = new RegistrySession({ baseUrl: `https://${front.address}`, ca: cert.cert, retry: RETRY });
  const to = new RegistrySession({ baseUrl: `https://${back.address}`, ca: cert.cert, retry: RETRY, credentials: creds() });
  try {
    const [result] = await copyImages([job], {
      target: to,
      targetHost: target.address,
      source: () => source,
      blob: {
        chunkBytes: 64 * 1024,
        attempts: 3,
        mode: mode === 'chunked' ? 'chunked' : 'stream',
        ...(mode === 'stream' ? { wholeBytes: 0 } : {}),
      },
    });
    return result!;
  } finally {
    source.close();
    to.close();
  }
}

async function targetHas(repository: string, digest: string): Promise<boolean> {
  const s = new RegistrySession({ baseUrl: `https://${target.address}`, ca: cert.cert, credentials: creds() });
  try {
    return await targetHasBlob(s, repository, digest);
  } finally {
    s.close();
  }
}

const blobGet = (digest: string) => (r: { method: string; path: string }) => r.method === 'GET' && r.path.endsWith(`/blobs/${digest}`);
const noTag = async (repository: string) =>
  expect(inspectRaw(target, `${repository}:${TAG}`)).rejects.toThrow(/manifest unknown|name unknown/);

describe.each(['chunked', 'stream', 'whole'] as const)('uploading %s', (mode) => {
  describe('an upstream that cuts a body', () => {
    test('once: the blob is uploaded again from its start and the copy is the source, byte for byte', async () => {
      let cuts = 0;
      front.rule = (r) => (blobGet(layers[1]!)(r) && cuts++ === 0 ? { kind: 'cut', afterBytes: 70_000 } : undefined);
      const result = await copyInto(`cut-once/app-${mode}`, mode);
      expect(result).toMatchObject({ status: 'copied', digest: image.digest });
      expect(front.requests.filter(blobGet(layers[1]!))).toHaveLength(2);
      expect(await inspectRaw(target, `cut-once/app-${mode}:${TAG}`)).toBe(await inspectRaw(upstream, `team/app:${TAG}`));
    });

    test('every time: the image fails after 3 attempts, nothing is tagged, and the next run resumes with what was copied', async () => {
      front.rule = (r) => (blobGet(layers[1]!)(r) ? { kind: 'cut', afterBytes: 70_000 } : undefined);
      const failed = await copyInto(`cut-always/app-${mode}`, mode);
      expect(failed.status).toBe('failed');
      expect(failed.reason).toMatch(
        new RegExp(`blob team/app@${layers[1]}: the upstream body (was cut off|failed) after \\d+ of \\d+ bytes.* \\(3 attempts\\)`),
      );
      await noTag(`cut-always/app-${mode}`);
      expect(await targetHas(`cut-always/app-${mode}`, layers[1]!)).toBe(false);
      front.rule = () => undefined;
      const resumed = await copyInto(`cut-always/app-${mode}`, mode);
      expect(resumed).toMatchObject({ status: 'copied', digest: image.digest });
      expect(resumed.blobs.present).toBeGreaterThanOrEqual(1);
      expect(resumed.blobs.sent + resumed.blobs.present).toBe(4);
    });
  });

  describe('an upstream that sends wrong bytes for a digest', () => {
    test('fails the image; the target has no blob under that digest and no tag', async () => {
      front.rule = (r) => (blobGet(layers[0]!)(r) ? { kind: 'corrupt' } : undefined);
      const result = await copyInto(`wrong/app-${mode}`, mode);
      expect(result.status).toBe('failed');
      expect(result.reason).toMatch(
        new RegExp(
          `GET blob team/app@${layers[0]}: the upstream sent bytes that hash to sha256:[0-9a-f]{64}, not ${layers[0]}; nothing was committed`,
        ),
      );
      expect(await targetHas(`wrong/app-${mode}`, layers[0]!)).toBe(false);
      await noTag(`wrong/app-${mode}`);
    });
  });

  describe('an upstream that answers 429 with Retry-After', () => {
    test('a few times: waits as asked, then copies', async () => {
      let throttled = 0;
      front.rule = (r) =>
        blobGet(layers[2]!)(r) && throttled++ < 2 ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } } : undefined;
      const result = await copyInto(`throttled/app-${mode}`, mode);
      expect(result).toMatchObject({ status: 'copied', digest: image.digest });
      expect(front.requests.filter(blobGet(layers[2]!))).toHaveLength(3);
    });

    test('for ever: gives up after the bounded attempts with the status, and tags nothing', async () => {
      front.rule = (r) => (blobGet(layers[2]!)(r) ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } } : undefined);
      const result = await copyInto(`throttled-always/app-${mode}`, mode);
      expect(result.status).toBe('failed');
      expect(result.reason).toContain(`GET blob team/app@${layers[2]}: HTTP 429 (INJECTED: fault 429)`);
      expect(front.requests.filter(blobGet(layers[2]!))).toHaveLength(RETRY.attempts);
      await noTag(`throttled-always/app-${mode}`);
    });
  });

  describe('an upstream that disappears halfway', () => {
    test('what was copied stays, nothing is tagged, and the next run sends only the rest', async () => {
      let served = 0;
      front.rule = (r) => {
        if (r.path.includes('/blobs/') && r.method === 'GET') served++;
        return served > 1 ? { kind: 'drop' } : undefined;
      };
      const failed = await copyInto(`gone/app-${mode}`, mode);
      expect(failed.status).toBe('failed');
      await noTag(`gone/app-${mode}`);
      const kept = (await Promise.all([image.manifests[0]!.configDigest, ...layers].map((d) => targetHas(`gone/app-${mode}`, d)))).filter(
        Boolean,
      ).length;
      expect(kept).toBe(1);
      front.rule = () => undefined;
      const resumed = await copyInto(`gone/app-${mode}`, mode);
      expect(resumed).toMatchObject({ status: 'copied', blobs: { sent: 3, present: 1 } });
      expect(digestOf(await inspectRaw(target, `gone/app-${mode}:${TAG}`))).toBe(image.digest);
    });
  });
});

describe('a target that refuses a part', () => {
  test("fails the image with the target's answer and tags nothing", async () => {
    let refused = 0;
    back.rule = (r) =>
      r.method === 'PATCH' && r.contentRange?.startsWith('65536-') && refused++ === 0 ? { kind: 'status', status: 416 } : undefined;
    const result = await copyInto('refused/app');
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /PATCH blob refused\/app@sha256:[0-9a-f]{64} bytes 65536-131071: the target answered HTTP 416 \(INJECTED: fault 416\)/,
    );
    await noTag('refused/app');
    expect(back.count('DELETE', /\/blobs\/uploads\//)).toBe(1);
  });

  test('a repository that does not exist (ECR without a CREATE_ON_PUSH template) is named as the reason', async () => {
    back.rule = (r) => (r.method === 'POST' ? { kind: 'status', status: 404 } : undefined);
    const result = await copyInto('missing/app', 'stream');
    expect(result.status).toBe('failed');
    expect(result.reason).toBe(
      'POST blob upload to missing/app: the target answered HTTP 404 (INJECTED: fault 404; the repository does not exist: create it, or a creation template applied to CREATE_ON_PUSH for its prefix)',
    );
    await noTag('missing/app');
  });
});
