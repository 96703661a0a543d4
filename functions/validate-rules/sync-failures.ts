/**
 * Counts failed pull through cache syncs: each `ECR Pull Through Cache Action` event whose
 * `sync-status` is anything but `SUCCESS` on a managed prefix adds 1 to `SyncFailures` for that prefix.
 * AWS documents only `SUCCESS` (the sample event of the ECR User Guide) and a free string with
 * `failure-code` and `failure-reason` beside it (EventBridge schema `aws.ecr@ECRPullThroughCacheAction`),
 * never the failed value, so no particular spelling of it is assumed.
 */
import type { RuleConfig } from '../../core/config/schema';
import type { RuleMetrics, ValidationLogger } from './telemetry';
import { SYNC_SUCCESS } from '../../core/lambda-contracts/validate-rules/sync-status';

/** What counting needs. */
export interface SyncFailureDeps {
  readonly log: ValidationLogger;
  readonly metrics: RuleMetrics;
}

/** The outcome: counted for a prefix, or dropped with a reason. */
export type SyncOutcome = { counted: true; prefix: string } | { counted: false; reason: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The managed rule of a prefix or repository name (longest prefix first). */
function ruleFor(rules: readonly RuleConfig[], prefix: string | undefined, repositoryName: string | undefined): RuleConfig | undefined {
  if (prefix !== undefined) {
    const exact = rules.find((r) => r.prefix === prefix);
    if (exact) return exact;
  }
  if (repositoryName === undefined) return undefined;
  return [...rules].sort((a, b) => b.prefix.length - a.prefix.length).find((r) => repositoryName.startsWith(`${r.prefix}/`));
}

export { SYNC_SUCCESS };

/** Counts one sync event's failure, or says why it is not counted. */
export function recordSyncEvent(detail: Record<string, unknown>, rules: readonly RuleConfig[], deps: SyncFailureDeps): SyncOutcome {
  const status = str(detail['sync-status']);
  const repositoryName = str(detail['repository-name']);
  if (status === undefined) return { counted: false, reason: 'sync-status is missing' };
  if (status === SYNC_SUCCESS) return { counted: false, reason: `sync-status is ${SYNC_SUCCESS}` };
  const rule = ruleFor(rules, str(detail['ecr-repository-prefix']), repositoryName);
  if (rule === undefined) {
    deps.log.debug('sync failure outside the managed prefixes', { repositoryName });
    return { counted: false, reason: `repository ${repositoryName ?? '(none)'} is not under a managed prefix` };
  }
  deps.metrics.put('SyncFailures', 1, rule.prefix);
  const optional = {
    'upstream-registry-url': 'upstreamRegistryUrl',
    'image-tag': 'imageTag',
    'image-digest': 'imageDigest',
    'failure-code': 'failureCode',
    'failure-reason': 'failureReason',
  } as const;
  const extra: Record<string, string> = {};
  for (const [from, to] of Object.entries(optional)) {
    const value = str(detail[from]);
    if (value !== undefined) extra[to] = value;
  }
  deps.log.warn('pull through cache sync failed', {
    prefix: rule.prefix,
    upstream: rule.upstream,
    syncStatus: status,
    ...(repositoryName ? { repositoryName } : {}),
    ...extra,
  });
  return { counted: true, prefix: rule.prefix };
}
