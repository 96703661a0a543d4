/**
 * One eviction pass of the Lambda: pins from the prewarm images (and manifest), the engine over
 * the managed repositories, one log line per evicted group and per-prefix metrics. Deletion
 * failures end the invocation with `EvictionIncompleteError`, so Lambda retries it and the DLQ
 * alarm fires when it keeps failing.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ecrRegistryHost } from '../../core/upstreams';
import { PtcError } from '../../core/errors';
import { pinnedImages } from '../../core/eviction';
import { manifestSources } from '../../core/prewarm/image-list';
import { loadManifestImages } from '../../engines/prewarm';
import { evict, type EvictReport, type PrefixTotals, type RetryOptions } from '../../engines/evict';
import type { FunctionLogger } from '../shared/runtime';
import type { EvictMetricName } from '../../core/lambda-contracts/evict-images/metric-names';
import type { EvictPayload } from '../../core/lambda-contracts/evict-images/settings';

/** Some deletions failed; thrown after the pass so Lambda retries and the DLQ alarm can fire. */
export class EvictionIncompleteError extends PtcError {
  constructor(readonly failedCount: number) {
    super(`eviction could not delete ${failedCount} images; the log names each`);
  }
}

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
 * Runs one pass.
 * @throws EvictionIncompleteError when a deletion failed; an ImageListError when the prewarm manifest cannot be read (nothing is deleted then)
 */
export async function runEviction(deps: EvictDeps): Promise<EvictReport> {
  const { config, log } = deps;
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
  const report = await evict({
    ecr: deps.ecr,
    config,
    pins,
    registryId: config.account,
    readManifests: true,
    // As many repositories at once as the drift sweep handles (reconciler.concurrency's default).
    concurrency: 8,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
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
  publishPrefixTotals(report.prefixes, deps.metric);
  for (const t of report.prefixes) log.info('eviction pass', { ...t });
  if (report.failedCount > 0) throw new EvictionIncompleteError(report.failedCount);
  return report;
}
