/**
 * A pass longer than one invocation: it stops before the timeout, puts "Cache Eviction Pass
 * Continued" with its cursor, clock and totals (PutEvents asserted exactly), and the next invocation
 * resumes there; only the last part publishes metrics. ECR is the stateful fake of fake-ecr.ts
 * (DescribeRepositories two a page); the scheduled event is AWS's sample (test/fixtures/aws-events).
 */
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import scheduled from '../fixtures/aws-events/scheduled-event.json';
import { parseConfig } from '../../core';
import { MAX_EVICTION_PARTS, parseEvictionTrigger } from '../../core/lambda-contracts/evict-images/continuation';
import { EvictionUnfinishedError, runEviction, type EvictDeps } from '../../functions/evict-images/run';
import { fakeEcr, REGISTRY, type FakeRepository } from './fake-ecr';
import { DAY, manifest, NOW } from './fixtures';

const config = parseConfig({
  account: REGISTRY,
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  repositories: { eviction: { unpulledDays: 30, mode: 'report' } },
});
const payload = { account: REGISTRY, region: 'eu-west-2', rules: config.rules, repositories: config.repositories, prewarm: config.prewarm };
const NAMES = ['k8s/a', 'k8s/b', 'k8s/c', 'k8s/d', 'k8s/e'];

/** Five repositories of one stale image (evictable) and one pulled yesterday (kept), 30 MB each (fixtures.ts). */
function state(): Map<string, FakeRepository> {
  return new Map(
    NAMES.map((name) => [
      name,
      {
        images: [
          manifest(`${name}-old`, { imageTags: ['old'] }),
          manifest(`${name}-new`, { imageTags: ['new'], lastRecordedPullTime: new Date(NOW.getTime() - DAY) }),
        ],
        children: new Map(),
      },
    ]),
  );
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Remaining time that runs short after `plenty` checks. */
const clock = (plenty: number) => {
  let calls = 0;
  return () => (++calls <= plenty ? 10 * 60_000 : 3 * 60_000);
};

function deps(over: Partial<EvictDeps>): EvictDeps {
  return { ecr: new ECRClient({}), config: payload, log: silent, metric: () => undefined, now: NOW, ...over };
}

const totalsAfter = (repositories: number) => ({
  prefix: 'k8s',
  mode: 'report',
  repositories,
  ignored: 0,
  images: 2 * repositories,
  storedBytes: 60_000_000 * repositories,
  evictableGroups: repositories,
  evictableImages: repositories,
  evictableBytes: 30_000_000 * repositories,
  evictedImages: 0,
  evictedBytes: 0,
  failedImages: 0,
});

describe('an eviction pass longer than one invocation', () => {
  test('stops before the timeout and puts a continuation with the next repository, the clock and the totals so far, publishing no metric', async () => {
    const ecr = fakeEcr(state(), { repositoryPageSize: 2 });
    const events = mockClient(EventBridgeClient);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const metrics: unknown[] = [];
    const outcome = await runEviction(
      deps({ events: new EventBridgeClient({}), remainingTimeMs: clock(3), event: scheduled, metric: (...m) => void metrics.push(m) }),
    );
    expect(outcome).toMatchObject({ status: 'continued', part: 1 });
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(events.commandCalls(PutEventsCommand)[0]!.args[0].input).toEqual({
      Entries: [
        {
          Source: 'ptc-autopilot',
          DetailType: 'Cache Eviction Pass Continued',
          Detail: JSON.stringify({
            passStartedAt: '2026-12-07T03:00:00.000Z',
            part: 2,
            cursor: { pageToken: '2', nextRepository: 'k8s/d' },
            totals: [totalsAfter(3)],
            failedCount: 0,
          }),
        },
      ],
    });
    expect(metrics).toEqual([]);
    for (const name of ['k8s/d', 'k8s/e']) expect(ecr).not.toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: name });
    ecr.restore();
    events.restore();
  });

  test('the next invocation resumes at the cursor with the pass clock and publishes the metrics of the whole pass', async () => {
    const ecr = fakeEcr(state(), { repositoryPageSize: 2 });
    const events = mockClient(EventBridgeClient);
    const continuation = {
      version: '0',
      id: 'c0ffee00-0000-4000-8000-000000000001',
      'detail-type': 'Cache Eviction Pass Continued',
      source: 'ptc-autopilot',
      account: REGISTRY,
      time: '2026-12-07T03:14:00Z',
      region: 'eu-west-2',
      resources: [],
      detail: {
        passStartedAt: NOW.toISOString(),
        part: 2,
        cursor: { pageToken: '2', nextRepository: 'k8s/d' },
        totals: [totalsAfter(3)],
        failedCount: 0,
      },
    };
    const metrics: [string, string, number][] = [];
    const lines: [string, Record<string, unknown> | undefined][] = [];
    const outcome = await runEviction(
      deps({
        events: new EventBridgeClient({}),
        remainingTimeMs: () => 14 * 60_000,
        event: continuation,
        // 20 days later: the pass still decides with the clock of its first part.
        now: new Date(NOW.getTime() + 20 * DAY),
        metric: (p, n, v) => void metrics.push([p, n, v]),
        log: { ...silent, info: (m, a) => void lines.push([m, a]) },
      }),
    );
    expect(outcome).toMatchObject({ status: 'dropped' });
    expect(ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 0);

    const resumed = await runEviction(
      deps({
        events: new EventBridgeClient({}),
        remainingTimeMs: () => 14 * 60_000,
        event: continuation,
        now: new Date(NOW.getTime() + 20 * 60_000),
        metric: (p, n, v) => void metrics.push([p, n, v]),
        log: { ...silent, info: (m, a) => void lines.push([m, a]) },
      }),
    );
    expect(resumed).toMatchObject({ status: 'finished', part: 2 });
    const described = ecr.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input.repositoryName);
    expect([...new Set(described)]).toEqual(['k8s/d', 'k8s/e']);
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    expect(metrics).toEqual(
      expect.arrayContaining([
        ['k8s', 'StoredImages', 10],
        ['k8s', 'StoredBytes', 300_000_000],
        ['k8s', 'EvictableImages', 5],
        ['k8s', 'EvictableBytes', 150_000_000],
      ]),
    );
    expect(lines).toContainEqual([
      'eviction pass',
      expect.objectContaining({ passStartedAt: NOW.toISOString(), part: 2, covers: 'the whole pass (2 parts)', repositories: 5 }),
    ]);
    ecr.restore();
    events.restore();
  });

  test(`stops for good after ${MAX_EVICTION_PARTS} parts: no further continuation, the metrics of the parts done, an error for the alarms`, async () => {
    const ecr = fakeEcr(state(), { repositoryPageSize: 2 });
    const events = mockClient(EventBridgeClient);
    const metrics: [string, string, number][] = [];
    const last = {
      source: 'ptc-autopilot',
      'detail-type': 'Cache Eviction Pass Continued',
      detail: { passStartedAt: NOW.toISOString(), part: MAX_EVICTION_PARTS, cursor: {}, totals: [totalsAfter(1)], failedCount: 0 },
    };
    await expect(
      runEviction(
        deps({
          events: new EventBridgeClient({}),
          remainingTimeMs: clock(2),
          event: last,
          metric: (p, n, v) => void metrics.push([p, n, v]),
        }),
      ),
    ).rejects.toBeInstanceOf(EvictionUnfinishedError);
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    expect(metrics).toContainEqual(['k8s', 'StoredImages', 6]);
    ecr.restore();
    events.restore();
  });

  test('the schedule and direct invocations start a pass; a malformed continuation is dropped with its reason', () => {
    expect(parseEvictionTrigger(scheduled, NOW, 'ptc-autopilot')).toEqual({ kind: 'start' });
    expect(parseEvictionTrigger({}, NOW, 'ptc-autopilot')).toEqual({ kind: 'start' });
    const bad = (detail: unknown) =>
      parseEvictionTrigger({ source: 'ptc-autopilot', 'detail-type': 'Cache Eviction Pass Continued', detail }, NOW, 'ptc-autopilot');
    const ok = { passStartedAt: NOW.toISOString(), part: 2, cursor: {}, totals: [], failedCount: 0 };
    expect(bad(ok)).toMatchObject({ kind: 'continue' });
    expect(bad({ ...ok, part: MAX_EVICTION_PARTS + 1 })).toEqual({
      kind: 'drop',
      reason: `eviction continuation part ${MAX_EVICTION_PARTS + 1} is beyond the ${MAX_EVICTION_PARTS} a pass may take`,
    });
    expect(bad({ ...ok, totals: [{ prefix: 'k8s' }] })).toEqual({
      kind: 'drop',
      reason: 'eviction continuation detail.totals is not a list of per-prefix totals',
    });
    expect(bad({ ...ok, cursor: { nextRepository: 7 } })).toMatchObject({ kind: 'drop' });
  });
});
