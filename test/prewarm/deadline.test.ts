/**
 * Every request attempt has an overall deadline that a steady drip of bytes does not extend
 * (issue 12 item 8). The fake registry on 127.0.0.1 drips a manifest or a blob one byte every
 * 40 ms, well inside the idle timeout, and the client's deadline is set short.
 */
import { prewarm, RegistryNetworkError } from '../../core/prewarm';
import { RegistryClient, type RegistryClientOptions } from '../../registry';
import { FakeRegistry, APP_REPOSITORY, appTarget } from './fake-registry';
import { HostileServer, json } from './hostile-registry';

const REPO = APP_REPOSITORY;
const RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };
const target = appTarget;

let r: FakeRegistry;
const clients: RegistryClient[] = [];
function client(options: Partial<RegistryClientOptions>): RegistryClient {
  const c = r.client({ retry: RETRY, headersTimeoutMs: 5000, idleTimeoutMs: 5000, ...options });
  clients.push(c);
  return c;
}
beforeEach(async () => {
  r = await new FakeRegistry().start();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await r.stop();
});

describe('the deadline of a request', () => {
  test('a manifest dripped a byte at a time fails at the deadline, each attempt cut off there', async () => {
    r.addImage(REPO, '1.0', { platforms: ['linux/amd64'] });
    r.faults = [{ match: /\/manifests\/1\.0$/, dripMs: 40, times: 99 }];
    const error = await client({ deadlineMs: 300 })
      .getManifest(REPO, '1.0')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryNetworkError);
    expect((error as Error).message).toBe(`manifest ${REPO}:1.0: did not complete within 300 ms (the deadline of one attempt)`);
    expect(r.paths().filter((p) => p.endsWith('/manifests/1.0'))).toHaveLength(RETRY.attempts);
    // The client hung up on each drip long before its end (a manifest here is some 400 bytes).
    expect(r.dripped.map((d) => d.closed)).toEqual([true, true]);
    expect(Math.max(...r.dripped.map((d) => d.sent))).toBeLessThan(50);
  });

  test("a blob's deadline is the request deadline plus its size at the slowest rate allowed", async () => {
    const image = r.addImage(REPO, '1.0', { platforms: ['linux/amd64'] });
    const layer = image.manifests[0]!.blobs[1]!;
    r.faults = [{ match: new RegExp(`/blobs/${layer}$`), dripMs: 40, times: 99 }];
    // 3000 bytes at 10,000 bytes/s: 300 ms more than the 200 ms deadline.
    const report = await prewarm([target('1.0')], client({ deadlineMs: 200, blobMinBytesPerSecond: 10_000 }));
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      reason: `blob ${REPO}@${layer}: did not complete within 500 ms (the deadline of one attempt)`,
    });
  });

  test('a registry answering in time is not cut off by the deadline', async () => {
    r.addImage(REPO, '1.0');
    const report = await prewarm([target('1.0')], client({ deadlineMs: 2000 }));
    expect(report.results[0]!.status).toBe('ok');
  });

  test('a token service dripping its answer fails the sign-in at the deadline', async () => {
    const sent: number[] = [];
    const realm = await new HostileServer((_req, res) => {
      const body = JSON.stringify({ token: 't'.repeat(200) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      let i = 0;
      const timer = setInterval(() => (i < body.length ? res.write(body[i++]!) : res.end()), 40);
      res.on('close', () => {
        clearInterval(timer);
        sent.push(i);
      });
    }).start();
    const registry = await new HostileServer((_req, res) =>
      json(res, 401, {}, { 'www-authenticate': `Bearer realm="${realm.url}/token"` }),
    ).start();
    try {
      const c = client({
        baseUrl: registry.url,
        plainHttpHosts: [registry.host, realm.host],
        deadlineMs: 300,
        credentials: { username: 'u', password: 'p' },
      });
      await expect(c.ping()).rejects.toThrow(
        `registry ${registry.url} refused access: token service ${realm.url}/token cannot be reached (did not complete within 300 ms (the deadline of one attempt))`,
      );
      expect(realm.requests).toHaveLength(1);
    } finally {
      await Promise.all([realm.stop(), registry.stop()]);
    }
    expect(sent[0]).toBeLessThan(50);
  });
});
