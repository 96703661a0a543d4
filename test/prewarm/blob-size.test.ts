/**
 * A blob is read up to its descriptor's size and no further (issue 12 item 9): a registry that
 * sends more, or declares more, fails the blob after one request, and the connection is closed.
 * Against the in-process fake registry on 127.0.0.1 (an endless body stops at its 256 MiB cap
 * should the client never hang up).
 */
import { BlobSizeError, prewarm } from '../../core/prewarm';
import { RegistryClient } from '../../registry';
import { ENDLESS_CAP, FakeRegistry, APP_REPOSITORY, appTarget } from './fake-registry';

const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
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

/** Waits (at most `ms`) until `done` holds. */
async function until(done: () => boolean, ms = 2000): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('blob bodies longer than their descriptor', () => {
  test('a body that never ends fails the blob at size + 1 bytes, asked for once, and the connection is dropped', async () => {
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64'] });
    const layer = image.manifests[0]!.blobs[1]!;
    r.faults = [{ match: new RegExp(`/blobs/${layer}$`), endless: true, times: 99 }];
    const report = await prewarm([target('1.0')], client);
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        new RegExp(`^blob ${REPO}@${layer}: the body is longer than the 3000 bytes the manifest declares \\(stopped after \\d+\\)$`),
      ),
    });
    expect(r.paths().filter((p) => p.endsWith(layer))).toHaveLength(1);
    await until(() => r.endless[0]?.closed === true);
    expect(r.endless).toHaveLength(1);
    expect(r.endless[0]!.closed).toBe(true);
    // Not read until the fake's cap: the client hung up.
    expect(r.endless[0]!.written).toBeLessThan(ENDLESS_CAP / 4);
  });

  test('a Content-Length larger than the descriptor fails the blob without reading it', async () => {
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64'] });
    const layer = image.manifests[0]!.blobs[2]!;
    r.faults = [{ match: new RegExp(`/blobs/${layer}$`), declaredLength: 999_999, times: 99 }];
    const error = await client.touchBlob(REPO, layer, 3000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobSizeError);
    expect((error as Error).message).toBe(
      `blob ${REPO}@${layer}: the registry declares "999999" bytes (Content-Length), the manifest 3000`,
    );
    expect(r.paths().filter((p) => p.endsWith(layer))).toHaveLength(1);
  });

  test('a Content-Length smaller than the descriptor is refused as well', async () => {
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64'] });
    const layer = image.manifests[0]!.blobs[1]!;
    // The real blob, asked for with a descriptor claiming one byte more.
    const error = await client.touchBlob(REPO, layer, 3001).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`blob ${REPO}@${layer}: the registry declares "3000" bytes (Content-Length), the manifest 3001`);
  });

  test('a body that ends short of the descriptor, without Content-Length, is called cut off (and retried)', async () => {
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64'] });
    const layer = image.manifests[0]!.blobs[1]!;
    r.faults = [{ match: new RegExp(`/blobs/${layer}$`), shortChunked: true, times: 99 }];
    const error = await client.touchBlob(REPO, layer, 3000).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`blob ${REPO}@${layer}: the body was cut off after 1500 of 3000 bytes`);
    expect(r.paths().filter((p) => p.endsWith(layer))).toHaveLength(FAST_RETRY.attempts);
  });
});
