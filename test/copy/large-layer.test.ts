/**
 * A layer of 1 GiB streamed with bounded memory (issue 22, "Tests it must show"): skopeo pushes an
 * image with one 1 GiB random layer (test/copy/big-layout.ts) to a real docker-registry over TLS,
 * the engine copies it into a Basic-auth target, and this process's resident memory, sampled every
 * 20 ms during the copy, grows by far less than the layer: an engine that held the layer (or a
 * large part of it) in memory would grow by a gigabyte. The copy is byte for byte the source
 * (`skopeo inspect --raw` equal, the layer's digest and size in the target). Speed is measured in
 * the benchmark (`npm run bench -- copy`), never here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copyJobs } from '../../core/copy/jobs';
import { copyImages, RegistrySession } from '../../engines/copy';
import { selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import { bigLayout } from './big-layout';
import { inspectRaw, skopeo, startRegistry, stopRegistry, type TestRegistry } from './registries';

const LAYER_MIB = 1024;
/** A quarter of the layer: node's stream buffers and TLS records are a few MiB; holding the layer is a GiB. */
const GROWTH_BOUND_MB = 256;

let cert: TestCertificate;
let work: string;
let upstream: TestRegistry;
let target: TestRegistry;

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-large-'));
  [upstream, target] = await Promise.all([
    startRegistry(path.join(work, 'upstream'), cert),
    startRegistry(path.join(work, 'target'), cert, { kind: 'basic' }),
  ]);
  const layout = path.join(work, 'layout');
  bigLayout(layout, LAYER_MIB, 'big');
  await skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:big`, `docker://${upstream.address}/org/big:v1`]);
  rmSync(layout, { recursive: true, force: true });
}, 600_000);

afterAll(async () => {
  await Promise.all([stopRegistry(upstream), stopRegistry(target)]);
  if (work) rmSync(work, { recursive: true, force: true });
});

const targetSession = () =>
  new RegistrySession({
    baseUrl: `https://${target.address}`,
    ca: cert.cert,
    credentials: { username: target.user!, password: target.password! },
  });

test('a 1 GiB layer is streamed: the copy is byte for byte the source, and memory grows by far less than the layer', async () => {
  const image = `${upstream.address}/org/big:v1`;
  const { jobs } = copyJobs({ copies: [{ prefix: 'big', upstream: upstream.address, images: [image], schedule: 'rate(1 day)' }] });
  const source = new RegistrySession({ baseUrl: `https://${upstream.address}`, ca: cert.cert });
  const to = targetSession();
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  let results;
  try {
    results = await copyImages(jobs, { target: to, targetHost: target.address, source: () => source });
  } finally {
    clearInterval(sampler);
    source.close();
    to.close();
  }
  expect(results.map((r) => [r.status, r.reason])).toEqual([['copied', undefined]]);
  expect(results[0]!.bytes).toBeGreaterThanOrEqual(LAYER_MIB * 1024 * 1024);
  const raw = await inspectRaw(upstream, 'org/big:v1');
  expect(await inspectRaw(target, 'big/org/big:v1')).toBe(raw);
  const layer = (JSON.parse(raw) as { layers: { digest: string; size: number }[] }).layers[0]!;
  // skopeo gzips the tar layer on its way to a registry: random bytes compress to a little more than they were.
  expect(layer.size).toBeGreaterThanOrEqual(LAYER_MIB * 1024 * 1024);
  const check = targetSession();
  try {
    const head = await check.request({
      method: 'HEAD',
      path: `/v2/big/org/big/blobs/${layer.digest}`,
      repository: 'big/org/big',
      what: 'HEAD layer',
    });
    expect([head.status, head.header('content-length')]).toEqual([200, String(layer.size)]);
  } finally {
    check.close();
  }
  expect((peak - baseline) / 1024 / 1024).toBeLessThan(GROWTH_BOUND_MB);
}, 600_000);
