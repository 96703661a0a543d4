/**
 * Counts failed pull through cache syncs: each `ECR Pull Through Cache Action` event with
 * `sync-status` FAILED on a managed prefix adds 1 to `SyncFailures` for that prefix.
 */
import type { RuleConfig } from '../../core/config/schema';
import type { RuleMetrics, ValidationLogger } from './telemetry';

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

/** Counts one sync event's failure, or says why it is not counted. */
export function recordSyncEvent(detail: Record<string, unknown>, rules: readonly RuleConfig[], deps: SyncFailureDeps): SyncOutcome {
  const status = str(detail['sync-status']);
  const repositoryName = str(detail['repository-name']);
  if (status !== 'FAILED') return { counted: false, reason: `sync-status is ${status ?? 'missing'}, not FAILED` };
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
  deps.log.warn('pull through cache sync failed', { prefix: rule.prefix, upstream: rule.upstream, ...(repositoryName ? { repositoryName } : {}), ...extra });
  return { counted: true, prefix: rule.prefix };
}
