/**
 * One part of an eviction pass in the Lambda: pins from the prewarm images (and manifest), the
 * engine over the managed repositories, one log line per evicted group. A pass that would outlast
 * the invocation stops taking repositories `EVICTION_STOP_MARGIN_MS` before the timeout and puts a
 * continuation event (cursor, clock, totals so far); the part that finishes the pass publishes the
 * per-prefix metrics of the whole pass. Deletion failures end that last part with
 * `EvictionIncompleteError`, so Lambda retries it and the DLQ alarm fires when it keeps failing.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ecrRegistryHost } from '../../core/upstreams';
import { PtcError } from '../../core/errors';
import { pinnedImages } from '../../core/eviction';
import { manifestSources } from '../../core/prewarm/image-list';
import { loadManifestImages } from '../../engines/prewarm';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { MAX_EVICTION_PARTS, parseEvictionTrigger, type EvictionContinuation } from '../../core/lambda-contracts/evict-images/continuation';
import { evict, publishEvictionContinuation, type EvictReport, type PrefixTotals, type RetryOptions } from '../../engines/evict';
import { EVENT_SOURCE } from '../../engines/reconcile/events';
import type { FunctionLogger } from '../shared/runtime';
import type { EvictMetricName } from '../../core/lambda-contracts/evict-images/metric-names';
import type { EvictPayload } from '../../core/lambda-contracts/evict-images/settings';

/** Some deletions failed; thrown after the pass so Lambda retries and the DLQ alarm can fire. */
export class EvictionIncompleteError extends PtcError {
  constructor(readonly failedCount: number) {
    super(`eviction could not delete ${failedCount} images; the log names each`);
  }
}

/** A pass that needed more than `MAX_EVICTION_PARTS` invocations; the metrics published cover the parts done. */
export class EvictionUnfinishedError extends PtcError {
  constructor(readonly parts: number) {
    super(`the eviction pass needed more than ${parts} invocations and stopped; its metrics cover only the repositories it reached`);
  }
}

/** A part stops taking repositories when less than this is left of the invocation (the reconciler's sweep margin). */
export const EVICTION_STOP_MARGIN_MS = 4 * 60 * 1000;

/** What an invocation did (the Lambda's return value, visible on direct invocations). */
export type EvictionOutcome =
  | { readonly status: 'dropped'; readonly reason: string }
  | { readonly status: 'continued' | 'finished'; readonly part: number; readonly report: EvictReport };

/** Where the pass publishes a per-prefix figure. */
export type PrefixMetricSink = (prefix: string, name: EvictMetricName, value: number) => void;

/** What a pass needs; the handler builds the clients. */
export interface EvictDeps {
  readonly ecr: ECRClient;
  readonly s3?: S3Client;
  readonly ssm?: SSMClient;
  readonly commands?: { readonly GetObjectCommand: typeof GetObjectCommand; readonly GetParameterCommand: typeof GetParameterCommand };
  readonly config: EvictPayload;
  readonly log: FunctionLogger;
  readonly metric: PrefixMetricSink;
  readonly retry?: RetryOptions;
  readonly now?: Date;
  /** The invocation's event: a continuation resumes a pass, anything else starts one. @default a new pass */
  readonly event?: unknown;
  /** Where continuation events go; without it (or without `remainingTimeMs`) a pass never stops early. */
  readonly events?: EventBridgeClient;
  /** Milliseconds left before Lambda stops the invocation (`context.getRemainingTimeInMillis`). */
  readonly remainingTimeMs?: () => number;
}

/** Per-prefix totals as metrics. */
export function publishPrefixTotals(totals: readonly PrefixTotals[], metric: PrefixMetricSink): void {
  for (const t of totals) {
    metric(t.prefix, 'StoredBytes', t.storedBytes);
    metric(t.prefix, 'StoredImages', t.images);
    metric(t.prefix, 'EvictableBytes', t.evictableBytes);
    metric(t.prefix, 'EvictableImages', t.evictableImages);
    metric(t.prefix, 'EvictedBytes', t.evictedBytes);
    metric(t.prefix, 'EvictedImages', t.evictedImages);
    metric(t.prefix, 'EvictionFailures', t.failedImages);
  }
}

/**
 * Runs one part of a pass: the whole pass unless time runs short.
 * @throws EvictionIncompleteError when a deletion of the pass failed (from its last part); EvictionUnfinishedError
 * when the pass needs more than `MAX_EVICTION_PARTS` invocations; an ImageListError when the prewarm manifest
 * cannot be read (nothing is deleted then)
 */
export async function runEviction(deps: EvictDeps): Promise<EvictionOutcome> {
  const { config, log } = deps;
  const trigger = parseEvictionTrigger(deps.event, deps.now ?? new Date(), EVENT_SOURCE);
  if (trigger.kind === 'drop') {
    log.warn('event dropped', { reason: trigger.reason });
    return { status: 'dropped', reason: trigger.reason };
  }
  const resumed: EvictionContinuation | undefined = trigger.kind === 'continue' ? trigger.continuation : undefined;
  // Every part decides with the clock of the pass's first part.
  const now = resumed ? new Date(resumed.passStartedAt) : (deps.now ?? new Date());
  const part = resumed?.part ?? 1;
  const pass = { passStartedAt: now.toISOString(), part };
  const manifest = config.prewarm.manifest;
  const source = manifestSources(manifest).join(', ');
  const extra = (
    await loadManifestImages(manifest, {
      ...(deps.s3 ? { s3: deps.s3 } : {}),
      ...(deps.ssm ? { ssm: deps.ssm } : {}),
      ...(deps.commands ? { commands: deps.commands } : {}),
    })
  ).map((image) => ({ image, source }));
  const pins = pinnedImages(config, ecrRegistryHost(config.account, config.region), extra);
  const { events, remainingTimeMs } = deps;
  if (resumed) log.info('eviction pass resumed', { ...pass, cursor: resumed.cursor });
  const report = await evict({
    ecr: deps.ecr,
    config,
    pins,
    registryId: config.account,
    readManifests: true,
    // As many repositories at once as the drift sweep handles (reconciler.concurrency's default).
    concurrency: 8,
    now,
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(resumed ? { resume: { cursor: resumed.cursor, totals: resumed.totals, failedCount: resumed.failedCount } } : {}),
    ...(events && remainingTimeMs ? { shouldStop: () => remainingTimeMs() < EVICTION_STOP_MARGIN_MS } : {}),
    onRepository: (r) => {
      for (const g of r.plan.groups) {
        if (g.action !== 'evict' || g.deletes.length === 0) continue;
        log.info(r.mode === 'delete' ? 'image group evicted' : 'image group evictable', {
          repositoryName: g.repository,
          prefix: r.prefix,
          tags: g.tags,
          digests: g.deletes,
          lastPull: g.lastPull?.toISOString() ?? null,
          bytes: g.freedBytes,
          reason: g.reason,
        });
      }
      for (const f of r.failures)
        log.error('image not deleted', {
          repositoryName: f.repository,
          prefix: r.prefix,
          digest: f.digest,
          failureCode: f.code,
          reason: f.reason,
        });
    },
  });
  if (report.cursor !== undefined && events && part < MAX_EVICTION_PARTS) {
    // Totals and failures travel with the continuation: only the last part publishes metrics or throws.
    for (const t of report.prefixes) log.info('eviction pass part', { ...t, ...pass, covers: `parts 1-${part}, the pass continues` });
    await publishEvictionContinuation(events, {
      passStartedAt: pass.passStartedAt,
      part: part + 1,
      cursor: report.cursor,
      totals: report.prefixes,
      failedCount: report.failedCount,
    });
    log.info('eviction pass continues in a new invocation', { ...pass, cursor: report.cursor });
    return { status: 'continued', part, report };
  }
  publishPrefixTotals(report.prefixes, deps.metric);
  const covers = report.cursor === undefined ? `the whole pass (${part} parts)` : `parts 1-${part} only: the pass stopped unfinished`;
  for (const t of report.prefixes) log.info('eviction pass', { ...t, ...pass, covers });
  if (report.cursor !== undefined) {
    log.error('eviction pass unfinished', { ...pass, cursor: report.cursor, maxParts: MAX_EVICTION_PARTS });
    throw new EvictionUnfinishedError(part);
  }
  if (report.failedCount > 0) throw new EvictionIncompleteError(report.failedCount);
  return { status: 'finished', part, report };
}
