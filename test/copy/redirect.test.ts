/**
 * A blob the upstream serves from object storage (a 307 to another origin, as GCR and ECR do):
 * the engine follows the redirect without the upstream's credentials, and copies the image into a
 * real docker-registry target byte for byte. The upstream and the storage are recording servers on
 * 127.0.0.1 over TLS (test/prewarm/hostile-registry.ts); their content is invented for this test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copyImages, RegistrySession } from '../../engines/copy';
import { HostileServer, selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import { inspectRaw, startRegistry, stopRegistry, type TestRegistry } from './registries';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const USER = 'reader';
const PASSWORD = 'upstream-password-9f3c';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const layer = randomBytes(50_000);
const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  }),
);

let cert: TestCertificate;
let work: string;
let target: TestRegistry;
let storage: HostileServer;
let upstream: HostileServer;

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-redirect-'));
  target = await startRegistry(path.join(work, 'target'), cert, { kind: 'basic' });
  storage = await new HostileServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': layer.length }).end(layer);
  }, cert).start();
  upstream = await new HostileServer((req, res) => {
    if (req.headers.authorization !== BASIC) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="upstream"', 'content-type': 'application/json' }).end('{}');
      return;
    }
    const url = req.url ?? '';
    if (url === '/v2/') return void res.writeHead(200).end('{}');
    if (url.startsWith('/v2/org/app/manifests/')) {
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'docker-content-digest': sha(manifest),
        'content-length': manifest.length,
      });
      return void res.end(req.method === 'HEAD' ? undefined : manifest);
    }
    if (url === `/v2/org/app/blobs/${sha(config)}`) return void res.writeHead(200, { 'content-length': config.length }).end(config);
    if (url === `/v2/org/app/blobs/${sha(layer)}`)
      return void res.writeHead(307, { location: `${storage.url}/bucket/layer?signature=abc` }).end();
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
  }, cert).start();
}, 60_000);

afterAll(async () => {
  await Promise.all([storage?.stop(), upstream?.stop(), stopRegistry(target)]);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a blob redirected to storage is fetched there without the upstream credentials, and copied', async () => {
  const source = new RegistrySession({ baseUrl: upstream.url, ca: cert.cert, credentials: { username: USER, password: PASSWORD } });
  const to = new RegistrySession({
    baseUrl: `https://${target.address}`,
    ca: cert.cert,
    credentials: { username: target.user!, password: target.password! },
  });
  try {
    const [result] = await copyImages(
      [
        {
          image: `${upstream.host}/org/app:v1`,
          entryIndex: 0,
          upstream: upstream.host,
          repository: 'org/app',
          tag: 'v1',
          targetRepository: 'cp/org/app',
        },
      ],
      { target: to, targetHost: target.address, source: () => source },
    );
    expect(result).toMatchObject({ status: 'copied', digest: sha(manifest), blobs: { sent: 2, present: 0 } });
  } finally {
    source.close();
    to.close();
  }
  expect(storage.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
    ['GET', '/bucket/layer?signature=abc', undefined],
  ]);
  expect(upstream.authorizations().every((a) => a === BASIC)).toBe(true);
  expect(await inspectRaw(target, 'cp/org/app:v1')).toBe(manifest.toString());
});
