/**
 * Repository reconciler benchmark (`npm run bench -- reconciler`):
 *  1. ECR API calls per repository: a new one, one born from our creation template, a compliant one.
 *  2. A sweep of 10,000 managed repositories (plus 1,000 unmanaged) against a fake ECR on
 *     127.0.0.1 (its own process) that throttles 10% of calls, beside the same sweep unthrottled:
 *     every repository must end compliant with nothing foreign lost; wall time and peak memory.
 *
 * The sweep clients retry the way the SDK's standard mode does (throttling and transient errors,
 * 5 attempts), with full-jitter backoff scaled down (5 ms base instead of the SDK's 1 s for
 * throttling) so the run takes seconds. The Lambda's adaptive mode also rate-limits the client
 * after each throttle; a fake that throttles 10% of calls at any rate would drive that limiter to
 * its floor, which real ECR (throttling by rate) does not.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { canonicalJson, creationTemplateTags, desiredState, parseConfig, policyDocument } from '../core';
import { handleEvent } from '../functions/reconcile-repository/run';
import { sweep, type SweepReport } from '../engines/reconcile/sweep';
import { MetricTotals, silentLogger } from '../engines/reconcile/telemetry';
import type { FakeEcrRequest, FakeEcrVerification } from '../test/reconciler/fake-ecr-process';
import { startFakeEcrServer } from '../test/reconciler/fake-ecr-server';
import { FakeRegistry } from '../test/reconciler/fake-registry';
import { RECONCILER_TEST_CONFIG_INPUT } from '../test/reconciler/helpers';
import { scaledStandardRetry } from './scaled-retry';

const MANAGED = Number(process.env.BENCH_REPOS ?? 10_000);
const UNMANAGED = Math.round(MANAGED / 10);
const CONCURRENCY = 8;

const rawConfig = RECONCILER_TEST_CONFIG_INPUT;
const config = parseConfig(rawConfig);
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** The default bus, counted and otherwise ignored (a mock recording every call would weigh on the memory figures). */
let putEvents = 0;
const events = {
  send: async () => {
    putEvents++;
    return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
  },
} as unknown as EventBridgeClient;

// ---------------------------------------------------------------- 1. calls per repository

async function callsPerRepository(): Promise<void> {
  const registry = new FakeRegistry();
  const server = await startFakeEcrServer(registry);
  const ecr = new ECRClient({ region: 'eu-west-2', endpoint: server.endpoint, credentials, retryMode: 'adaptive', maxAttempts: 5 });
  const deps = { ecr, events, config, partition: 'aws', log: silentLogger, metrics: new MetricTotals(), concurrency: 1 };
  const event = (name: string) => ({
    version: '0',
    id: 'x',
    'detail-type': 'ECR Pull Through Cache Action',
    source: 'aws.ecr',
    account: '111122223333',
    time: '2024-01-01T00:00:00Z',
    region: 'eu-west-2',
    resources: [],
    detail: { 'sync-status': 'SUCCESS', 'ecr-repository-prefix': 'docker-hub', 'repository-name': name },
  });
  const measure = async (label: string, name: string, trigger: () => Promise<unknown>) => {
    registry.calls.clear();
    putEvents = 0;
    await trigger();
    const { calls, writes } = registry.totals();
    rows.push({ label, reads: calls - writes, writes, putEvents });
    return name;
  };
  const rows: { label: string; reads: number; writes: number; putEvents: number }[] = [];

  registry.add('docker-hub/library/new');
  await measure('new repository (event)', 'docker-hub/library/new', () => handleEvent(event('docker-hub/library/new'), deps));

  // Born from our creation template: lifecycle, policy, tags and mutability set; scan-on-push is not a template setting.
  const desired = desiredState(config, 'docker-hub/library/templated');
  if (!desired.managed) throw new Error('unexpected');
  registry.add('docker-hub/library/templated', {
    lifecyclePolicyText: canonicalJson(desired.lifecyclePolicy),
    policyText: canonicalJson(policyDocument(desired.repositoryPolicyStatements)),
    tags: creationTemplateTags(desired.tags),
  });
  await measure('born from creation template (event)', 'docker-hub/library/templated', () =>
    handleEvent(event('docker-hub/library/templated'), deps),
  );
  await measure('compliant repository (event)', 'docker-hub/library/new', () => handleEvent(event('docker-hub/library/new'), deps));
  await measure('sweep: 2 compliant repositories + 1 listing call', '', () => sweep(deps, { concurrency: 1 }));

  ecr.destroy();
  await server.close();
  console.log('ECR API calls per repository (PutEvents on the default bus counted apart)');
  console.log('  case                                               reads  writes  PutEvents');
  for (const r of rows)
    console.log(
      `  ${r.label.padEnd(50)} ${String(r.reads).padStart(5)}  ${String(r.writes).padStart(6)}  ${String(r.putEvents).padStart(9)}`,
    );
  const [fresh, , compliant] = rows;
  console.log(
    `  compliant / new repository: ${compliant!.reads + compliant!.writes} / ${fresh!.reads + fresh!.writes} calls (ratio ${((compliant!.reads + compliant!.writes) / (fresh!.reads + fresh!.writes)).toFixed(2)}), compliant writes = ${compliant!.writes}`,
  );
  if (compliant!.writes !== 0) throw new Error('a compliant repository cost writes');
}

// ---------------------------------------------------------------- 2. sweep of 10,000

function child(): Promise<{ proc: ChildProcess; ask: <T>(msg: FakeEcrRequest, reply: string) => Promise<T> }> {
  const proc = fork(path.join(__dirname, '..', 'test', 'reconciler', 'fake-ecr-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(msg: FakeEcrRequest, reply: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type: string } & Record<string, unknown>) => {
        if (m.type !== reply) return;
        proc.off('message', on);
        resolve((m.result ?? m.endpoint) as T);
      };
      proc.on('message', on);
      proc.send(msg);
    });
  return new Promise((resolve) => proc.once('message', () => resolve({ proc, ask })));
}

interface SweepRun {
  throttleRate: number;
  wallMs: number;
  peakRssMb: number;
  peakHeapMb: number;
  baseRssMb: number;
  /** Heap still used after the sweep and a full GC, minus before: what the sweep kept. */
  retainedHeapMb: number;
  report: SweepReport;
  verification: FakeEcrVerification;
  retryRoundsLogged: number;
}

async function sweepRun(ask: Awaited<ReturnType<typeof child>>['ask'], throttleRate: number, managed = MANAGED): Promise<SweepRun> {
  const endpoint = await ask<string>(
    { type: 'setup', config: rawConfig, managed, unmanaged: Math.round(managed / 10), throttleRate, seed: 7 },
    'ready',
  );
  global.gc?.();
  const mb = (n: number) => n / 1024 / 1024;
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const ecr = new ECRClient({
    region: 'eu-west-2',
    endpoint,
    credentials,
    maxAttempts: 5,
    retryStrategy: scaledStandardRetry(5, 5),
  });
  let retryRounds = 0;
  const log = { ...silentLogger, warn: (m: string) => void (m.startsWith('retrying') && retryRounds++) };
  const started = performance.now();
  const report = await sweep(
    { ecr, events, config, partition: 'aws', log, metrics: new MetricTotals() },
    { concurrency: CONCURRENCY, retryDelayMs: 20 },
  );
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  ecr.destroy();
  global.gc?.();
  const retainedHeapMb = mb(process.memoryUsage().heapUsed - base.heapUsed);
  const verification = await ask<FakeEcrVerification>({ type: 'verify' }, 'verified');
  return {
    throttleRate,
    wallMs,
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
    baseRssMb: mb(base.rss),
    retainedHeapMb,
    report,
    verification,
    retryRoundsLogged: retryRounds,
  };
}

async function sweepBenchmark(): Promise<void> {
  const { proc, ask } = await child();
  try {
    await sweepRun(ask, 0.1, Math.max(100, MANAGED / 10)); // warm-up (JIT, connections), not reported
    const runs = [await sweepRun(ask, 0), await sweepRun(ask, 0.1)];
    console.log(
      `\nSweep of ${MANAGED} managed + ${UNMANAGED} unmanaged repositories, concurrency ${CONCURRENCY}, fake ECR on 127.0.0.1 (child process)`,
    );
    console.log(
      '  throttled  wall s  repos/s  requests  throttled  configured  compliant-after  foreign-kept  failed  sweep-retry-rounds  peak RSS MB (at start)  peak heap MB  kept after GC MB',
    );
    for (const r of runs) {
      const v = r.verification;
      console.log(
        `  ${`${r.throttleRate * 100}%`.padStart(9)}  ${(r.wallMs / 1000).toFixed(1).padStart(6)}  ${Math.round(MANAGED / (r.wallMs / 1000))
          .toString()
          .padStart(
            7,
          )}  ${String(v.requests).padStart(8)}  ${String(v.throttled).padStart(9)}  ${String(r.report.configured).padStart(10)}  ${`${v.compliant}/${v.managed}`.padStart(15)}  ${`${v.foreignStatementsKept}/${v.foreignStatementsExpected}`.padStart(12)}  ${String(r.report.failedCount).padStart(6)}  ${String(r.retryRoundsLogged).padStart(18)}  ${`${r.peakRssMb.toFixed(0)} (${r.baseRssMb.toFixed(0)})`.padStart(22)}  ${r.peakHeapMb.toFixed(0).padStart(12)}  ${r.retainedHeapMb.toFixed(1).padStart(16)}`,
      );
      if (
        v.compliant !== v.managed ||
        r.report.failedCount > 0 ||
        v.foreignStatementsKept !== v.foreignStatementsExpected ||
        v.unmanagedUntouched !== UNMANAGED
      ) {
        throw new Error(
          `sweep lost repositories or foreign settings: ${JSON.stringify({ ...v, calls: undefined, failed: r.report.failedCount })}`,
        );
      }
    }
    const [calm, busy] = runs;
    console.log(
      `  throttled / unthrottled wall time: ${(busy!.wallMs / calm!.wallMs).toFixed(2)}x; every repository compliant and every foreign statement and tag kept in both runs`,
    );
  } finally {
    await ask({ type: 'close' }, 'never').catch(() => undefined);
    proc.kill();
  }
}

void (async () => {
  await callsPerRepository();
  await sweepBenchmark();
  process.exit(0);
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
