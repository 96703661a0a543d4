/**
 * Copy benchmark (`npm run bench -- copy`), against real registries on 127.0.0.1 over TLS (Debian's
 * docker-registry, test/copy/registries.ts): an anonymous upstream filled by skopeo, and an ECR-like
 * Basic-auth target. Side by side in one run (issue 22's two targets):
 *  - small images: BENCH_COPY_IMAGES (default 200) two-platform images (16 KiB random layers)
 *    copied by the engine (engines/copy with its default settings) into one target repository set,
 *    and by a `skopeo copy --all --preserve-digests` loop doing the same work into another;
 *    target: the engine at least 2x faster;
 *  - large layers: BENCH_COPY_BIG_IMAGES (default 8) images with one random layer of
 *    BENCH_COPY_BIG_MIB (default 256) MiB each, copied by the engine (its peak RSS sampled every
 *    20 ms; target under 256 MB) and by `skopeo copy` of the same images one after another, which
 *    is the floor: what the two registries and one copy at a time cost (target: the engine within
 *    1.3x of it);
 *  - optional: BENCH_COPY_HUGE_MIB (e.g. 1024) adds one image with a single layer of that size,
 *    engine against `skopeo copy`, with its peak RSS; BENCH_COPY_CHUNKED=1 adds the large images
 *    again with 8 MiB `PATCH` chunks instead of one streamed `PATCH`.
 * Every timed copy goes into fresh target repositories, so nothing is skipped as already present.
 * BENCH_COPY_CONCURRENCY overrides the engine's images at once (for tuning).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copyJobs } from '../core/copy/jobs';
import { mapLimit } from '../core/prewarm';
import { copyImages, RegistrySession, type CopyOptions } from '../engines/copy';
import { selfSignedCertificate } from '../test/prewarm/hostile-registry';
import { OciLayoutWriter } from '../test/prewarm/oci-images';
import { bigLayout } from '../test/copy/big-layout';
import { skopeo, startRegistry, stopRegistry, type TestRegistry } from '../test/copy/registries';

const IMAGES = Number(process.env.BENCH_COPY_IMAGES ?? 200);
const BIG_IMAGES = Number(process.env.BENCH_COPY_BIG_IMAGES ?? 8);
const BIG_MIB = Number(process.env.BENCH_COPY_BIG_MIB ?? 256);
const HUGE_MIB = Number(process.env.BENCH_COPY_HUGE_MIB ?? 0);
const CHUNKED = process.env.BENCH_COPY_CHUNKED === '1';
/** Images at once, and requests per session at twice that, as `ptc copy --concurrency` sets them. */
const CONCURRENCY = Number(process.env.BENCH_COPY_CONCURRENCY ?? 4);
const RSS_TARGET_MB = 256;

interface EngineRun {
  seconds: number;
  /** This process's CPU time (user + system), which other jobs on the machine disturb far less than wall time. */
  cpuSeconds: number;
  peakRssMb: number;
  failed: number;
  reason?: string;
}

async function engineCopy(
  images: string[],
  upstream: TestRegistry,
  target: TestRegistry,
  ca: string,
  prefix: string,
  extra: Partial<CopyOptions> = {},
): Promise<EngineRun> {
  const { jobs } = copyJobs({ copies: [{ prefix, upstream: upstream.address, images, schedule: 'rate(1 day)' }] });
  const source = new RegistrySession({ baseUrl: `https://${upstream.address}`, ca, concurrency: CONCURRENCY * 2 });
  const to = new RegistrySession({
    baseUrl: `https://${target.address}`,
    ca,
    concurrency: CONCURRENCY * 2,
    credentials: { username: target.user!, password: target.password! },
  });
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  try {
    const results = await copyImages(jobs, {
      target: to,
      targetHost: target.address,
      source: () => source,
      concurrency: CONCURRENCY,
      ...extra,
    });
    const failed = results.filter((r) => r.status === 'failed');
    return {
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      cpuSeconds: ((used) => (used.user + used.system) / 1e6)(process.cpuUsage(cpu)),
      peakRssMb: Math.round(peak / 1024 / 1024),
      failed: failed.length,
      ...(failed[0]?.reason !== undefined ? { reason: failed[0].reason } : {}),
    };
  } finally {
    clearInterval(sampler);
    source.close();
    to.close();
  }
}

async function skopeoLoop(images: string[], target: TestRegistry, prefix: string, all: boolean): Promise<number> {
  const started = process.hrtime.bigint();
  for (const image of images) {
    const rest = image.slice(image.indexOf('/') + 1);
    await skopeo([
      'copy',
      '--quiet',
      ...(all ? ['--all'] : []),
      '--preserve-digests',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      '--dest-creds',
      `${target.user}:${target.password}`,
      `docker://${image}`,
      `docker://${target.address}/${prefix}/${rest}`,
    ]);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const failures = (run: EngineRun): string =>
  `${run.cpuSeconds.toFixed(1)} s CPU, ${run.failed} failed${run.reason !== undefined ? `: ${run.reason}` : ''}`;

/** Pushes one large image to the upstream (its layout written to disk and removed after). */
async function pushBig(work: string, upstream: TestRegistry, name: string, mib: number): Promise<string> {
  const dir = path.join(work, name);
  bigLayout(dir, mib, name);
  await skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci:${dir}:${name}`, `docker://${upstream.address}/bench/${name}:v1`]);
  rmSync(dir, { recursive: true, force: true });
  return `${upstream.address}/bench/${name}:v1`;
}

async function main(): Promise<void> {
  const cert = selfSignedCertificate();
  const work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-bench-'));
  let upstream: TestRegistry | undefined;
  let target: TestRegistry | undefined;
  try {
    [upstream, target] = await Promise.all([
      startRegistry(path.join(work, 'upstream'), cert),
      startRegistry(path.join(work, 'target'), cert, { kind: 'basic' }),
    ]);
    const small: string[] = [];
    // Fill the upstream: generated two-platform images (random 16 KiB layers), pushed by skopeo from a layout.
    const seedDir = path.join(work, 'seed');
    const layout = new OciLayoutWriter(seedDir);
    for (let i = 0; i < IMAGES; i++)
      layout.addImage(`img${i}`, { platforms: ['linux/amd64', 'linux/arm64'], layers: 1, layerBytes: 16 * 1024 });
    await mapLimit(
      Array.from({ length: IMAGES }, (_, i) => i),
      4,
      async (i) => {
        await skopeo([
          'copy',
          '--quiet',
          '--all',
          '--preserve-digests',
          '--dest-tls-verify=false',
          `oci:${seedDir}:img${i}`,
          `docker://${upstream!.address}/bench/img${i}:v1`,
        ]);
        small.push(`${upstream!.address}/bench/img${i}:v1`);
      },
    );
    small.sort();
    const big: string[] = [];
    for (let i = 0; i < BIG_IMAGES; i++) big.push(await pushBig(work, upstream, `big${i}`, BIG_MIB));
    const huge = HUGE_MIB > 0 ? await pushBig(work, upstream, 'huge', HUGE_MIB) : undefined;

    const lines: string[] = [];
    if (IMAGES > 0) {
      const engine = await engineCopy(small, upstream, target, cert.cert, 'engine');
      const loop = await skopeoLoop(small, target, 'skopeo', true);
      const ratio = loop / engine.seconds;
      lines.push(
        `${IMAGES} two-platform images: engine ${engine.seconds.toFixed(1)} s (${failures(engine)}), skopeo copy --all loop ${loop.toFixed(1)} s: ${ratio.toFixed(2)}x faster (target >= 2x) ${ratio >= 2 ? 'OK' : 'MISSED'}`,
      );
    }
    if (BIG_IMAGES > 0) {
      const engine = await engineCopy(big, upstream, target, cert.cert, 'engine');
      const floor = await skopeoLoop(big, target, 'skopeo', false);
      const ratio = engine.seconds / floor;
      lines.push(
        `${BIG_IMAGES} images of one ${BIG_MIB} MiB layer: engine ${engine.seconds.toFixed(1)} s (${failures(engine)}), floor (skopeo copy of the ${BIG_IMAGES} one after another) ${floor.toFixed(1)} s: ${ratio.toFixed(2)}x the floor (target <= 1.3x) ${ratio <= 1.3 ? 'OK' : 'MISSED'}`,
      );
      lines.push(
        `  engine peak RSS ${engine.peakRssMb} MB (target < ${RSS_TARGET_MB} MB) ${engine.peakRssMb < RSS_TARGET_MB ? 'OK' : 'MISSED'}`,
      );
      if (CHUNKED) {
        const chunked = await engineCopy(big, upstream, target, cert.cert, 'chunked', { blob: { mode: 'chunked' } });
        lines.push(
          `  the same with 8 MiB PATCH chunks: ${chunked.seconds.toFixed(1)} s (${failures(chunked)}), ${(chunked.seconds / floor).toFixed(2)}x the floor, peak RSS ${chunked.peakRssMb} MB`,
        );
      }
    }
    if (huge !== undefined) {
      const engine = await engineCopy([huge], upstream, target, cert.cert, 'engine');
      const floor = await skopeoLoop([huge], target, 'skopeo', false);
      lines.push(
        `one ${HUGE_MIB} MiB layer: engine ${engine.seconds.toFixed(1)} s (${failures(engine)}), skopeo copy ${floor.toFixed(1)} s: ${(engine.seconds / floor).toFixed(2)}x; engine peak RSS ${engine.peakRssMb} MB (target < ${RSS_TARGET_MB} MB) ${engine.peakRssMb < RSS_TARGET_MB ? 'OK' : 'MISSED'}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all([stopRegistry(upstream), stopRegistry(target)]);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`copy benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
