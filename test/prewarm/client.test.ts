import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../core';
import { planTargets, prewarm, RegistryAuthError, RegistryUnreachableError } from '../../core/prewarm';
import { RegistryClient, type RegistryClientOptions } from '../../registry';
import { FakeRegistry, PASSWORD, TYPES, USER, APP_REPOSITORY, appTarget } from './fake-registry';

// Retries without waiting: the behaviour under test is what is retried, not how long it waits.
const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const CREDENTIALS = { username: USER, password: PASSWORD };
const REPO = APP_REPOSITORY;

const registries: FakeRegistry[] = [];
async function registry(options: ConstructorParameters<typeof FakeRegistry>[0] = {}): Promise<FakeRegistry> {
  const r = await new FakeRegistry(options).start();
  registries.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.stop()));
});

function client(r: FakeRegistry, options: Partial<RegistryClientOptions> = {}): RegistryClient {
  return r.client({ retry: FAST_RETRY, ...options });
}

const target = appTarget;

describe('prewarm through the OCI distribution API', () => {
  test("fetches the index, the configured platforms' manifests and every blob of them, and nothing of other platforms", async () => {
    const r = await registry();
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'] });
    const report = await prewarm([target('1.0')], client(r));
    expect(report.results[0]).toMatchObject({
      status: 'ok',
      platforms: ['linux/amd64', 'linux/arm64'],
      manifests: 3,
      blobs: 6,
      digest: image.digest,
    });
    const wanted = image.manifests.slice(0, 2);
    expect(r.paths().sort()).toEqual(
      [
        '/v2/',
        `/v2/${REPO}/manifests/1.0`,
        ...wanted.map((m) => `/v2/${REPO}/manifests/${m.digest}`),
        ...wanted.flatMap((m) => m.blobs.map((b) => `/v2/${REPO}/blobs/${b}`)),
      ].sort(),
    );
    // A HEAD is not enough: a pull-through proxy may answer it without fetching the blob.
    expect(new Set(r.requests.map((q) => q.method))).toEqual(new Set(['GET']));
  });

  test('asks for OCI index and manifest and Docker manifest list and v2 in every manifest request', async () => {
    const r = await registry();
    r.addImage(REPO, '1.0');
    await prewarm([target('1.0')], client(r));
    const accepts = r.requests.filter((q) => q.path.includes('/manifests/')).map((q) => q.accept?.split(', ').sort());
    expect(accepts).toHaveLength(3);
    for (const a of accepts) expect(a).toEqual([TYPES.dockerList, TYPES.dockerManifest, TYPES.ociIndex, TYPES.ociManifest].sort());
  });

  test('walks a Docker manifest list and Docker v2 manifests', async () => {
    const r = await registry();
    r.addImage(REPO, 'docker', { docker: true });
    const report = await prewarm([target('docker')], client(r));
    expect(report.results[0]).toMatchObject({ status: 'ok', manifests: 3, blobs: 6 });
  });

  test('a single-platform image is one manifest and its blobs', async () => {
    const r = await registry();
    r.addImage(REPO, 'single', { platforms: ['linux/amd64'], layers: 3 });
    const report = await prewarm([target('single')], client(r));
    expect(report.results[0]).toMatchObject({ status: 'ok', platforms: [], manifests: 1, blobs: 4, bytes: expect.any(Number) });
  });

  test('an unknown tag is missing and asked for once, not retried', async () => {
    const r = await registry();
    const report = await prewarm([target('nope')], client(r));
    expect(report.results[0]).toMatchObject({
      status: 'missing',
      reason: expect.stringContaining('HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)'),
    });
    expect(r.paths().filter((p) => p.endsWith('/manifests/nope'))).toHaveLength(1);
  });

  test('a 403 on one image is denied, asked for once, and the other images are still prewarmed', async () => {
    const r = await registry();
    r.addImage(REPO, 'open', { platforms: ['linux/amd64'] });
    r.addImage('docker-hub/library/secret', '1.0', { platforms: ['linux/amd64'] });
    r.faults = [{ match: /\/secret\/manifests\/1\.0$/, status: 403, times: 99 }];
    const report = await prewarm([target('open'), target('1.0', 'docker-hub/library/secret')], client(r));
    expect(report.results.map((x) => [x.repositoryName, x.status, x.reason])).toEqual([
      [REPO, 'ok', undefined],
      ['docker-hub/library/secret', 'denied', 'access denied: manifest docker-hub/library/secret:1.0: HTTP 403 (FAULT: injected 403)'],
    ]);
    expect(report.summary).toEqual({ images: 2, ok: 1, missing: 0, denied: 1, failed: 0 });
    expect(r.paths().filter((p) => p.endsWith('/secret/manifests/1.0'))).toHaveLength(1);
  });

  test('an index without any configured platform is missing, naming what it has', async () => {
    const r = await registry();
    r.addImage(REPO, 'arm', { platforms: ['linux/arm/v7', 'windows/amd64'] });
    const report = await prewarm([target('arm')], client(r), { platforms: ['linux/amd64', 'linux/arm64'] });
    expect(report.results[0]).toMatchObject({
      status: 'missing',
      reason: 'the index has no manifest for linux/amd64, linux/arm64 (it has linux/arm/v7, windows/amd64)',
    });
  });

  test('an index lacking one configured platform is ok and says which one it lacks', async () => {
    const r = await registry();
    r.addImage(REPO, 'amd', { platforms: ['linux/amd64', 'linux/s390x'] });
    const report = await prewarm([target('amd')], client(r));
    expect(report.results[0]).toMatchObject({ status: 'ok', platforms: ['linux/amd64'], absentPlatforms: ['linux/arm64'] });
  });

  test('retries 429 and 503 with backoff until the registry answers', async () => {
    const r = await registry();
    r.addImage(REPO, '1.0');
    r.faults = [
      { match: /\/manifests\/1\.0$/, status: 429, headers: { 'retry-after': '0' }, times: 2 },
      { match: /\/blobs\//, status: 503, times: 1 },
    ];
    const report = await prewarm([target('1.0')], client(r));
    expect(report.results[0]!.status).toBe('ok');
    expect(r.paths().filter((p) => p.endsWith('/manifests/1.0'))).toHaveLength(3);
    expect(r.requests.filter((q) => q.path.includes('/blobs/'))).toHaveLength(7);
  });

  test('gives up after the last attempt and says why', async () => {
    const r = await registry();
    r.addImage(REPO, '1.0');
    r.faults = [{ match: /\/manifests\/1\.0$/, status: 502, times: 99 }];
    const report = await prewarm([target('1.0')], client(r));
    expect(report.results[0]).toMatchObject({ status: 'failed', reason: `manifest ${REPO}:1.0: HTTP 502 (FAULT: injected 502)` });
    expect(r.paths().filter((p) => p.endsWith('/manifests/1.0'))).toHaveLength(FAST_RETRY.attempts);
  });

  test('a body cut off midway is fetched again', async () => {
    const r = await registry();
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64'] });
    const layer = image.manifests[0]!.blobs[1]!;
    r.faults = [{ match: new RegExp(`/blobs/${layer}$`), cutBody: true }];
    const report = await prewarm([target('1.0')], client(r));
    expect(report.results[0]!.status).toBe('ok');
    expect(r.paths().filter((p) => p.endsWith(layer))).toHaveLength(2);
  });

  test('bytes that do not match the digest fail the image after the retries', async () => {
    const r = await registry();
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64'] });
    const layer = image.manifests[0]!.blobs[1]!;
    r.faults = [{ match: new RegExp(`/blobs/${layer}$`), wrongBytes: true, times: 99 }];
    const report = await prewarm([target('1.0')], client(r));
    expect(report.results[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('does not match the digest') });
  });

  test('a redirected blob (ECR sends one to S3) is left there: the redirect target is never asked', async () => {
    const s3 = await registry();
    const r = await registry({ redirectBlobsTo: s3.url });
    r.addImage(REPO, '1.0');
    const report = await prewarm([target('1.0')], client(r));
    expect(report.results[0]).toMatchObject({ status: 'ok', blobs: 6, redirects: 6, bytes: 0 });
    expect(s3.requests).toEqual([]);
  });

  test('a layer shared by two images of one repository is fetched once', async () => {
    const r = await registry();
    const shared = Buffer.alloc(5000, 1);
    r.addImage(REPO, 'a', { platforms: ['linux/amd64'], sharedLayer: shared });
    const b = r.addImage(REPO, 'b', { platforms: ['linux/amd64'], sharedLayer: shared });
    const sharedDigest = b.manifests[0]!.blobs.at(-1)!;
    const report = await prewarm([target('a'), target('b')], client(r));
    expect(report.summary).toMatchObject({ ok: 2 });
    expect(r.paths().filter((p) => p.endsWith(sharedDigest))).toHaveLength(1);
  });

  test('never has more requests in flight than the concurrency', async () => {
    const r = await registry({ delayMs: 5 });
    const targets = Array.from({ length: 12 }, (_, i) => {
      r.addImage(REPO, `t${i}`, { platforms: ['linux/amd64'] });
      return target(`t${i}`);
    });
    const report = await prewarm(targets, client(r, { concurrency: 3 }), { concurrency: 3 });
    expect(report.summary.ok).toBe(12);
    expect(r.maxInFlight).toBeLessThanOrEqual(3);
    expect(r.maxInFlight).toBeGreaterThan(1);
  });

  test('an invalid reference or an uncovered host is reported for that image while the others are prewarmed', async () => {
    const r = await registry();
    r.addImage('docker-hub/library/nginx', '1.27');
    const config = parseConfig({
      account: '111122223333',
      region: 'eu-west-2',
      rules: [{ prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } }],
    });
    const targets = planTargets(['nginx:1.27', 'NGINX:Latest!', 'quay.io/org/tool:1'], { config, registryHost: new URL(r.url).host });
    const report = await prewarm(targets, client(r));
    expect(report.results.map((x) => [x.image, x.status])).toEqual([
      ['nginx:1.27', 'ok'],
      ['NGINX:Latest!', 'failed'],
      ['quay.io/org/tool:1', 'failed'],
    ]);
    expect(report.results[1]!.reason).toMatch(/^invalid image reference "NGINX:Latest!"/);
    expect(report.results[2]!.reason).toBe(
      'no pull through cache rule covers "quay.io"; add a rule for it, or list the image by its cache URI',
    );
  });
});

describe('registry authentication', () => {
  test('sends Basic credentials and prewarms a registry behind Basic auth', async () => {
    const r = await registry({ auth: 'basic' });
    r.addImage(REPO, '1.0');
    const report = await prewarm([target('1.0')], client(r, { credentials: CREDENTIALS }));
    expect(report.results[0]!.status).toBe('ok');
    expect(new Set(r.requests.map((q) => q.authorization))).toEqual(
      new Set([`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`]),
    );
  });

  test('refused Basic credentials are one clear error that does not quote the password', async () => {
    const r = await registry({ auth: 'basic' });
    const c = client(r, { credentials: { username: USER, password: 'wrong-password' } });
    const error = await c.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).toBe(`registry ${r.url} refused access: it does not accept the credentials given`);
    expect((error as Error).message).not.toContain('wrong-password');
    await expect(client(r).ping()).rejects.toThrow(`registry ${r.url} refused access: it needs credentials`);
  });

  test('follows the bearer token challenge: one token per repository, fetched with the credentials, then sent as Bearer', async () => {
    const r = await registry({ auth: 'bearer' });
    r.addImage(REPO, '1.0');
    r.addImage('docker-hub/library/other', '2.0');
    const c = client(r, { credentials: CREDENTIALS });
    const report = await prewarm([target('1.0'), target('2.0', 'docker-hub/library/other')], c);
    expect(report.summary.ok).toBe(2);
    expect(c.authScheme).toBe('bearer');
    expect(r.tokensIssued.map((t) => t.scope).sort()).toEqual(
      [null, `repository:${REPO}:pull`, 'repository:docker-hub/library/other:pull'].sort(),
    );
    const repoRequests = r.requests.filter((q) => q.path.startsWith(`/v2/${REPO}/`));
    const repoToken = r.tokensIssued.find((t) => t.scope === `repository:${REPO}:pull`)!.token;
    expect(repoRequests.every((q) => q.authorization === `Bearer ${repoToken}`)).toBe(true);
    // Tokens stay inside the client.
    expect(JSON.stringify(report)).not.toMatch(/tok-/);
  });

  test('a token service that refuses the credentials is one clear error', async () => {
    const r = await registry({ auth: 'bearer' });
    const error = await client(r, { credentials: { username: USER, password: 'nope' } })
      .ping()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).toBe(
      `registry ${r.url} refused access: token service ${r.url}/token refused the credentials of "${USER}"`,
    );
  });
});

describe('an unreachable registry', () => {
  let closedPort: number;
  beforeAll(async () => {
    const s: Server = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    closedPort = (s.address() as AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  test('is one clear error before any image is tried', async () => {
    const c = new RegistryClient({
      baseUrl: `http://127.0.0.1:${closedPort}`,
      retry: FAST_RETRY,
      plainHttpHosts: [`127.0.0.1:${closedPort}`],
    });
    const seen: string[] = [];
    const error = await prewarm([target('1.0'), target('2.0')], c, { onResult: (x) => seen.push(x.image) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnreachableError);
    expect((error as Error).message).toBe(
      `cannot reach registry http://127.0.0.1:${closedPort}: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    );
    expect(seen).toEqual([]);
  });
});
