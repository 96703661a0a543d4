/**
 * OCI referrers follow their image through the upstream's referrers API. The upstream is the real
 * Debian docker-registry (distribution 2.8, which has no referrers API) holding every manifest,
 * behind test/copy/referrers-proxy.ts: an invented stand-in for the one endpoint the registry
 * lacks, `GET /v2/<name>/referrers/<digest>`, shaped as the OCI distribution spec v1.1 defines it
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers) and
 * answered from the referrer manifests this test pushed; everything else goes to the registry.
 * The referrers are invented too: OCI artifact manifests (empty config `{}`, one payload layer,
 * `artifactType`, `subject` = the image) as cosign and syft write them with the OCI 1.1 layout.
 * The target is another real registry behind test/copy/fault-proxy.ts (Basic `AWS:<token>`, as
 * ECR), which can refuse a manifest with 405 as ECR does for one with `subject`
 * (aws/containers-roadmap#2783). skopeo reads both sides: `inspect --raw` equal, digest for digest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copyJobs, type CopyJob } from '../../core/copy/jobs';
import { copyImages, RegistrySession, type CopyResult } from '../../engines/copy';
import { OciLayoutWriter, type BuiltImage } from '../prewarm/oci-images';
import { selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import { FaultProxy } from './fault-proxy';
import { ReferrersProxy, type ReferrerDescriptor } from './referrers-proxy';
import { digestOf, inspectRaw, pushLayout, skopeo, startRegistry, stopRegistry, type TestRegistry } from './registries';

const RETRY = { attempts: 2, baseDelayMs: 10, maxDelayMs: 100 };
const SIG_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const SBOM_TYPE = 'application/spdx+json';
let cert: TestCertificate;
let work: string;
let upstream: TestRegistry;
let target: TestRegistry;
let referrersProxy: ReferrersProxy;
let targetProxy: FaultProxy;
const built: Record<string, BuiltImage> = {};

/** One request to the upstream registry itself (anonymous), for pushing what skopeo cannot: a referrer manifest. */
function send(
  method: string,
  url: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; location?: string }> {
  const u = new URL(url, `https://${upstream.address}`);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: Number(u.port), method, path: `${u.pathname}${u.search}`, headers, ca: cert.cert, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function pushBlob(repository: string, data: Buffer): Promise<{ digest: string; size: number }> {
  const digest = digestOf(data);
  const started = await send('POST', `/v2/${repository}/blobs/uploads/`, Buffer.alloc(0));
  const location = new URL(started.location!, `https://${upstream.address}`);
  location.searchParams.set('digest', digest);
  const done = await send('PUT', location.toString(), data, { 'content-type': 'application/octet-stream' });
  if (done.status !== 201) throw new Error(`blob upload answered ${done.status}`);
  return { digest, size: data.length };
}

/** Pushes an OCI artifact manifest whose `subject` is `repository@subject` (by digest, no tag) and registers it with the proxy. */
async function pushReferrer(repository: string, subject: string, artifactType: string, payload: string): Promise<ReferrerDescriptor> {
  const raw = await inspectRaw(upstream, `${repository}@${subject}`);
  const subjectType = (JSON.parse(raw) as { mediaType: string }).mediaType;
  const config = await pushBlob(repository, Buffer.from('{}'));
  const layer = await pushBlob(repository, Buffer.from(payload));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...config },
      layers: [{ mediaType: 'application/octet-stream', ...layer }],
      subject: { mediaType: subjectType, digest: subject, size: Buffer.byteLength(raw) },
    }),
  );
  const digest = digestOf(manifest);
  const put = await send('PUT', `/v2/${repository}/manifests/${digest}`, manifest, {
    'content-type': 'application/vnd.oci.image.manifest.v1+json',
  });
  if (put.status !== 201) throw new Error(`manifest PUT answered ${put.status}`);
  const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: manifest.length, artifactType };
  referrersProxy.register(repository, subject, descriptor);
  return descriptor;
}

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-referrers-'));
  [upstream, target] = await Promise.all([
    startRegistry(path.join(work, 'upstream'), cert),
    startRegistry(path.join(work, 'target'), cert, { kind: 'basic' }),
  ]);
  [referrersProxy, targetProxy] = await Promise.all([
    new ReferrersProxy(upstream.address, cert).start(),
    new FaultProxy(target.address, cert).start(),
  ]);
  const layout = new OciLayoutWriter(path.join(work, 'layout'));
  for (const name of ['signed', 'fallback', 'refused']) built[name] = layout.addImage(name, { platforms: ['linux/amd64'] });
  built.multi = layout.addImage('multi', { platforms: ['linux/amd64', 'linux/arm64'] });
  for (const name of ['signed', 'fallback', 'refused', 'multi']) await pushLayout(upstream, layout.dir, name, `team/${name}`);
}, 120_000);

afterAll(async () => {
  await Promise.all([referrersProxy?.stop(), targetProxy?.stop()]);
  await Promise.all([stopRegistry(upstream), stopRegistry(target)]);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function copy(jobs: CopyJob[]): Promise<CopyResult[]> {
  const to = new RegistrySession({
    baseUrl: `https://${targetProxy.address}`,
    ca: cert.cert,
    retry: RETRY,
    credentials: { username: target.user!, password: target.password! },
  });
  const from = new RegistrySession({ baseUrl: `https://${referrersProxy.address}`, ca: cert.cert, retry: RETRY });
  try {
    return await copyImages(jobs, { target: to, targetHost: target.address, source: () => from, blob: { chunkBytes: 64 * 1024 } });
  } finally {
    to.close();
    from.close();
  }
}

function jobsOf(image: string, platforms?: string[]): CopyJob[] {
  const { jobs, rejected } = copyJobs({
    copies: [
      { prefix: 'cp', upstream: referrersProxy.address, images: [image], schedule: 'rate(1 day)', ...(platforms ? { platforms } : {}) },
    ],
  });
  expect(rejected).toEqual([]);
  return jobs;
}

const writes = (from: number) => targetProxy.requests.slice(from).filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
const tagsOf = async (repository: string) =>
  (
    JSON.parse(
      await skopeo([
        'list-tags',
        '--tls-verify=false',
        '--creds',
        `${target.user}:${target.password}`,
        `docker://${target.address}/${repository}`,
      ]),
    ) as { Tags: string[] }
  ).Tags;

describe('referrers found through the upstream referrers API', () => {
  test('each referrer is copied by digest byte for byte (no tag), over linked pages; a second run sends nothing', async () => {
    const image = built.signed!.digest;
    const sig = await pushReferrer('team/signed', image, SIG_TYPE, '{"critical":{"image":{"docker-manifest-digest":"x"}}}');
    const sbom = await pushReferrer('team/signed', image, SBOM_TYPE, '{"spdxVersion":"SPDX-2.3"}');
    // A client of the tag schema also wrote the fallback tag: where the API answers, it is left alone.
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [sig, sbom] };
    const tagged = await send('PUT', `/v2/team/signed/manifests/${image.replace(':', '-')}`, Buffer.from(JSON.stringify(index)), {
      'content-type': 'application/vnd.oci.image.index.v1+json',
    });
    expect(tagged.status).toBe(201);
    referrersProxy.pageSize = 1;
    const [first] = await copy(jobsOf(`${referrersProxy.address}/team/signed:signed`));
    expect(first).toMatchObject({ status: 'copied', digest: image });
    expect(first!.notes).toEqual([`copied its referrer ${sig.digest} (${SIG_TYPE})`, `copied its referrer ${sbom.digest} (${SBOM_TYPE})`]);
    for (const r of [sig, sbom]) {
      const copied = await inspectRaw(target, `cp/team/signed@${r.digest}`);
      expect(digestOf(copied)).toBe(r.digest);
      expect(copied).toBe(await inspectRaw(upstream, `team/signed@${r.digest}`));
    }
    expect(await tagsOf('cp/team/signed')).toEqual(['signed']);
    // Two pages, the second reached through the Link header.
    expect(referrersProxy.count('GET', /\/referrers\//).map((r) => [r.path.includes('page=1'), r.status])).toEqual([
      [false, 200],
      [true, 200],
    ]);
    const before = targetProxy.requests.length;
    const [again] = await copy(jobsOf(`${referrersProxy.address}/team/signed:signed`));
    expect(again).toMatchObject({ status: 'unchanged', notes: [], blobs: { sent: 0 } });
    expect(writes(before)).toEqual([]);
  });

  test('a 404 from the referrers endpoint falls back to the referrers tag schema, as before', async () => {
    referrersProxy.api = false;
    try {
      const image = built.fallback!.digest;
      const sbom = await pushReferrer('team/fallback', image, SBOM_TYPE, '{"spdxVersion":"SPDX-2.3","name":"fallback"}');
      const fallbackTag = image.replace(':', '-');
      const index = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [sbom] }),
      );
      const put = await send('PUT', `/v2/team/fallback/manifests/${fallbackTag}`, index, {
        'content-type': 'application/vnd.oci.image.index.v1+json',
      });
      expect(put.status).toBe(201);
      const [result] = await copy(jobsOf(`${referrersProxy.address}/team/fallback:fallback`));
      expect(result).toMatchObject({ status: 'copied', digest: image, notes: [`copied its referrers index ${fallbackTag}`] });
      // The real registry answered the referrers request: it has no such API.
      expect(referrersProxy.count('GET', /team\/fallback\/referrers\//).map((r) => r.status)).toEqual([404]);
      expect(await inspectRaw(target, `cp/team/fallback:${fallbackTag}`)).toBe(index.toString());
      expect(await inspectRaw(target, `cp/team/fallback@${sbom.digest}`)).toBe(await inspectRaw(upstream, `team/fallback@${sbom.digest}`));
    } finally {
      referrersProxy.api = true;
    }
  });

  test('another failure of the referrers endpoint (403) is a note, and the referrers tag is looked for as without the API', async () => {
    referrersProxy.failWith = 403;
    try {
      const before = targetProxy.requests.length;
      const [result] = await copy(jobsOf(`${referrersProxy.address}/team/fallback:fallback`));
      expect(result).toMatchObject({ status: 'unchanged', digest: built.fallback!.digest });
      expect(result!.notes).toHaveLength(1);
      expect(result!.notes[0]).toMatch(/^the upstream's referrers API failed \(.*HTTP 403.*\); its referrers tag was looked for instead$/);
      // The fallback tag was asked for in the target (HEAD) and found there: nothing written.
      const fallbackHead = new RegExp(`manifests/${built.fallback!.digest.replace(':', '-')}$`);
      expect(targetProxy.requests.slice(before).filter((r) => r.method === 'HEAD' && fallbackHead.test(r.path))).toHaveLength(1);
      expect(writes(before)).toEqual([]);
    } finally {
      referrersProxy.failWith = undefined;
    }
  });

  test('a target that refuses a referrer with 405 (ECR) gives a note; the image is still copied', async () => {
    const image = built.refused!.digest;
    const sig = await pushReferrer('team/refused', image, SIG_TYPE, '{"critical":{"type":"refused"}}');
    const sbom = await pushReferrer('team/refused', image, SBOM_TYPE, '{"spdxVersion":"SPDX-2.3","name":"refused"}');
    targetProxy.rule = (req) =>
      req.method === 'PUT' && (req.path.endsWith(sig.digest) || req.path.endsWith(sbom.digest))
        ? { kind: 'status', status: 405 }
        : undefined;
    try {
      const [result] = await copy(jobsOf(`${referrersProxy.address}/team/refused:refused`));
      expect(result).toMatchObject({ status: 'copied', digest: image });
      expect(result!.notes).toEqual([
        `its referrer ${sig.digest} (${SIG_TYPE}) was not copied: PUT manifest cp/team/refused@${sig.digest}: the target answered HTTP 405 (INJECTED: fault 405)`,
        '1 more referrer(s) not tried: the target refuses manifests with a subject (405)',
      ]);
      expect(await inspectRaw(target, 'cp/team/refused:refused')).toBe(await inspectRaw(upstream, 'team/refused:refused'));
      expect(targetProxy.count('PUT', new RegExp(sbom.digest))).toBe(0);
    } finally {
      targetProxy.rule = () => undefined;
    }
  });

  test('a platforms subset (a new index digest) asks for no referrers at all', async () => {
    const asked = referrersProxy.count('GET', /\/referrers\//).length;
    const [result] = await copy(jobsOf(`${referrersProxy.address}/team/multi:multi`, ['linux/arm64']));
    expect(result).toMatchObject({ status: 'copied' });
    expect(result!.digest).not.toBe(built.multi!.digest);
    expect(referrersProxy.count('GET', /\/referrers\//)).toHaveLength(asked);
  });
});
