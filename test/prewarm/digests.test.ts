/**
 * Digest verification of every algorithm a manifest or reference may name (issue 12 item 12):
 * sha256 and sha512 are checked as the bytes stream by; any other algorithm fails the image
 * clearly, before a request is made for it. Against the in-process fake registry on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { DigestError, ManifestFormatError, prewarm } from '../../core/prewarm';
import { RegistryClient } from '../../registry';
import { digestOf, FakeRegistry, TYPES, APP_REPOSITORY, appTarget } from './fake-registry';

const FAST_RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };
const REPO = APP_REPOSITORY;
const target = appTarget;

let r: FakeRegistry;
let client: RegistryClient;
beforeEach(async () => {
  r = await new FakeRegistry().start();
  client = r.client({ retry: FAST_RETRY });
});
afterEach(async () => {
  client.close();
  await r.stop();
});

describe('sha512 digests', () => {
  test('sha512 blobs whose bytes match are prewarmed', async () => {
    r.addImage(REPO, '1.0', { platforms: ['linux/amd64'], algorithm: 'sha512' });
    const report = await prewarm([target('1.0')], client);
    expect(report.results[0]).toMatchObject({ status: 'ok', blobs: 3 });
    expect(r.paths().filter((p) => p.includes('/blobs/sha512:'))).toHaveLength(3);
  });

  test('a sha512 blob whose bytes do not match fails the image, as a sha256 one does', async () => {
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64'], algorithm: 'sha512' });
    const layer = image.manifests[0]!.blobs[1]!;
    r.faults = [{ match: new RegExp(`/blobs/${layer}$`), wrongBytes: true, times: 99 }];
    const report = await prewarm([target('1.0')], client);
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        /^blob docker-hub\/library\/app@sha512:[a-f0-9]{128}: the body does not match the digest \(got sha512:[a-f0-9]{128} after 3000 bytes\)$/,
      ),
    });
  });

  test('an @sha512: reference is fetched and checked in sha512', async () => {
    const doc = { schemaVersion: 2, mediaType: TYPES.ociManifest, config: { digest: digestOf(Buffer.from('c')), size: 1 }, layers: [] };
    const digest = r.putManifest(REPO, TYPES.ociManifest, doc, undefined, 'sha512');
    const fetched = await client.getManifest(REPO, digest);
    expect(fetched.digest).toBe(digest);
  });

  test('an @sha512: reference answered with other bytes is refused', async () => {
    const digest = digestOf(Buffer.from('what the reference names'), 'sha512');
    r.manifests.set(`${REPO}@${digest}`, {
      type: TYPES.ociManifest,
      body: Buffer.from(JSON.stringify({ schemaVersion: 2, layers: [], config: {} })),
    });
    const error = await client.getManifest(REPO, digest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestFormatError);
    expect((error as Error).message).toMatch(
      new RegExp(`^manifest ${REPO}@${digest} does not match its digest \\(got sha512:[a-f0-9]{128}\\)$`),
    );
  });
});

describe('digests that cannot be verified', () => {
  function imageWithLayer(digest: string): void {
    const config = r.putBlob(REPO, Buffer.from('{}'));
    r.putManifest(
      REPO,
      TYPES.ociManifest,
      { schemaVersion: 2, mediaType: TYPES.ociManifest, config: { digest: config, size: 2 }, layers: [{ digest, size: 5 }] },
      'odd',
    );
  }

  test('a layer of an unknown algorithm fails the image by name, and is never requested', async () => {
    const digest = `blake3:${randomBytes(32).toString('hex')}`;
    imageWithLayer(digest);
    const report = await prewarm([target('odd')], client);
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      reason: `digest "${digest}": algorithm "blake3" cannot be verified (only sha256 and sha512 can)`,
    });
    expect(r.paths().filter((p) => p.includes('blake3'))).toEqual([]);
  });

  test('a sha512 digest of the wrong length is refused before any request', async () => {
    const digest = `sha512:${'a'.repeat(64)}`;
    await expect(client.touchBlob(REPO, digest, 5)).rejects.toThrow(
      new DigestError(digest, '"sha512:" must be followed by 128 lower-case hex digits'),
    );
    await expect(client.getManifest(REPO, `md5:${'0'.repeat(32)}`)).rejects.toThrow(
      `digest "md5:${'0'.repeat(32)}": algorithm "md5" cannot be verified (only sha256 and sha512 can)`,
    );
    expect(r.requests).toEqual([]);
  });
});
