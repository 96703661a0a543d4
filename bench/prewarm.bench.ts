/**
 * Prewarm benchmark (`npm run bench:prewarm`): 200 images, each an OCI index over linux/amd64 and
 * linux/arm64, in a local upstream registry (Debian's docker-registry), prewarmed through an
 * authenticated pull-through proxy of it two ways, side by side in one run:
 *  - `ptc prewarm` (the CLI, in its own process): index, both platform manifests, every config
 *    and layer blob, 8 requests in flight;
 *  - the loop a user writes today: `skopeo inspect --raw` per image, one after another (it fetches
 *    the top manifest only, so it does less work than prewarm);
 *  - for the same work as prewarm: `skopeo copy --all` of each image to a scratch directory, one
 *    after another (every manifest and blob of both platforms), reported beside the headline ratio.
 * Each way gets its own cold proxy of the same upstream. Prints the wall times, their ratio
 * (target: prewarm at least 10x faster) and the prewarm process's peak RSS (target: under 150 MB).
 *
 * `BENCH_IMAGES=50 npm run bench:prewarm` runs a smaller set.
 */
import { execSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { mapLimit } from '../core/prewarm';
import { pushGeneratedImage } from '../test/prewarm/oci-images';
import { startProxy, startRegistries, stopRegistries, type LocalRegistries } from '../test/prewarm/registries';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 200);
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const LAYER_BYTES = 64 * 1024;
const RSS_TARGET_MB = 150;
const RATIO_TARGET = 10;
const ROOT = path.join(__dirname, '..');
const CLK_TCK = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds a process has used (`/proc/<pid>/stat` utime + stime); `self-children` for this process's waited children. */
function cpuSeconds(pid: string): number {
  const fields = readFileSync(`/proc/${pid === 'self-children' ? 'self' : pid}/stat`, 'utf8')
    .split(') ')[1]!
    .split(' ');
  // After the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based).
  const [u, s] = pid === 'self-children' ? [fields[13], fields[14]] : [fields[11], fields[12]];
  return (Number(u) + Number(s)) / CLK_TCK;
}

/** The pid of the registry whose state lives in `dir`. */
const registryPid = (dir: string): string => readFileSync(path.join(dir, 'pid'), 'utf8').trim();

/** CPU used by the cache proxy and the upstream while `fn` runs. */
async function registryCpu<T>(
  pids: { proxy: string; upstream: string },
  fn: () => Promise<T>,
): Promise<{ value: T; proxy: number; upstream: number }> {
  const p0 = cpuSeconds(pids.proxy);
  const u0 = cpuSeconds(pids.upstream);
  const value = await fn();
  return { value, proxy: cpuSeconds(pids.proxy) - p0, upstream: cpuSeconds(pids.upstream) - u0 };
}

const s2 = (seconds: number): string => `${seconds.toFixed(2)} s`;

async function main(): Promise<void> {
  let registries: LocalRegistries | undefined;
  const work = mkdtempSync(path.join(tmpdir(), 'ptc-bench-prewarm-'));
  try {
    registries = startRegistries();
    const skopeoProxy = startProxy(registries, 'skopeo-proxy');
    const copyProxy = startProxy(registries, 'copy-proxy');
    const names = Array.from({ length: IMAGES }, (_, i) => `img-${String(i).padStart(3, '0')}`);

    const t = performance.now();
    await mapLimit(names, 8, (name) =>
      pushGeneratedImage(registries!.upstream, `docker-hub/bench/${name}`, '1.0', { platforms: PLATFORMS, layerBytes: LAYER_BYTES }),
    );
    process.stdout.write(
      `upstream filled: ${IMAGES} images x ${PLATFORMS.length} platforms (1 layer of ${LAYER_BYTES / 1024} KiB each) in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
    );

    // Same mapping as the tests: docker.io/bench/img-NNN -> docker-hub/bench/img-NNN, pushed there in the upstream.
    const config = path.join(work, 'ptc.yaml');
    writeFileSync(
      config,
      [
        'account: "111122223333"',
        'region: eu-west-2',
        'rules:',
        '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }',
        'prewarm:',
        `  images: [${names.map((n) => `docker.io/bench/${n}:1.0`).join(', ')}]`,
        '',
      ].join('\n'),
    );

    // The real CLI (bin/ptc.js), in its own process; a preloaded hook reports its peak RSS on fd 3 at exit.
    const rssHook = path.join(work, 'report-rss.cjs');
    writeFileSync(
      rssHook,
      "process.on('exit', () => require('fs').writeSync(3, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, cpu: process.cpuUsage() })));\n",
    );
    const upstreamPid = registryPid(path.join(registries.base, 'upstream'));

    // 1. ptc prewarm through its cold proxy.
    let prewarmWallMs = 0;
    const prewarm = await registryCpu({ proxy: registryPid(path.join(registries.base, 'proxy')), upstream: upstreamPid }, async () => {
      const started = performance.now();
      const outcome = await new Promise<{ code: number | null; out: string; fd3: string }>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          [
            '-r',
            rssHook,
            path.join(ROOT, 'bin', 'ptc.js'),
            'prewarm',
            '--config',
            config,
            '--registry-url',
            registries!.proxy,
            '--insecure-http',
            '--username',
            registries!.user,
            '--password-stdin',
            '--json',
          ],
          { stdio: ['pipe', 'pipe', 'inherit', 'pipe'] },
        );
        let out = '';
        let fd3 = '';
        p.stdout!.on('data', (c: Buffer) => (out += c.toString()));
        (p.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (fd3 += c.toString()));
        p.on('error', reject);
        p.on('close', (code) => resolve({ code, out, fd3 }));
        p.stdin!.end(`${registries!.password}\n`);
      });
      prewarmWallMs = performance.now() - started;
      return outcome;
    });
    const report = JSON.parse(prewarm.value.out) as { summary: { ok: number; images: number } };
    if (prewarm.value.code !== 0 || report.summary.ok !== IMAGES)
      throw new Error(`prewarm did not warm every image: ${JSON.stringify(report.summary)}`);
    const usage = JSON.parse(prewarm.value.fd3) as { maxRssKb: number; cpu: { user: number; system: number } };
    const prewarmCpu = (usage.cpu.user + usage.cpu.system) / 1e6;

    // 2. The sequential skopeo loop through its own cold proxy.
    let skopeoMs = 0;
    const children0 = cpuSeconds('self-children');
    const skopeo = await registryCpu(
      { proxy: registryPid(path.join(registries.base, 'skopeo-proxy')), upstream: upstreamPid },
      async () => {
        const started = performance.now();
        for (const name of names) {
          const r = spawnSync(
            'skopeo',
            [
              'inspect',
              '--raw',
              '--tls-verify=false',
              '--creds',
              `${registries!.user}:${registries!.password}`,
              `docker://${skopeoProxy}/docker-hub/bench/${name}:1.0`,
            ],
            { encoding: 'utf8' },
          );
          if (r.status !== 0) throw new Error(`skopeo inspect ${name} failed: ${r.stderr}`);
        }
        skopeoMs = performance.now() - started;
      },
    );
    const skopeoCpu = cpuSeconds('self-children') - children0;

    // 3. Equal work: a sequential `skopeo copy --all` loop (every manifest and blob) through a third cold proxy.
    let copyMs = 0;
    const scratch = path.join(work, 'copy');
    await registryCpu({ proxy: registryPid(path.join(registries.base, 'copy-proxy')), upstream: upstreamPid }, async () => {
      const started = performance.now();
      for (const name of names) {
        const r = spawnSync(
          'skopeo',
          [
            'copy',
            '--quiet',
            '--all',
            '--src-tls-verify=false',
            '--src-creds',
            `${registries!.user}:${registries!.password}`,
            `docker://${copyProxy}/docker-hub/bench/${name}:1.0`,
            `dir:${scratch}`,
          ],
          { encoding: 'utf8' },
        );
        if (r.status !== 0) throw new Error(`skopeo copy ${name} failed: ${r.stderr}`);
        rmSync(scratch, { recursive: true, force: true });
      }
      copyMs = performance.now() - started;
    });

    const ratio = skopeoMs / prewarmWallMs;
    const rssMb = usage.maxRssKb / 1024;
    const gets = IMAGES * (1 + PLATFORMS.length * 3);
    process.stdout.write(
      [
        `ptc prewarm (bin/ptc.js, concurrency 8): ${s2(prewarmWallMs / 1000)} wall, process start to exit; ${gets} GETs (per image: index, ${PLATFORMS.length} manifests, ${PLATFORMS.length * 2} blobs)`,
        `    CPU: ptc ${s2(prewarmCpu)}, cache proxy ${s2(prewarm.proxy)}, upstream ${s2(prewarm.upstream)}`,
        `skopeo inspect --raw loop:             ${s2(skopeoMs / 1000)} wall; ${IMAGES} processes, the top manifest only`,
        `    CPU: skopeo ${s2(skopeoCpu)}, cache proxy ${s2(skopeo.proxy)}, upstream ${s2(skopeo.upstream)}`,
        `ratio: skopeo loop / prewarm = ${ratio.toFixed(2)}x (target >= ${RATIO_TARGET}x) ${ratio >= RATIO_TARGET ? 'MET' : 'MISSED'}`,
        `same work: skopeo copy --all loop ${s2(copyMs / 1000)} wall (every manifest and blob, to a scratch dir); skopeo copy loop / prewarm = ${(copyMs / prewarmWallMs).toFixed(2)}x`,
        `per GET: prewarm ${(prewarmWallMs / gets).toFixed(1)} ms, skopeo loop ${(skopeoMs / IMAGES).toFixed(1)} ms (${(skopeoMs / IMAGES / (prewarmWallMs / gets)).toFixed(1)}x); the registries' CPU is ${(((prewarm.proxy + prewarm.upstream) / (prewarm.proxy + prewarm.upstream + prewarmCpu)) * 100).toFixed(0)}% of the prewarm side's CPU`,
        `prewarm peak RSS: ${rssMb.toFixed(1)} MB (target < ${RSS_TARGET_MB} MB) ${rssMb < RSS_TARGET_MB ? 'MET' : 'MISSED'}`,
        `machine: ${cpus().length} CPUs, load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    stopRegistries(registries);
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`prewarm benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
