/**
 * The eviction part of `ptc plan`: whether eviction is on for a prefix, in which mode, and what
 * ECR's native archive rules (when configured) do to a pull through the cache. docs/eviction.md.
 */
import type { EvictionSettings } from '../eviction/types';
import type { EffectiveSettings } from '../policy/settings';

/**
 * ECR's price of private repository storage, per GB-month, in most commercial Regions
 * (https://aws.amazon.com/ecr/pricing/): the basis of `ptc evict`'s monthly cost estimate.
 */
export const STORAGE_USD_PER_GB_MONTH = 0.1;

/** The monthly storage cost of `bytes` at `STORAGE_USD_PER_GB_MONTH`, in dollars. */
export function monthlyStorageCost(bytes: number): number {
  return (bytes / 1e9) * STORAGE_USD_PER_GB_MONTH;
}

/** One sentence on eviction for a prefix. */
export function evictionNote(eviction: EvictionSettings | undefined): string {
  if (eviction === undefined) return 'off (no repositories.eviction): images leave only by the lifecycle policy';
  const protect = eviction.protect.length > 0 ? `, protecting ${eviction.protect.map((p) => `"${p}"`).join(', ')}` : '';
  const mode = eviction.mode === 'delete' ? 'deletes' : 'reports (mode report: nothing is deleted)';
  return `daily, ${mode} image groups nobody pulled for ${eviction.unpulledDays} days${protect}; prewarm and copies images are kept; \`ptc evict --dry-run\` shows the groups, the bytes and the monthly storage cost kept`;
}

/** One sentence on ECR's archive rules, or undefined when none is configured. */
export function archiveNote(lifecycle: EffectiveSettings['lifecycle']): string | undefined {
  if (lifecycle.archiveUnpulledDays === undefined) return undefined;
  const expiry = lifecycle.expireArchivedDays === undefined ? 'kept archived' : `expired ${lifecycle.expireArchivedDays} days later`;
  return (
    `images nobody pulled for ${lifecycle.archiveUnpulledDays} days move to ECR's archive storage class, ${expiry}; an archived image cannot be pulled ` +
    '(404) until restored and is billed for at least 90 days, and AWS does not document that a pull through the cache fetches it again (docs/eviction.md)'
  );
}
