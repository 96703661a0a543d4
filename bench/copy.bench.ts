/**
 * Copy benchmark (`npm run bench -- copy`), against real registries on 127.0.0.1 over TLS (Debian's
 * docker-registry, test/copy/registries.ts): an anonymous upstream filled by skopeo, and an ECR-like
 * Basic-auth target. Side by side in one run:
 *  - small images: BENCH_COPY_IMAGES (default 200) two-platform images copied by the engine
 *    (engines/copy, 4 images at once), and by a `skopeo copy --all` loop doing the same work into a
 *    second target repository; target: the engine at least 2x faster;
 *  - a large layer: one image whose layer is BENCH_COPY_LAYER_MIB (default 1024) MiB of random bytes,
 *    copied by the engine (its peak RSS sampled every 20 ms; target under 256 MB whatever the size)
 *    and by `skopeo copy` (the floor: target within 1.3x of it), then by the engine again with
 *    8 MiB `PATCH` chunks instead of one streamed `PATCH` (the measurement behind the default).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { copyJobs } from '../core/copy/jobs';
import { mapLimit } from '../core/prewarm';
import { copyImages, RegistrySession } from '../engines/copy';
import { selfSignedCertificate } from '../test/prewarm/hostile-registry';
import { OciLayoutWriter } from '../test/prewarm/oci-images';
import { skopeo, startRegistry, stopRegistry, type TestRegistry } from '../test/copy/registries';

const IMAGES = Number(process.env.BENCH_COPY_IMAGES ?? 200);
const LAYER_MIB = Number(process.env.BENCH_COPY_LAYER_MIB ?? 1024);
const RSS_TARGET_MB = 256;

/** Writes an OCI layout holding one image with one random layer of `mib` MiB, streamed to disk. */
function bigLayout(dir: string, mib: number): void {
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const tmp = path.join(dir, 'layer.tmp');
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  for (let i = 0; i < mib; i++) {
    const chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  const layer = `sha256:${hash.digest('hex')}`;
  renameSync(tmp, path.join(dir, 'blobs', 'sha256', layer.slice(7)));
  const blob = (data: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const config = blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer] } })));
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: mib * 1024 * 1024 }],
      }),
    ),
  );
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'big' },
        },
      ],
    }),
  );
}

async function engineCopy(
  images: string[],
  upstream: TestRegistry,
  target: TestRegistry,
  ca: string,
  prefix: string,
  mode: 'stream' | 'chunked' = 'stream',
): Promise<{ seconds: number; peakRssMb: number; failed: number }> {
  const { jobs } = copyJobs({ copies: [{ prefix, upstream: upstream.address, images, schedule: 'rate(1 day)' }] });
  const source = new RegistrySession({ baseUrl: `https://${upstream.address}`, ca, concurrency: 16 });
  const to = new RegistrySession({
    baseUrl: `https://${target.address}`,
    ca,
    concurrency: 16,
    credentials: { username: target.user!, password: target.password! },
  });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = process.hrtime.bigint();
  try {
    const results = await copyImages(jobs, {
      target: to,
      targetHost: target.address,
      source: () => source,
      concurrency: 4,
      blob: { mode },
    });
    return {
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      peakRssMb: Math.round(peak / 1024 / 1024),
      failed: results.filter((r) => r.status === 'failed').length,
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
    const bigDir = path.join(work, 'big');
    bigLayout(bigDir, LAYER_MIB);
    await skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci:${bigDir}:big`, `docker://${upstream.address}/bench/big:v1`]);
    rmSync(bigDir, { recursive: true, force: true });

    const lines: string[] = [];
    if (IMAGES > 0) {
      const engine = await engineCopy(small, upstream, target, cert.cert, 'engine');
      const loop = await skopeoLoop(small, target, 'skopeo', true);
      const ratio = loop / engine.seconds;
      lines.push(
        `${IMAGES} two-platform images: engine ${engine.seconds.toFixed(1)} s (${engine.failed} failed), skopeo copy --all loop ${loop.toFixed(1)} s: ${ratio.toFixed(2)}x (target >= 2x) ${ratio >= 2 ? 'OK' : 'MISSED'}`,
      );
    }
    const big = await engineCopy([`${upstream.address}/bench/big:v1`], upstream, target, cert.cert, 'engine');
    const floor = await skopeoLoop([`${upstream.address}/bench/big:v1`], target, 'skopeo', false);
    const chunked = await engineCopy([`${upstream.address}/bench/big:v1`], upstream, target, cert.cert, 'chunked', 'chunked');
    const bigRatio = big.seconds / floor;
    lines.push(
      `one ${LAYER_MIB} MiB layer: engine (one streamed PATCH) ${big.seconds.toFixed(1)} s (${big.failed} failed), skopeo copy ${floor.toFixed(1)} s: ${bigRatio.toFixed(2)}x the floor (target <= 1.3x) ${bigRatio <= 1.3 ? 'OK' : 'MISSED'}`,
    );
    lines.push(
      `  the same with 8 MiB PATCH chunks: ${chunked.seconds.toFixed(1)} s (${chunked.failed} failed), ${(chunked.seconds / floor).toFixed(2)}x the floor`,
    );
    lines.push(
      `engine peak RSS ${big.peakRssMb} MB over the whole run (target < ${RSS_TARGET_MB} MB) ${big.peakRssMb < RSS_TARGET_MB ? 'OK' : 'MISSED'}`,
    );
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
