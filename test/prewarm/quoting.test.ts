/**
 * What a reason quotes from a registry is capped and escaped, and each reason says what failed
 * once (issue 12 item 14, the prewarm part). Against the fake registry and a hostile server on
 * 127.0.0.1: a 10,000-entry index, control characters in a media type and a platform, a 16 KB
 * error body, a blob that does not match its digest.
 */
import { MAX_REASON_CHARS, prewarm } from '../../core/prewarm';
import { RegistryClient } from '../../registry';
import { digestOf, FakeRegistry, TYPES, APP_REPOSITORY, appTarget } from './fake-registry';
import { HostileServer } from './hostile-registry';

const REPO = APP_REPOSITORY;
const RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };
const target = appTarget;

let r: FakeRegistry;
let client: RegistryClient;
beforeEach(async () => {
  r = await new FakeRegistry().start();
  client = r.client({ retry: RETRY });
});
afterEach(async () => {
  client.close();
  await r.stop();
});

const index = (entries: unknown[]) => ({ schemaVersion: 2, mediaType: TYPES.ociIndex, manifests: entries });
const entry = (platform: Record<string, string>, i = 0) => ({
  mediaType: TYPES.ociManifest,
  digest: digestOf(Buffer.from(String(i))),
  size: 2,
  platform,
});

describe('reasons quoting a registry', () => {
  test('a 10,000-entry index without a wanted platform names the first eight and counts the rest', async () => {
    r.putManifest(
      REPO,
      TYPES.ociIndex,
      index(Array.from({ length: 10_000 }, (_, i) => entry({ os: 'linux', architecture: 's390x', variant: `v${i}` }, i))),
      'huge',
    );
    const report = await prewarm([target('huge')], client);
    const reason = report.results[0]!.reason!;
    expect(report.results[0]!.status).toBe('missing');
    expect(reason).toBe(
      `the index has no manifest for linux/amd64, linux/arm64 (it has ${Array.from({ length: 8 }, (_, i) => `linux/s390x/v${i}`).join(', ')} and 9992 more)`,
    );
    expect(reason.length).toBeLessThan(MAX_REASON_CHARS);
  });

  test('control characters and length in a media type or platform are escaped and capped', async () => {
    r.putManifest(REPO, 'application/json', { schemaVersion: 2, mediaType: `evil\n\u0000${'x'.repeat(5000)}` }, 'nul');
    r.putManifest(
      REPO,
      TYPES.ociIndex,
      index([entry({ os: 'linux', architecture: 'amd64', variant: `v8\r\n${'y'.repeat(500)}` })]),
      'variant',
    );
    const report = await prewarm([target('nul'), target('variant')], client);
    const [nul, variant] = report.results;
    expect(nul!.reason).toBe(`unsupported manifest media type "evil\\n\\u0000${'x'.repeat(114)}...(5006 characters)"`);
    expect(variant!.platforms).toEqual([`linux/amd64/v8\\r\\n${'y'.repeat(44)}...(516 characters)`]);
    for (const text of [nul!.reason!, ...variant!.platforms]) expect(text).not.toMatch(/[\u0000-\u001f]/);
  });

  test('a blob that does not match its digest says "blob X" once', async () => {
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64'] });
    const layer = image.manifests[0]!.blobs[1]!;
    r.faults = [{ match: new RegExp(`/blobs/${layer}$`), wrongBytes: true, times: 99 }];
    const report = await prewarm([target('1.0')], client);
    expect(report.results[0]!.reason).toMatch(
      new RegExp(`^blob ${REPO}@${layer}: the body does not match the digest \\(got sha256:[a-f0-9]{64} after 3000 bytes\\)$`),
    );
  });
});

describe('a registry error body', () => {
  let hostile: HostileServer;
  afterEach(() => hostile.stop());

  test('of 15 KB on one line with a NUL is capped at 200 characters and escaped', async () => {
    hostile = await new HostileServer((req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200, { 'content-length': 2 }).end('{}');
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<h1>gone\u0000</h1>${'z'.repeat(15 * 1024)}`);
    }).start();
    const c = new RegistryClient({ baseUrl: hostile.url, retry: RETRY, plainHttpHosts: [hostile.host] });
    const report = await prewarm([target('x')], c);
    c.close();
    expect(report.results[0]!.reason).toBe(
      `not found: manifest ${REPO}:x: HTTP 404 (<h1>gone\\u0000</h1>${'z'.repeat(186)}...(15374 characters))`,
    );
  });
});
