/**
 * Eviction benchmark (`npm run bench -- eviction`): one eviction pass over BENCH_REPOS (10,000)
 * repositories of 20 images each (4 multi-arch tags with 2 signatures, 4 single-platform tags, 2
 * orphans; bench/eviction-fake.ts) against a fake ECR on 127.0.0.1 that throttles 10% of calls,
 * beside today's drift sweep of the same number of repositories through the same server code and
 * client settings. Reports DescribeImages pages per 1,000 images, wall times and their ratio, and
 * peak heap at a quarter of the repositories and at all of them (flat means it does not grow with
 * them). A delete-mode pass then checks that what was deleted is exactly what the pure domain
 * decides, and that no remaining index lists a deleted manifest.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { parseConfig } from '../core';
import { compileProtect, NO_PINS, planRepository } from '../core/eviction';
import { evict, type EvictReport } from '../engines/evict';
import { sweep } from '../engines/reconcile/sweep';
import { MetricTotals, silentLogger } from '../engines/reconcile/telemetry';
import { startFakeEcrServer } from '../test/reconciler/fake-ecr-server';
import { FakeRegistry } from '../test/reconciler/fake-registry';
import { RECONCILER_TEST_CONFIG_INPUT } from '../test/reconciler/helpers';
import { EvictionFakeRegistry, imagesOf } from './eviction-fake';
import { scaledStandardRetry } from './scaled-retry';

const REPOS = Number(process.env.BENCH_REPOS ?? 10_000);
const IMAGES_PER_REPO = 20;
const THROTTLE = 0.1;
const CONCURRENCY = 8;
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const NOW = new Date('2026-12-07T00:00:00Z');
const nowS = NOW.getTime() / 1000;

const config = (mode: 'report' | 'delete') =>
  parseConfig({
    ...RECONCILER_TEST_CONFIG_INPUT,
    repositories: { ...(RECONCILER_TEST_CONFIG_INPUT as { repositories?: object }).repositories, eviction: { unpulledDays: 90, mode } },
  });
const client = (endpoint: string) =>
  new ECRClient({ region: 'eu-west-2', endpoint, credentials, maxAttempts: 5, retryStrategy: scaledStandardRetry(5, 5) });
const mb = (n: number) => n / 1024 / 1024;

/** Runs `work`, sampling the heap; returns the wall time and the peak heap above the start. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; wallMs: number; peakHeapMb: number; retainedMb: number }> {
  global.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
  const started = performance.now();
  const result = await work();
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  global.gc?.();
  // What the run still holds after a full GC (the result included): flat means it does not grow with the repositories.
  return { result, wallMs, peakHeapMb: mb(peak - base), retainedMb: mb(process.memoryUsage().heapUsed - base) };
}

async function evictionRun(repos: number, mode: 'report' | 'delete') {
  const registry = EvictionFakeRegistry.generated(repos, Math.round(repos / 10), nowS);
  const server = await startFakeEcrServer(registry, { throttleRate: THROTTLE, seed: 7 });
  const ecr = client(server.endpoint);
  const run = await measured<EvictReport>(() =>
    evict({ ecr, config: config(mode), pins: NO_PINS, now: NOW, readManifests: true, concurrency: CONCURRENCY, retry: { delayMs: 5 } }),
  );
  ecr.destroy();
  await server.close();
  return { ...run, registry, stats: server.stats };
}

async function sweepRun(repos: number) {
  const registry = new FakeRegistry();
  for (let i = 0; i < repos; i++) registry.add(`docker-hub/team/app-${i}`);
  const server = await startFakeEcrServer(registry, { throttleRate: THROTTLE, seed: 7 });
  const ecr = client(server.endpoint);
  const events = { send: async () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] }) } as unknown as EventBridgeClient;
  const run = await measured(() =>
    sweep(
      { ecr, events, config: config('report'), partition: 'aws', log: silentLogger, metrics: new MetricTotals() },
      { concurrency: CONCURRENCY, retryDelayMs: 20 },
    ),
  );
  ecr.destroy();
  await server.close();
  return { ...run, stats: server.stats };
}

/** What the pure domain deletes in one generated repository. */
function expectedDeletions(repo: number): Set<string> {
  const { images, children } = imagesOf(repo, nowS);
  const records = images.map((i) => ({
    ...i,
    imagePushedAt: new Date(i.imagePushedAt * 1000),
    lastRecordedPullTime: i.lastRecordedPullTime === undefined ? undefined : new Date(i.lastRecordedPullTime * 1000),
  }));
  const plan = planRepository(
    { repositoryName: `docker-hub/team/app-${repo}`, images: records, children },
    { unpulledDays: 90, protect: compileProtect([]), pins: NO_PINS, now: NOW },
  );
  return new Set([...plan.rounds.flat(), ...plan.unordered]);
}

void (async () => {
  await evictionRun(Math.max(50, REPOS / 20), 'report'); // warm-up (JIT, connections), not reported
  const quarter = await evictionRun(Math.round(REPOS / 4), 'report');
  const full = await evictionRun(REPOS, 'report');
  const today = await sweepRun(REPOS);
  const pages = full.registry.calls.get('DescribeImages') ?? 0;
  const totals = full.result.prefixes.find((p) => p.prefix === 'docker-hub')!;
  console.log(
    `Eviction pass, report mode: ${REPOS} repositories x ${IMAGES_PER_REPO} images (+${Math.round(REPOS / 10)} outside the prefixes), ${THROTTLE * 100}% of calls throttled, concurrency ${CONCURRENCY}, fake ECR on 127.0.0.1`,
  );
  console.log(
    '  run                         repos   wall s  requests  throttled  DescribeImages pages per repository  peak heap MB  kept after GC MB',
  );
  const row = (
    label: string,
    repos: number,
    r: { wallMs: number; peakHeapMb: number; retainedMb: number; stats: { requests: number; throttled: number } },
    pagesPer?: number,
  ) =>
    console.log(
      `  ${label.padEnd(26)}  ${String(repos).padStart(6)}  ${(r.wallMs / 1000).toFixed(1).padStart(6)}  ${String(r.stats.requests).padStart(8)}  ${String(r.stats.throttled).padStart(9)}  ${(pagesPer === undefined ? '-' : pagesPer.toFixed(2)).padStart(35)}  ${r.peakHeapMb.toFixed(1).padStart(12)}  ${r.retainedMb.toFixed(1).padStart(16)}`,
    );
  row('eviction, a quarter', Math.round(REPOS / 4), quarter, (quarter.registry.calls.get('DescribeImages') ?? 0) / Math.round(REPOS / 4));
  row('eviction, all', REPOS, full, pages / REPOS);
  row("today's drift sweep", REPOS, today);
  console.log(
    `  evictable: ${totals.evictableGroups} groups, ${totals.evictableImages} of ${totals.images} images, ${(totals.evictableBytes / 1e9).toFixed(1)} of ${(totals.storedBytes / 1e9).toFixed(1)} GB`,
  );
  console.log(
    `  DescribeImages asks for 1,000 images a page (its maximum): ${pages} pages for ${REPOS * IMAGES_PER_REPO} images in ${REPOS} repositories, one per repository of ${IMAGES_PER_REPO}`,
  );
  console.log(
    `  eviction / sweep wall time: ${(full.wallMs / today.wallMs).toFixed(2)}x; peak heap all / a quarter: ${(full.peakHeapMb / Math.max(quarter.peakHeapMb, 0.1)).toFixed(2)}x (garbage between collections); kept after GC: ${quarter.retainedMb.toFixed(1)} MB and ${full.retainedMb.toFixed(1)} MB`,
  );

  const deleting = await evictionRun(Math.round(REPOS / 10), 'delete');
  let expected = 0;
  let mismatched = 0;
  for (let repo = 0; repo < Math.round(REPOS / 10); repo++) {
    const want = expectedDeletions(repo);
    expected += want.size;
    const { images } = imagesOf(repo, nowS);
    for (const i of images) if (want.has(i.imageDigest) !== deleting.registry.deleted.has(i.imageDigest)) mismatched++;
    const { children } = imagesOf(repo, nowS);
    for (const [idx, kids] of children)
      if (!deleting.registry.deleted.has(idx) && kids.some((k) => deleting.registry.deleted.has(k)))
        throw new Error(`a kept index lists a deleted manifest in repository ${repo}`);
  }
  const d = deleting.result.prefixes.find((p) => p.prefix === 'docker-hub')!;
  console.log(
    `\nDelete mode over ${Math.round(REPOS / 10)} repositories, ${THROTTLE * 100}% throttled: ${d.evictedImages} images deleted (${expected} decided by the domain), ${mismatched} differences, ${d.failedImages} failures, ${(deleting.wallMs / 1000).toFixed(1)} s; no kept index lists a deleted manifest`,
  );
  if (mismatched > 0 || d.failedImages > 0 || d.evictedImages !== expected) throw new Error('delete mode lost or kept the wrong images');
  process.exit(0);
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
