/**
 * The measurement behind mirror mode's decision for copy hosts (docs/copy.md, "Mirror mode"): can
 * containerd mirror a `copies` upstream (gcr.io, nvcr.io, here `127.0.0.1:PORT`) to ECR's
 * `<registry>/v2/<prefix>` without the node's ECR token reaching the upstream?
 *
 * Real containerd 1.6.20 (`ctr content fetch --hosts-dir`, the registry host code the CRI plugin
 * runs with `config_path`; test/node-config/containerd.ts), real docker-registry instances over
 * TLS (test/copy/registries.ts): the "ECR" mirror behind htpasswd Basic auth (user `AWS`, its
 * password standing for the ECR token), holding only the listed image under `gcr/...` as a copy
 * does; upstreams that are anonymous, behind Basic auth, or behind a Bearer token realm (as
 * gcr.io and nvcr.io answer even anonymous pulls). A recording proxy in front of each shows every
 * `Authorization` header and token-request body that arrived.
 *
 * `--user AWS:<token>` is what the CRI hands containerd when the kubelet's credential provider
 * matches the image's host: one credential for every host of the pull (pkg/cri/server/
 * image_pull.go `registryHosts` and `ParseAuth`, which withholds it only when the kubelet names
 * another `ServerAddress`, and the kubelet names none). No `--user` is what it hands containerd
 * when the provider does not match the host. `PTC_MEASURE=1` prints what each server received.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ctrFetch, startContainerd, stopContainerd, type TestContainerd } from '../node-config/containerd';
import { buildMirrorMap, containerdHostsFiles } from '../../core/node-config';
import { configOf } from '../node-config/fixtures';
import { pushImage, startMirrorRegistry, stopMirrorRegistry, type MirrorRegistry } from '../node-config/mirror-registry';
import { startRecordingUpstream } from '../node-config/recording-upstream';
import { selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import { OciLayoutWriter } from '../prewarm/oci-images';
import { pushLayout, startRegistry, startTokenRealm, stopRegistry, type TestRegistry, type TokenRealm } from '../copy/registries';
import { startRecordingProxy, type ProxiedRequest, type RecordingProxy } from './recording-proxy';

/** How the hosts.toml of the copy host treats the upstream. */
type Variant = 'fallback' | 'fallback-skip-verify' | 'no-server' | 'cache-only';

let cert: TestCertificate;
let work: string;
let containerd: TestContainerd | undefined;
const registries: TestRegistry[] = [];
let realm: TokenRealm | undefined;
const proxies: RecordingProxy[] = [];
/** The ECR stand-in and the proxy that records what it received. */
let ecr: TestRegistry;
let ecrProxy: RecordingProxy;
/** Upstreams, each behind its recording proxy. */
const upstream: Record<'anonymous' | 'basic' | 'bearer', { registry: TestRegistry; proxy: RecordingProxy }> = {} as never;

async function proxied(r: TestRegistry, realmOrigin?: string): Promise<RecordingProxy> {
  const p = await startRecordingProxy(cert);
  p.registry = r.address;
  if (realmOrigin !== undefined) p.realm = realmOrigin;
  proxies.push(p);
  return p;
}

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-mirror-'));
  writeFileSync(path.join(work, 'ca.pem'), cert.cert);
  realm = await startTokenRealm(cert);
  // The Bearer upstream's realm is reached through its proxy, so the proxy starts first.
  const bearerProxy = await startRecordingProxy(cert);
  proxies.push(bearerProxy);
  bearerProxy.realm = new URL(realm.url).host;
  const started = await Promise.all([
    startRegistry(path.join(work, 'ecr'), cert, { kind: 'basic' }),
    startRegistry(path.join(work, 'anonymous'), cert),
    startRegistry(path.join(work, 'basic'), cert, { kind: 'basic' }),
    startRegistry(path.join(work, 'bearer'), cert, {
      kind: 'token',
      realm: `https://${bearerProxy.address}/token`,
      service: realm.service,
    }),
  ]);
  registries.push(...started);
  const [e, anonymous, basic, bearer] = started;
  bearerProxy.registry = bearer.address;
  ecr = e;
  ecrProxy = await proxied(ecr);
  upstream.anonymous = { registry: anonymous, proxy: await proxied(anonymous) };
  upstream.basic = { registry: basic, proxy: await proxied(basic) };
  upstream.bearer = { registry: bearer, proxy: bearerProxy };
  const layout = new OciLayoutWriter(path.join(work, 'layout'));
  layout.addImage('static', { platforms: ['linux/amd64'] });
  layout.addImage('base', { platforms: ['linux/amd64'] });
  // The copy: only the listed image, under the copy prefix, as `ptc copy` leaves it.
  await pushLayout(ecr, layout.dir, 'static', 'gcr/distroless/static', ecr, 'nonroot');
  for (const u of [anonymous, basic]) {
    await pushLayout(u, layout.dir, 'static', 'distroless/static', u, 'nonroot');
    await pushLayout(u, layout.dir, 'base', 'distroless/base', u, 'latest');
  }
  const realmCreds = { user: realm.user, password: realm.password };
  await pushLayout(bearer, layout.dir, 'base', 'distroless/base', realmCreds, 'latest');
  containerd = await startContainerd(path.join(work, 'containerd'));
}, 180_000);

afterAll(async () => {
  await stopContainerd(containerd);
  for (const p of proxies) await p.close();
  await realm?.close();
  for (const r of registries) await stopRegistry(r);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The hosts.toml of the copy host `upstreamHost`, mirrored to the ECR stand-in's `/v2/gcr`. */
function hostsToml(upstreamHost: string, variant: Variant): string {
  // TLS trust: the throw-away CA, or (the skip_verify variant) no verification at all.
  const tls = variant === 'fallback-skip-verify' ? 'skip_verify = true' : `ca = ${JSON.stringify(path.join(work, 'ca.pem'))}`;
  const top =
    variant === 'no-server'
      ? [tls]
      : [
          `server = "https://${upstreamHost}"`,
          tls,
          variant === 'cache-only' ? 'capabilities = ["push"]' : 'capabilities = ["pull", "resolve"]',
        ];
  return [
    ...top,
    '',
    `[host."https://${ecrProxy.address}/v2/gcr"]`,
    '  capabilities = ["pull", "resolve"]',
    '  override_path = true',
    `  ${tls}`,
    '',
  ].join('\n');
}

/** What one pull did: whether it succeeded and what the mirror and the upstream received. */
interface Pull {
  readonly ok: boolean;
  readonly output: string;
  readonly mirror: ProxiedRequest[];
  readonly upstream: ProxiedRequest[];
}

/** Pulls `repository:tag` of an upstream through a fresh hosts directory, with or without the ECR token. */
async function pull(kind: keyof typeof upstream, variant: Variant, reference: string, withEcrToken: boolean): Promise<Pull> {
  const u = upstream[kind];
  const dir = path.join(work, `hosts-${kind}-${variant}-${reference.replace(/[/:]/g, '_')}-${withEcrToken}`);
  mkdirSync(path.join(dir, u.proxy.address), { recursive: true });
  writeFileSync(path.join(dir, u.proxy.address, 'hosts.toml'), hostsToml(u.proxy.address, variant));
  const mirrorStart = ecrProxy.requests.length;
  const upstreamStart = u.proxy.requests.length;
  const result = await ctrFetch(containerd!, dir, `${u.proxy.address}/${reference}`, withEcrToken ? `${ecr.user}:${ecr.password}` : '');
  const measured = {
    ok: result.ok,
    output: result.output,
    mirror: ecrProxy.requests.slice(mirrorStart),
    upstream: u.proxy.requests.slice(upstreamStart),
  };
  printMeasurement(`${kind} upstream, ${variant}, ${reference}, ${withEcrToken ? 'ECR token' : 'no credentials'}`, measured);
  return measured;
}

const ecrBasic = (): string => `Basic ${Buffer.from(`${ecr.user}:${ecr.password}`).toString('base64')}`;

/** Whether a request carries the ECR token, in a Basic header or a token request's form body. */
function carriesEcrToken(r: ProxiedRequest): boolean {
  return r.authorization === ecrBasic() || (r.body !== undefined && new URLSearchParams(r.body).get('password') === ecr.password);
}

function printMeasurement(label: string, p: Pull): void {
  if (!process.env.PTC_MEASURE) return;
  const mask = (text: string | undefined): string | undefined =>
    text
      ?.split(Buffer.from(`${ecr.user}:${ecr.password}`).toString('base64'))
      .join('<AWS:ecr-token>')
      .split(ecr.password!)
      .join('<ecr-token>');
  const line = (r: ProxiedRequest): string =>
    `    ${r.method} ${r.path} -> ${r.status} authorization=${mask(r.authorization)?.slice(0, 60) ?? '-'}${r.body ? ` body=${mask(r.body)}` : ''}`;
  console.log(
    [`${label}: ${p.ok ? 'pulled' : 'failed'}`, '  mirror:', ...p.mirror.map(line), '  upstream:', ...p.upstream.map(line)].join('\n'),
  );
}

describe('a copy host mirrored to ECR, the provider matching the host (ECR token passed)', () => {
  test('a listed image is served by the mirror and the upstream receives nothing', async () => {
    const p = await pull('bearer', 'fallback', 'distroless/static:nonroot', true);
    expect(p.ok).toBe(true);
    expect(p.upstream).toEqual([]);
    expect(p.mirror.some((r) => r.authorization === ecrBasic() && r.status === 200)).toBe(true);
  });

  test('with fallback, an unlisted image sends the ECR token to a Bearer upstream realm', async () => {
    const p = await pull('bearer', 'fallback', 'distroless/base:latest', true);
    // The mirror answers the unlisted image with 404, so containerd tries the upstream.
    expect(p.mirror.filter((r) => r.path.startsWith('/v2/gcr/distroless/base/manifests/')).map((r) => r.status)).toContain(404);
    expect(p.upstream.filter((r) => r.path.startsWith('/token')).some(carriesEcrToken)).toBe(true);
  });

  test('with fallback, an unlisted image sends the ECR token to a Basic-auth upstream', async () => {
    const p = await pull('basic', 'fallback', 'distroless/base:latest', true);
    expect(p.ok).toBe(false);
    expect(p.upstream.filter((r) => r.path.startsWith('/v2/')).some(carriesEcrToken)).toBe(true);
  });

  test('an unlisted tag of a listed repository exposes the token the same way (matchImages cannot name a tag)', async () => {
    const p = await pull('bearer', 'fallback', 'distroless/static:debug', true);
    expect(p.ok).toBe(false);
    expect(p.upstream.some(carriesEcrToken)).toBe(true);
  });

  test('TLS settings change nothing: with skip_verify instead of a CA the token goes upstream the same way', async () => {
    const p = await pull('bearer', 'fallback-skip-verify', 'distroless/base:latest', true);
    expect(p.upstream.filter((r) => r.path.startsWith('/token')).some(carriesEcrToken)).toBe(true);
  });

  test('without a server line containerd falls back to the host itself, with the token', async () => {
    // With no `server`, containerd uses the host itself with every capability; for a loopback host
    // that is plain HTTP (docker.IsLocalhost), so this upstream is the plain-HTTP recording one of
    // test/node-config, which challenges with a Bearer realm as gcr.io does.
    const plain = await startRecordingUpstream({ challenge: 'bearer' });
    try {
      const host = new URL(plain.url).host;
      const dir = path.join(work, 'hosts-no-server');
      mkdirSync(path.join(dir, host), { recursive: true });
      writeFileSync(path.join(dir, host, 'hosts.toml'), hostsToml(host, 'no-server'));
      const result = await ctrFetch(containerd!, dir, `${host}/distroless/base:latest`, `${ecr.user}:${ecr.password}`);
      expect(result.ok).toBe(false);
      const tokenBodies = plain.requests.filter((r) => r.path.startsWith('/token')).map((r) => new URLSearchParams(r.body ?? ''));
      expect(tokenBodies.map((b) => b.get('password'))).toContain(ecr.password);
    } finally {
      await plain.close();
    }
  });

  test('an upstream that never challenges gets no Authorization header, and serves the unlisted image', async () => {
    const p = await pull('anonymous', 'fallback', 'distroless/base:latest', true);
    expect(p.ok).toBe(true);
    expect(p.upstream.length).toBeGreaterThan(0);
    expect(p.upstream.filter((r) => r.authorization !== undefined)).toEqual([]);
  });

  test('cache-only (the upstream keeps only push): the upstream receives nothing and the unlisted image fails', async () => {
    for (const kind of ['bearer', 'basic', 'anonymous'] as const) {
      const p = await pull(kind, 'cache-only', 'distroless/base:latest', true);
      expect(p.ok).toBe(false);
      expect(p.upstream).toEqual([]);
      expect(p.mirror.filter((r) => r.path.startsWith('/v2/gcr/distroless/base/')).map((r) => r.status)).toContain(404);
    }
    const listed = await pull('bearer', 'cache-only', 'distroless/static:nonroot', true);
    expect(listed.ok).toBe(true);
    expect(listed.upstream).toEqual([]);
  });
});

describe('a copy host mirrored to ECR, the provider not matching the host (no credentials passed)', () => {
  test('the mirror refuses the anonymous pull and every image, listed or not, comes from the upstream anonymously', async () => {
    for (const reference of ['distroless/static:nonroot', 'distroless/base:latest']) {
      const p = await pull('anonymous', 'fallback', reference, false);
      expect(p.ok).toBe(true);
      // ECR (like the stand-in) serves no anonymous pull: only 401s.
      expect(p.mirror.length).toBeGreaterThan(0);
      expect(p.mirror.every((r) => r.status === 401 && r.authorization === undefined)).toBe(true);
      expect(p.upstream.length).toBeGreaterThan(0);
      expect(p.upstream.filter((r) => r.authorization !== undefined)).toEqual([]);
    }
  });

  test('without fallback nothing can be pulled at all', async () => {
    const p = await pull('anonymous', 'cache-only', 'distroless/static:nonroot', false);
    expect(p.ok).toBe(false);
    expect(p.upstream).toEqual([]);
  });
});

describe('what ptc node-config generates for copies[N].mirror: true, on the real containerd', () => {
  // The generated hosts.toml has no `ca` line, so the ECR stand-in here is the plain-HTTP Basic-auth
  // registry of the node-config tests (--registry-url http://...); the upstream is the Bearer one.
  let plainEcr: MirrorRegistry | undefined;
  let hostsDir: string;

  beforeAll(async () => {
    plainEcr = await startMirrorRegistry(path.join(work, 'plain-ecr'));
    const layout = new OciLayoutWriter(path.join(work, 'layout-nonroot'));
    layout.addImage('nonroot', { platforms: ['linux/amd64'] });
    pushImage(plainEcr, layout.dir, 'nonroot', 'gcr/distroless/static');
    const host = upstream.bearer.proxy.address;
    const config = configOf(
      [
        'account: "111122223333"',
        'region: eu-west-2',
        'rules:',
        '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }',
        'copies:',
        `  - { prefix: gcr, upstream: "${host}", mirror: true, images: ["${host}/distroless/static:nonroot"] }`,
        '',
      ].join('\n'),
    );
    hostsDir = path.join(work, 'hosts-generated');
    // Fallback on for the rules: the copy host must stay cache only anyway.
    for (const file of containerdHostsFiles(buildMirrorMap(config, { scheme: 'http', host: plainEcr.address }), { fallback: true })) {
      mkdirSync(path.dirname(path.join(hostsDir, file.path)), { recursive: true });
      writeFileSync(path.join(hostsDir, file.path), file.content);
    }
  }, 60_000);

  afterAll(async () => {
    await stopMirrorRegistry(plainEcr);
  });

  const fetchThroughGenerated = async (reference: string) => {
    const start = upstream.bearer.proxy.requests.length;
    const result = await ctrFetch(
      containerd!,
      hostsDir,
      `${upstream.bearer.proxy.address}/${reference}`,
      `${plainEcr!.user}:${plainEcr!.password}`,
    );
    return { ok: result.ok, upstream: upstream.bearer.proxy.requests.slice(start) };
  };

  test('a listed image comes from the copy in ECR', async () => {
    const p = await fetchThroughGenerated('distroless/static:nonroot');
    expect(p.ok).toBe(true);
    expect(p.upstream).toEqual([]);
  });

  test('an unlisted image or tag fails, and the upstream receives no request at all, so never the token', async () => {
    for (const reference of ['distroless/base:latest', 'distroless/static:debug']) {
      const p = await fetchThroughGenerated(reference);
      expect(p.ok).toBe(false);
      expect(p.upstream).toEqual([]);
    }
  });
});
