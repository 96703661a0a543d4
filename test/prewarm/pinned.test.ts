/**
 * Prewarming digest-pinned references through an in-process registry on 127.0.0.1: ECR's
 * pull-through cache fetches from the upstream by tag only (aws/containers-roadmap#2837), so
 * `name:tag@digest` is seeded by its tag and verified against the digest.
 */
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../core';
import { planTargets, prewarm, renderReport } from '../../core/prewarm';
import { FakeRegistry } from './fake-registry';

const FAST_RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };
const config = parseConfig({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] });

let r: FakeRegistry;
beforeEach(async () => {
  r = await new FakeRegistry().start();
});
afterEach(async () => {
  await r.stop();
});

async function warm(image: string) {
  const targets = planTargets([image], { config, registryHost: new URL(r.url).host });
  const report = await prewarm(targets, r.client({ retry: FAST_RETRY }), { platforms: ['linux/amd64'] });
  return { result: report.results[0]!, report };
}

describe('prewarm of name:tag@digest', () => {
  test('fetches it by its tag and accepts it when the tag gives the pinned digest', async () => {
    const image = r.addImage('k8s/pause', '3.9', { platforms: ['linux/amd64', 'linux/arm64'] });
    const { result } = await warm(`registry.k8s.io/pause:3.9@${image.digest}`);
    expect(result).toMatchObject({ status: 'ok', digest: image.digest, platforms: ['linux/amd64'] });
    expect(r.paths()).toContain('/v2/k8s/pause/manifests/3.9');
    expect(r.paths()).not.toContain(`/v2/k8s/pause/manifests/${image.digest}`);
  });

  test("accepts a pin on one platform's manifest and warms that manifest even when its platform was not asked for", async () => {
    const image = r.addImage('k8s/pause', '3.9', { platforms: ['linux/amd64', 'linux/arm64'] });
    const arm = image.manifests.find((m) => m.platform === 'linux/arm64')!;
    const { result } = await warm(`registry.k8s.io/pause:3.9@${arm.digest}`);
    expect(result).toMatchObject({ status: 'ok', platforms: ['linux/amd64', 'linux/arm64'], manifests: 3 });
    for (const blob of arm.blobs) expect(r.paths()).toContain(`/v2/k8s/pause/blobs/${blob}`);
  });

  test('says precisely that the tag moved upstream and the pinned digest cannot come through the cache', async () => {
    const current = r.addImage('k8s/pause', '3.9');
    const pinned = `sha256:${randomBytes(32).toString('hex')}`;
    const { result, report } = await warm(`registry.k8s.io/pause:3.9@${pinned}`);
    expect(result.status).toBe('failed');
    expect(result.reason).toBe(
      `the tag 3.9 now points at ${current.digest} upstream, not at the pinned ${pinned}, and the cache does not hold ${pinned} (HTTP 404): ` +
        `the pinned image cannot come through the cache, which fetches from the upstream by tag only (aws/containers-roadmap#2837); pin ${current.digest}, or push the pinned image into the cache registry`,
    );
    expect(renderReport(report)).toContain(`failed  registry.k8s.io/pause:3.9@${pinned} -> ${new URL(r.url).host}/k8s/pause:3.9@${pinned}`);
  });

  test('warms the pinned digest when the tag moved but the cache still holds it, and says so', async () => {
    const old = r.addImage('k8s/pause', '3.9');
    const current = r.addImage('k8s/pause', '3.9');
    expect(current.digest).not.toBe(old.digest);
    const { result, report } = await warm(`registry.k8s.io/pause:3.9@${old.digest}`);
    expect(result).toMatchObject({ status: 'ok', digest: old.digest });
    expect(result.note).toBe(
      `the tag 3.9 now points at ${current.digest} upstream; the pinned ${old.digest} is still in the cache and was warmed`,
    );
    expect(renderReport(report)).toContain(result.note);
  });

  test('a digest-only reference the cache does not hold is missing, with what to do', async () => {
    const pinned = `sha256:${randomBytes(32).toString('hex')}`;
    const { result } = await warm(`registry.k8s.io/pause@${pinned}`);
    expect(result.status).toBe('missing');
    expect(result.reason).toMatch(
      /a digest-only reference comes through the cache only once cached .* list it as name:tag@digest so prewarm seeds it by its tag$/,
    );
  });
});
