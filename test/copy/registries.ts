/**
 * The real registries of the copy tests: Debian's `docker-registry` (CNCF distribution 2.8) on
 * 127.0.0.1 over TLS with a throw-away certificate (test/prewarm/hostile-registry.ts makes it with
 * openssl), anonymous or behind htpasswd Basic auth as ECR's endpoint is, or behind a Bearer token
 * realm (distribution's `auth.token`, with the realm served by `startTokenRealm` and tokens signed
 * by the certificate's key). skopeo fills and inspects them.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { freePort } from '../node-config/mirror-registry';
import type { TestCertificate } from '../prewarm/hostile-registry';

const execFileAsync = promisify(execFile);

/** A running registry. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  /** Basic credentials, when the registry has any (htpasswd, or the token realm's). */
  readonly user?: string;
  readonly password?: string;
  readonly dir: string;
  readonly process: ChildProcess;
}

/** How a registry authenticates. */
export type RegistryAuth = { kind: 'none' } | { kind: 'basic' } | { kind: 'token'; realm: string; service: string };

async function waitForTls(port: number, child: ChildProcess, log: string, ca: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${readFileSync(log, 'utf8').slice(0, 500)}`);
    const up = await new Promise<boolean>((resolve) => {
      const req = require('node:https').get({ host: '127.0.0.1', port, path: '/v2/', ca }, (res: { resume(): void }) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not listen on 127.0.0.1:${port} within 20 s`);
}

/** Starts a registry over TLS with its state in `dir`. */
export async function startRegistry(dir: string, cert: TestCertificate, auth: RegistryAuth = { kind: 'none' }): Promise<TestRegistry> {
  mkdirSync(path.join(dir, 'storage'), { recursive: true });
  writeFileSync(path.join(dir, 'cert.pem'), cert.cert);
  writeFileSync(path.join(dir, 'key.pem'), cert.key);
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    '  tls:',
    `    certificate: ${path.join(dir, 'cert.pem')}`,
    `    key: ${path.join(dir, 'key.pem')}`,
  ];
  let user: string | undefined;
  let password: string | undefined;
  if (auth.kind === 'basic') {
    user = 'AWS';
    password = randomBytes(12).toString('hex');
    const htpasswd = spawnSync('htpasswd', ['-Bbn', '-C', '4', user, password], { encoding: 'utf8' });
    if (htpasswd.status !== 0) throw new Error(`htpasswd failed: ${htpasswd.stderr}`);
    writeFileSync(path.join(dir, 'htpasswd'), htpasswd.stdout);
    lines.push('auth:', '  htpasswd:', '    realm: ptc-copy-test', `    path: ${path.join(dir, 'htpasswd')}`);
  } else if (auth.kind === 'token') {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${auth.realm}`,
      `    service: ${auth.service}`,
      '    issuer: ptc-copy-test-realm',
      `    rootcertbundle: ${path.join(dir, 'cert.pem')}`,
    );
  }
  writeFileSync(path.join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const log = path.join(dir, 'registry.log');
  const out = openSync(log, 'a');
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', out, out] });
  await waitForTls(port, child, log, cert.cert);
  return { address: `127.0.0.1:${port}`, ...(user !== undefined ? { user, password: password! } : {}), dir, process: child };
}

/** Stops a registry this test started. */
export async function stopRegistry(r: TestRegistry | undefined): Promise<void> {
  if (r === undefined || r.process.exitCode !== null) return;
  const exited = new Promise((resolve) => r.process.once('exit', resolve));
  r.process.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
}

/** A Bearer token realm on 127.0.0.1 over TLS: checks Basic credentials, hands out tokens distribution accepts. */
export interface TokenRealm {
  readonly url: string;
  readonly service: string;
  readonly user: string;
  readonly password: string;
  /** Scopes asked for, in order. */
  readonly scopes: string[];
  close(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Starts a token realm whose tokens are ES256 JWTs signed by `cert`'s key with the certificate in
 * `x5c`, which distribution verifies against its `rootcertbundle` (the same certificate). It grants
 * `pull` (and `push`) on the repository asked for to its one user.
 */
export async function startTokenRealm(cert: TestCertificate): Promise<TokenRealm> {
  const user = 'copy-reader';
  const password = randomBytes(12).toString('hex');
  const service = 'ptc-copy-test-registry';
  const scopes: string[] = [];
  const key = createPrivateKey(cert.key);
  const der = new X509Certificate(cert.cert).raw;
  const server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const scope = url.searchParams.get('scope') ?? '';
    scopes.push(scope);
    const access = scope === '' ? [] : [{ type: 'repository', name: scope.split(':')[1], actions: (scope.split(':')[2] ?? '').split(',') }];
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [der.toString('base64')] }));
    const claims = b64url(
      JSON.stringify({
        iss: 'ptc-copy-test-realm',
        sub: user,
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: createHash('sha256').update(randomBytes(8)).digest('hex'),
        access,
      }),
    );
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: `${header}.${claims}.${b64url(signature)}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/token`,
    service,
    user,
    password,
    scopes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Runs skopeo without blocking the event loop (the token realm answers from this process); throws
 * with its stderr on failure. Credentials are left out of the message.
 */
export async function skopeo(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('skopeo', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const shown = args.map((a, i) => (args[i - 1]?.endsWith('creds') ? '<creds>' : a)).join(' ');
    // No `cause`: the raw error's message holds the command line, credentials included.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`skopeo ${shown} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
  }
}

const credsArgs = (flag: string, r: { user?: string; password?: string }): string[] =>
  r.user !== undefined ? [flag, `${r.user}:${r.password}`] : [];

/** Pushes `tag` of an OCI layout to `repository:destTag` (default: the same tag) of a registry (every platform, digests kept). */
export async function pushLayout(
  r: TestRegistry,
  layoutDir: string,
  tag: string,
  repository: string,
  creds: { user?: string; password?: string } = r,
  destTag = tag,
): Promise<void> {
  await skopeo([
    'copy',
    '--quiet',
    '--all',
    '--preserve-digests',
    '--dest-tls-verify=false',
    ...credsArgs('--dest-creds', creds),
    `oci:${layoutDir}:${tag}`,
    `docker://${r.address}/${repository}:${destTag}`,
  ]);
}

/** `skopeo inspect --raw` of a manifest (by tag or digest) as bytes' text. */
export async function inspectRaw(r: TestRegistry, reference: string, creds: { user?: string; password?: string } = r): Promise<string> {
  return skopeo(['inspect', '--raw', '--tls-verify=false', ...credsArgs('--creds', creds), `docker://${r.address}/${reference}`]);
}

/** The sha256 digest of a text's UTF-8 bytes. */
export const digestOf = (text: string | Buffer): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;
