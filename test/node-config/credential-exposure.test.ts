/**
 * The security measurement behind mirror mode's default: with fallback on, does containerd hand
 * the mirror's credentials to the upstream when the mirror misses?
 *
 * Real containerd 1.6.20 (`ctr content fetch --hosts-dir --user`), a mirror that is Debian's
 * docker-registry behind Basic auth (ECR's endpoint takes `AWS:<token>` as Basic auth too), and an
 * "upstream" on another loopback port that records every request: its `Authorization` header and,
 * at its token realm, the form body (containerd posts OAuth2 password grants there, remotes/docker/
 * authorizer.go). ctr hands one credential to every host of a reference (cmd/ctr/commands/
 * resolver.go), as the CRI plugin hands the kubelet's to every host of config_path (pkg/cri/server/
 * image_pull.go, registryHosts and ParseAuth, which withholds it only when the kubelet named another
 * ServerAddress). The figures are in docs/mirror-mode.md, "Credentials".
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildMirrorMap, containerdHostsFiles } from '../../core/node-config';
import { ctrFetch, startContainerd, stopContainerd, type TestContainerd } from './containerd';
import { configOf } from './fixtures';
import { accessLog, authenticatedUsers, startMirrorRegistry, stopMirrorRegistry, type MirrorRegistry } from './mirror-registry';
import { UPSTREAM_TOKEN, startRecordingUpstream, type RecordedRequest, type RecordingUpstream } from './recording-upstream';

const CONFIG = configOf(
  [
    'account: "111122223333"',
    'region: eu-west-2',
    'rules:',
    '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }',
    '',
  ].join('\n'),
);

let base: string;
let registry: MirrorRegistry | undefined;
let containerd: TestContainerd | undefined;
const upstreams: RecordingUpstream[] = [];

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'ptc-mirror-creds-'));
  registry = await startMirrorRegistry(path.join(base, 'registry'));
  containerd = await startContainerd(path.join(base, 'containerd'));
}, 60_000);

afterAll(async () => {
  await stopContainerd(containerd);
  await stopMirrorRegistry(registry);
  for (const u of upstreams) await u.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

/** Generates docker.io's hosts.toml with the server at `upstream` and fetches a missing image. */
async function missThrough(
  upstream: RecordingUpstream,
  fallback: boolean,
  name: string,
): Promise<{ ok: boolean; requests: RecordedRequest[] }> {
  const map = buildMirrorMap(CONFIG, { scheme: 'http', host: registry!.address });
  const dir = path.join(base, name);
  for (const file of containerdHostsFiles(map, { fallback, upstreamServer: () => upstream.url })) {
    mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    writeFileSync(path.join(dir, file.path), file.content);
  }
  const result = await ctrFetch(containerd!, dir, 'docker.io/library/missing:1', `${registry!.user}:${registry!.password}`);
  return { ok: result.ok, requests: [...upstream.requests] };
}

/** Whether a request carries the mirror's password, in a Basic header or a form body. */
function carriesMirrorSecret(r: RecordedRequest): boolean {
  const basic = `Basic ${Buffer.from(`${registry!.user}:${registry!.password}`).toString('base64')}`;
  return r.authorization === basic || (r.body !== undefined && new URLSearchParams(r.body).get('password') === registry!.password);
}

/** `PTC_MEASURE=1` prints what the upstream received, the mirror's secret masked (the figures of docs/mirror-mode.md). */
function printMeasurement(label: string, requests: readonly RecordedRequest[]): void {
  if (!process.env.PTC_MEASURE) return;
  const basic = Buffer.from(`${registry!.user}:${registry!.password}`).toString('base64');
  const mask = (text: string | undefined) =>
    text?.split(basic).join('<mirror user:password>').split(registry!.password).join('<mirror password>');
  console.log(
    `${label}:\n${requests.map((r) => `  ${r.method} ${r.path} authorization=${mask(r.authorization) ?? '-'}${r.body ? ` body=${mask(r.body)}` : ''}`).join('\n')}`,
  );
}

describe('mirror credentials on a miss', () => {
  test('the mirror gets its own Basic credentials and answers the miss with 404', async () => {
    const upstream = await startRecordingUpstream();
    upstreams.push(upstream);
    await missThrough(upstream, false, 'hosts-mirror-only');
    expect(authenticatedUsers(registry!)).toEqual([registry!.user]);
    const miss = accessLog(registry!)
      .filter((l) => /^\/v2\/docker-hub\/library\/missing\/manifests\/1/.test(l.path))
      .map((l) => `${l.method} ${l.status}`);
    // First without credentials (challenged), then with the mirror's Basic credentials (not found).
    expect(miss.slice(0, 2)).toEqual(['HEAD 401', 'HEAD 404']);
  });

  test('with fallback, a Bearer-realm upstream receives the mirror password at its token endpoint', async () => {
    const upstream = await startRecordingUpstream({ challenge: 'bearer' });
    upstreams.push(upstream);
    const { ok, requests } = await missThrough(upstream, true, 'hosts-fallback-bearer');
    printMeasurement('Bearer realm upstream', requests);
    expect(ok).toBe(false);
    // 1. The registry request itself goes out without credentials and is challenged.
    expect(requests[0]).toEqual({ method: 'HEAD', path: expect.stringMatching(/^\/v2\/library\/missing\/manifests\/1/) });
    // 2. containerd answers the challenge by sending the mirror's user and password to the realm.
    const tokenRequests = requests.filter((r) => r.path.startsWith('/token'));
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests.some(carriesMirrorSecret)).toBe(true);
    // 3. The retry carries only the realm's own token.
    expect(requests.filter((r) => r.path.startsWith('/v2/') && r.authorization !== undefined).map((r) => r.authorization)).toContain(
      `Bearer ${UPSTREAM_TOKEN}`,
    );
  });

  test('with fallback, a Basic-auth upstream receives the mirror password in its Authorization header', async () => {
    const upstream = await startRecordingUpstream({ challenge: 'basic' });
    upstreams.push(upstream);
    const { ok, requests } = await missThrough(upstream, true, 'hosts-fallback-basic');
    printMeasurement('Basic auth upstream', requests);
    expect(ok).toBe(false);
    expect(requests.filter((r) => r.path.startsWith('/v2/')).some(carriesMirrorSecret)).toBe(true);
  });

  test('without fallback (the default), the upstream receives no request at all', async () => {
    const upstream = await startRecordingUpstream({ challenge: 'bearer' });
    upstreams.push(upstream);
    const { ok, requests } = await missThrough(upstream, false, 'hosts-no-fallback');
    expect(ok).toBe(false);
    expect(requests).toEqual([]);
  });
});
