/**
 * Where the registry credentials may travel (issue 12 item 5): to the registry's origin, and to
 * its token realm over HTTPS; over plain HTTP only to a host allowed for it (`--insecure-http`
 * allows exactly the `--registry-url` host); never along a redirect. Hostile servers on
 * 127.0.0.1 play the registry, the realm and the redirect target, over TLS where the scenario
 * says HTTPS, and record every Authorization header they receive.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { PlainHttpError, RegistryAuthError, RegistryHttpError } from '../../core/prewarm';
import { RegistryClient, type RegistryClientOptions } from '../../registry';
import { recordingIo } from '../cli/fake-io';
import { HostileServer, json, selfSignedCertificate, type TestCertificate } from './hostile-registry';

const CREDENTIALS = { username: 'ptc', password: 'canary-password-5f3a9c' };
const BASIC = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;
const RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

let cert: TestCertificate;
const servers: HostileServer[] = [];
const clients: RegistryClient[] = [];
beforeAll(() => {
  cert = selfSignedCertificate();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function server(
  tls: boolean,
  handler: ConstructorParameters<typeof HostileServer>[0] = (_req, res) => json(res, 404, {}),
): Promise<HostileServer> {
  const s = await new HostileServer(handler, tls ? cert : undefined).start();
  servers.push(s);
  return s;
}

/** A registry that asks for a bearer token from `realm` and accepts the token `good-token`. */
function bearerRegistry(realm: () => string) {
  return (
    req: Parameters<ConstructorParameters<typeof HostileServer>[0]>[0],
    res: Parameters<ConstructorParameters<typeof HostileServer>[0]>[1],
  ) => {
    if (req.headers.authorization === 'Bearer good-token') return json(res, 200, {});
    json(
      res,
      401,
      { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
      { 'www-authenticate': `Bearer realm="${realm()}",service="hostile"` },
    );
  };
}

/** A token service issuing `good-token` to anyone. */
const tokenService = (_req: unknown, res: Parameters<typeof json>[0]) => json(res, 200, { token: 'good-token' });

function client(options: RegistryClientOptions): RegistryClient {
  const c = new RegistryClient({ retry: RETRY, ca: cert.cert, credentials: CREDENTIALS, ...options });
  clients.push(c);
  return c;
}

describe('a token realm', () => {
  test('named over plain HTTP by an HTTPS registry never gets the credentials', async () => {
    const realm = await server(false, tokenService);
    const registry = await server(
      true,
      bearerRegistry(() => `${realm.url}/token`),
    );
    const error = await client({ baseUrl: registry.url })
      .ping()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).toBe(
      `registry ${registry.url} refused access: its token realm "${realm.url}/token" is plain HTTP, which would send the credentials in clear text; no host is allowed plain HTTP (ptc prewarm --insecure-http allows the --registry-url host)`,
    );
    expect(realm.requests).toEqual([]);
  });

  test('over plain HTTP on another host than the allowed registry is refused too', async () => {
    const realm = await server(false, tokenService);
    const registry = await server(
      false,
      bearerRegistry(() => `${realm.url}/token`),
    );
    const error = await client({ baseUrl: registry.url, plainHttpHosts: [registry.host] })
      .ping()
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      `its token realm "${realm.url}/token" is plain HTTP, which would send the credentials in clear text; plain HTTP is allowed to ${registry.host} only`,
    );
    expect(realm.requests).toEqual([]);
  });

  test('over plain HTTP on the allowed registry host itself gets the credentials (a local test registry)', async () => {
    const registry = await server(false, (req, res, self) =>
      req.url?.startsWith('/token') ? tokenService(req, res) : bearerRegistry(() => `${self.url}/token`)(req, res),
    );
    await client({ baseUrl: registry.url, plainHttpHosts: [registry.host] }).ping();
    expect(registry.requests.find((r) => r.url.startsWith('/token'))?.headers.authorization).toBe(BASIC);
  });

  test('over HTTPS on another host gets the credentials, as auth.docker.io does for Docker Hub, and the registry gets the token', async () => {
    const realm = await server(true, tokenService);
    const registry = await server(
      true,
      bearerRegistry(() => `${realm.url}/token`),
    );
    await client({ baseUrl: registry.url }).ping();
    expect(realm.authorizations()).toEqual([BASIC]);
    expect(registry.authorizations()).toEqual([BASIC, 'Bearer good-token']);
  });

  test('that redirects is not followed: the redirect target never sees the credentials', async () => {
    const elsewhere = await server(true, tokenService);
    const realm = await server(true, (_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/token`, 'content-length': 0 });
      res.end();
    });
    const registry = await server(
      true,
      bearerRegistry(() => `${realm.url}/token`),
    );
    const error = await client({ baseUrl: registry.url })
      .ping()
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `registry ${registry.url} refused access: token service ${realm.url}/token answered HTTP 307; redirects are not followed with credentials`,
    );
    expect(elsewhere.requests).toEqual([]);
  });

  test.each([
    ['ftp://127.0.0.1/token', 'is not an http(s) URL'],
    ['https://user:pw@127.0.0.1/token', 'holds a user name or password'],
    ['not a url', 'is not a URL'],
  ])('%j is refused without a request', async (realmUrl, why) => {
    const registry = await server(
      true,
      bearerRegistry(() => realmUrl),
    );
    await expect(client({ baseUrl: registry.url }).ping()).rejects.toThrow(`its token realm "${realmUrl}" ${why}`);
    expect(registry.requests).toHaveLength(1);
  });
});

describe('a hostile WWW-Authenticate header', () => {
  test('longer than the parser reads is one clear error, and no token is asked for', async () => {
    const registry = await server(true, (_req, res) =>
      json(res, 401, {}, { 'www-authenticate': `Bearer realm="https://127.0.0.1:1/token",${' ,'.repeat(4000)}` }),
    );
    const error = await client({ baseUrl: registry.url })
      .ping()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).toBe(
      `registry ${registry.url} refused access: the WWW-Authenticate header is 8041 characters long; at most 4096 are parsed`,
    );
    expect(registry.requests).toHaveLength(1);
  });
});

describe('the registry', () => {
  test('over plain HTTP needs its host allowed, exactly', () => {
    expect(() => new RegistryClient({ baseUrl: 'http://127.0.0.1:5000' })).toThrow(new PlainHttpError('http://127.0.0.1:5000'));
    expect(() => new RegistryClient({ baseUrl: 'http://127.0.0.1:5000', plainHttpHosts: ['127.0.0.1:5001', '127.0.0.1'] })).toThrow(
      PlainHttpError,
    );
    expect(new RegistryClient({ baseUrl: 'http://127.0.0.1:5000', plainHttpHosts: ['127.0.0.1:5000'] }).baseUrl).toBe(
      'http://127.0.0.1:5000',
    );
  });

  test("redirecting a manifest elsewhere is not followed: the target never sees the registry's credentials", async () => {
    const elsewhere = await server(true);
    const registry = await server(true, (_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/v2/app/manifests/1`, 'content-length': 0 });
      res.end();
    });
    const error = await client({ baseUrl: registry.url })
      .getManifest('app', '1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryHttpError);
    expect((error as RegistryHttpError).status).toBe(307);
    expect(elsewhere.requests).toEqual([]);
  });
});

describe('ptc prewarm --insecure-http', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ptc-insecure-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('allows plain HTTP to the --registry-url host only: a plain-HTTP realm elsewhere never gets the password', async () => {
    const realm = await server(false, tokenService);
    const registry = await server(
      false,
      bearerRegistry(() => `${realm.url}/token`),
    );
    const file = path.join(dir, 'ptc.yaml');
    writeFileSync(
      file,
      [
        'account: "111122223333"',
        'region: eu-west-2',
        'rules:',
        '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }',
        'prewarm:',
        '  images: [nginx:1.27]',
        '',
      ].join('\n'),
    );
    const io = recordingIo({ stdin: `${CREDENTIALS.password}\n` });
    const code = await run(
      [
        'prewarm',
        '--config',
        file,
        '--registry-url',
        registry.url,
        '--insecure-http',
        '--username',
        CREDENTIALS.username,
        '--password-stdin',
      ],
      io,
    );
    expect(code).toBe(1);
    expect(io.err).toContain(
      `its token realm "${realm.url}/token" is plain HTTP, which would send the credentials in clear text; plain HTTP is allowed to ${registry.host} only`,
    );
    expect(realm.requests).toEqual([]);
  });
});
