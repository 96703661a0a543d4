/**
 * The copy engine against real registries on 127.0.0.1 over TLS: an anonymous upstream, an upstream
 * behind a Bearer token realm, and an ECR-like target behind htpasswd Basic auth (user `AWS`).
 * skopeo builds the upstream content (test/prewarm/oci-images.ts layouts) and reads both sides:
 * `skopeo inspect --raw` of source and copy must be equal, digest for digest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CopyConfig } from '../../core/config/copies-schema';
import { copyJobs, type CopyJob } from '../../core/copy/jobs';
import { copyImages, RegistrySession, type CopyResult } from '../../engines/copy';
import { OciLayoutWriter, type BuiltImage } from '../prewarm/oci-images';
import { selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import {
  digestOf,
  inspectRaw,
  pushLayout,
  skopeo,
  startRegistry,
  startTokenRealm,
  stopRegistry,
  type TestRegistry,
  type TokenRealm,
} from './registries';

const RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 200 };
let cert: TestCertificate;
let work: string;
let upstream: TestRegistry;
let target: TestRegistry;
let secured: TestRegistry;
let realm: TokenRealm;
let layout: OciLayoutWriter;
const built: Record<string, BuiltImage> = {};

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-engine-'));
  realm = await startTokenRealm(cert);
  [upstream, target, secured] = await Promise.all([
    startRegistry(path.join(work, 'upstream'), cert),
    startRegistry(path.join(work, 'target'), cert, { kind: 'basic' }),
    startRegistry(path.join(work, 'secured'), cert, { kind: 'token', realm: realm.url, service: realm.service }),
  ]);
  layout = new OciLayoutWriter(path.join(work, 'layout'));
  built.single = layout.addImage('single', { platforms: ['linux/amd64'], layers: 2, layerBytes: 300_000 });
  built.multi = layout.addImage('multi', { platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'], layers: 2 });
  built.moving1 = layout.addImage('moving1', { platforms: ['linux/amd64', 'linux/arm64'] });
  built.moving2 = layout.addImage('moving2', { platforms: ['linux/amd64', 'linux/arm64'] });
  built.private = layout.addImage('private', { platforms: ['linux/amd64', 'linux/arm64'] });
  await pushLayout(upstream, layout.dir, 'single', 'team/single');
  await pushLayout(upstream, layout.dir, 'multi', 'team/multi');
  await pushLayout(upstream, layout.dir, 'moving1', 'team/moving');
  await pushLayout(secured, layout.dir, 'private', 'team/private', { user: realm.user, password: realm.password });
}, 120_000);

afterAll(async () => {
  await Promise.all([stopRegistry(upstream), stopRegistry(target), stopRegistry(secured), realm?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function session(r: TestRegistry, creds?: { username: string; password: string }): RegistrySession {
  return new RegistrySession({ baseUrl: `https://${r.address}`, ca: cert.cert, retry: RETRY, ...(creds ? { credentials: creds } : {}) });
}

async function copy(
  jobs: CopyJob[],
  options: { dryRun?: boolean; chunkBytes?: number; mode?: 'stream' | 'chunked'; wholeBytes?: number } = {},
): Promise<CopyResult[]> {
  const sources = new Map<string, RegistrySession>();
  const to = session(target, { username: target.user!, password: target.password! });
  try {
    return await copyImages(jobs, {
      target: to,
      targetHost: target.address,
      source: (host) => {
        let s = sources.get(host);
        if (s === undefined) {
          s = host === secured.address ? session(secured, { username: realm.user, password: realm.password }) : session(upstream);
          sources.set(host, s);
        }
        return s;
      },
      blob: {
        chunkBytes: options.chunkBytes ?? 64 * 1024,
        ...(options.mode ? { mode: options.mode } : {}),
        ...(options.wholeBytes !== undefined ? { wholeBytes: options.wholeBytes } : {}),
      },
      ...(options.dryRun ? { dryRun: true } : {}),
    });
  } finally {
    to.close();
    for (const s of sources.values()) s.close();
  }
}

function jobsOf(images: string[], extra: Partial<CopyConfig> = {}, host = upstream.address): CopyJob[] {
  const { jobs, rejected } = copyJobs({ copies: [{ prefix: 'cp', upstream: host, images, schedule: 'rate(1 day)', ...extra }] });
  expect(rejected).toEqual([]);
  return jobs;
}

const fromTarget = (reference: string) => inspectRaw(target, reference);

describe('copying from an anonymous upstream into a Basic-auth target', () => {
  test('a single-platform image: the copy is byte for byte the source, tag and digest', async () => {
    const [result] = await copy(jobsOf([`${upstream.address}/team/single:single`]));
    expect(result).toMatchObject({
      status: 'copied',
      digest: built.single!.digest,
      target: `${target.address}/cp/team/single:single`,
      blobs: { sent: 3, present: 0 },
    });
    const source = await inspectRaw(upstream, 'team/single:single');
    expect(await fromTarget('cp/team/single:single')).toBe(source);
    expect(digestOf(await fromTarget(`cp/team/single@${built.single!.digest}`))).toBe(built.single!.digest);
  });

  test('a multi-arch index stays the same index, every platform manifest byte for byte', async () => {
    const [result] = await copy(jobsOf([`${upstream.address}/team/multi:multi`]));
    expect(result).toMatchObject({ status: 'copied', digest: built.multi!.digest, blobs: { sent: 9, present: 0 } });
    expect(await fromTarget('cp/team/multi:multi')).toBe(await inspectRaw(upstream, 'team/multi:multi'));
    for (const m of built.multi!.manifests) {
      expect({ platform: m.platform, digest: digestOf(await fromTarget(`cp/team/multi@${m.digest}`)) }).toEqual({
        platform: m.platform,
        digest: m.digest,
      });
    }
  });

  test('a Docker schema 2 manifest keeps its media type and bytes', async () => {
    await skopeo([
      'copy',
      '--quiet',
      '--format',
      'v2s2',
      '--dest-tls-verify=false',
      `oci:${layout.dir}:single`,
      `docker://${upstream.address}/team/docker:v2s2`,
    ]);
    const source = await inspectRaw(upstream, 'team/docker:v2s2');
    expect(JSON.parse(source).mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const [result] = await copy(jobsOf([`${upstream.address}/team/docker:v2s2`]));
    expect(result).toMatchObject({ status: 'copied', digest: digestOf(source) });
    expect(await fromTarget('cp/team/docker:v2s2')).toBe(source);
  });

  test('a second run finds both unchanged and sends nothing', async () => {
    const results = await copy(jobsOf([`${upstream.address}/team/single:single`, `${upstream.address}/team/multi:multi`]));
    expect(results.map((r) => [r.status, r.blobs.sent, r.bytes])).toEqual([
      ['unchanged', 0, 0],
      ['unchanged', 0, 0],
    ]);
  });

  test('a cosign-style signature tag (sha256-<hex>.sig) follows its image, and is not sent again', async () => {
    built.sig = layout.addImage('sig', { platforms: ['linux/amd64'] });
    const sigTag = `${built.single!.digest.replace(':', '-')}.sig`;
    await pushLayout(upstream, layout.dir, 'sig', 'team/single', upstream, sigTag);
    const jobs = jobsOf([`${upstream.address}/team/single:single`]).map((j) => ({ ...j, targetRepository: 'signed/team/single' }));
    const [first] = await copy(jobs);
    expect(first).toMatchObject({ status: 'copied', digest: built.single!.digest, notes: [`copied its signature ${sigTag}`] });
    expect(await fromTarget(`signed/team/single:${sigTag}`)).toBe(await inspectRaw(upstream, `team/single:${sigTag}`));
    const [again] = await copy(jobs);
    expect(again).toMatchObject({ status: 'unchanged', notes: [], blobs: { sent: 0 } });
  });

  test('a platforms subset is a new index of those entries; its digest is reported and the tag points at it', async () => {
    const [result] = await copy(
      jobsOf([`${upstream.address}/team/multi:multi`], { prefix: 'sub', platforms: ['linux/arm64'] }).map((j) => ({
        ...j,
        targetRepository: 'sub/team/multi',
      })),
    );
    const copied = await fromTarget('sub/team/multi:multi');
    const index = JSON.parse(copied) as { manifests: { digest: string; platform: { architecture: string } }[] };
    const arm = built.multi!.manifests.find((m) => m.platform === 'linux/arm64')!;
    expect(index.manifests.map((m) => [m.platform.architecture, m.digest])).toEqual([['arm64', arm.digest]]);
    expect(result).toMatchObject({ status: 'copied', digest: digestOf(copied), blobs: { sent: 3 } });
    expect(result!.notes).toEqual([`platforms linux/arm64: the copy is a new index ${digestOf(copied)} (upstream ${built.multi!.digest})`]);
    expect(digestOf(await fromTarget(`sub/team/multi@${arm.digest}`))).toBe(arm.digest);
  });

  test('name:tag@digest copies that digest and points the tag at it, and says when the upstream tag has moved', async () => {
    const first = await copy(jobsOf([`${upstream.address}/team/moving:moving1@${built.moving1!.digest}`]));
    expect(first[0]).toMatchObject({ status: 'copied', digest: built.moving1!.digest, notes: [] });
    // The tag "moving1" now moves upstream to other content; the listed digest stays what is copied.
    await pushLayout(upstream, layout.dir, 'moving2', 'team/moving', upstream, 'moving1');
    const moved = await inspectRaw(upstream, 'team/moving:moving1');
    expect(digestOf(moved)).not.toBe(built.moving1!.digest);
    const again = await copy(jobsOf([`${upstream.address}/team/moving:moving1@${built.moving1!.digest}`]));
    expect(again[0]).toMatchObject({ status: 'unchanged', digest: built.moving1!.digest });
    expect(again[0]!.notes).toEqual([
      `upstream tag moving1 has moved to ${digestOf(moved)}; the copy keeps the listed ${built.moving1!.digest}`,
    ]);
    expect(digestOf(await fromTarget('cp/team/moving:moving1'))).toBe(built.moving1!.digest);
  });

  test('a digest-only image is copied by digest, without a tag', async () => {
    const arm = built.moving2!;
    await pushLayout(upstream, layout.dir, 'moving2', 'team/bydigest');
    const [result] = await copy(jobsOf([`${upstream.address}/team/bydigest@${arm.digest}`]));
    expect(result).toMatchObject({ status: 'copied', digest: arm.digest, target: `${target.address}/cp/team/bydigest@${arm.digest}` });
    expect(await fromTarget(`cp/team/bydigest@${arm.digest}`)).toBe(await inspectRaw(upstream, `team/bydigest@${arm.digest}`));
    await expect(fromTarget('cp/team/bydigest:moving2')).rejects.toThrow(/manifest unknown/);
  });

  test('--dry-run writes nothing: the target has no such repository afterwards', async () => {
    await pushLayout(upstream, layout.dir, 'moving2', 'team/dry');
    const [result] = await copy(jobsOf([`${upstream.address}/team/dry:moving2`]), { dryRun: true });
    expect(result).toMatchObject({
      status: 'copied',
      digest: built.moving2!.digest,
      notes: ['dry run: nothing was written'],
      blobs: { sent: 0, present: 0 },
    });
    await expect(fromTarget('cp/team/dry:moving2')).rejects.toThrow(/manifest unknown|name unknown/);
  });

  test('one streamed PATCH (no blob sent whole) gives the same bytes as the whole-blob PUTs', async () => {
    const jobs = jobsOf([`${upstream.address}/team/multi:multi`]).map((j) => ({ ...j, targetRepository: 'streamed/team/multi' }));
    const [result] = await copy(jobs, { wholeBytes: 0 });
    expect(result).toMatchObject({ status: 'copied', digest: built.multi!.digest, blobs: { sent: 9, present: 0 } });
    expect(await fromTarget('streamed/team/multi:multi')).toBe(await inspectRaw(upstream, 'team/multi:multi'));
  });

  test('chunked PATCHes of an odd few KiB give the same digests as one streamed PATCH', async () => {
    const jobs = jobsOf([`${upstream.address}/team/single:single`]).map((j) => ({ ...j, targetRepository: 'chunks/team/single' }));
    const [result] = await copy(jobs, { chunkBytes: 4096 + 7, mode: 'chunked' });
    expect(result).toMatchObject({ status: 'copied', digest: built.single!.digest });
    expect(await fromTarget('chunks/team/single:single')).toBe(await inspectRaw(upstream, 'team/single:single'));
  });
});

describe('copying from an upstream behind a Bearer token realm', () => {
  test('fetches a token for the repository with the credentials and copies the index byte for byte', async () => {
    const [result] = await copy(jobsOf([`${secured.address}/team/private:private`], {}, secured.address));
    expect(result).toMatchObject({ status: 'copied', digest: built.private!.digest });
    expect(realm.scopes).toContain('repository:team/private:pull');
    expect(await fromTarget('cp/team/private:private')).toBe(
      await inspectRaw(secured, 'team/private:private', { user: realm.user, password: realm.password }),
    );
  });
});
