/**
 * Merges ptc-autopilot's scanning filters into a registry's scanning configuration, which ECR keeps
 * as one document per registry (a scan type and at most two rules, one per frequency).
 *
 * Ownership is per filter: a `WILDCARD` filter `<managed prefix>/*` is ours; every other filter,
 * and every rule holding only such filters, is someone else's and stays as it is. The scan type
 * is registry-wide, so ptc-autopilot changes it only when no foreign rule depends on it.
 */
import { RegistryConflictError, RegistryLimitError } from './errors';
import { SCANNING_MAX_FILTERS_PER_RULE, SCANNING_MAX_RULES } from './limits';
import type { MergeAction, MergeResult, ScanningConfiguration, ScanningFilter, ScanningRule } from './types';

/** The registry scan type ECR uses when none was ever set. */
export const DEFAULT_SCAN_TYPE = 'BASIC';

/** The scanning ptc-autopilot wants for its prefixes. */
export interface ScanningIntent {
  readonly prefixes: readonly string[];
  readonly scanType: 'BASIC' | 'ENHANCED';
  /** `MANUAL` means: no rule for our prefixes (ECR's default for unmatched repositories). */
  readonly frequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL';
}

/** What a merge is asked to do. */
export interface ScanningChange {
  readonly action: MergeAction;
  readonly intent: ScanningIntent;
  /** On Update, the old properties: their prefixes are ours too. */
  readonly previous?: ScanningIntent;
  /**
   * On Delete, the scan type the registry had before ptc-autopilot first wrote it. Restored only
   * when no foreign rule remains.
   */
  readonly originalScanType?: string;
}

/**
 * The scanning filter for a managed prefix.
 * @example
 * scanningFilter('k8s') // { filter: 'k8s/*', filterType: 'WILDCARD' }
 */
export function scanningFilter(prefix: string): { filter: string; filterType: string } {
  return { filter: `${prefix}/*`, filterType: 'WILDCARD' };
}

/** Whether a filter is ptc-autopilot's: `WILDCARD` on exactly `<owned prefix>/*`. */
export function isOwnedScanningFilter(filter: ScanningFilter, ownedPrefixes: ReadonlySet<string>): boolean {
  return filter.filterType === 'WILDCARD' && filter.filter.endsWith('/*') && ownedPrefixes.has(filter.filter.slice(0, -2));
}

/**
 * Computes the registry's next scanning configuration.
 *
 * @throws RegistryConflictError when the scan type must change but foreign rules depend on it, or
 *   (on Create) when one of our filters already sits under another frequency.
 * @throws RegistryLimitError when the result would break ECR's limits.
 */
export function mergeScanning(current: ScanningConfiguration, change: ScanningChange): MergeResult<ScanningConfiguration> {
  const { intent } = change;
  const owned = new Set([...intent.prefixes, ...(change.previous?.prefixes ?? [])]);
  const currentType = current.scanType || DEFAULT_SCAN_TYPE;
  if (change.action === 'Create') {
    const misplaced = current.rules.find(
      (r) => r.scanFrequency !== intent.frequency && r.repositoryFilters.some((f) => isOwnedScanningFilter(f, owned)),
    );
    if (misplaced !== undefined) {
      const filters = misplaced.repositoryFilters.filter((f) => isOwnedScanningFilter(f, owned)).map((f) => `"${f.filter}"`);
      throw new RegistryConflictError(
        'scanning.frequency',
        `the registry already scans ${filters.join(', ')} with ${misplaced.scanFrequency}, a filter ptc-autopilot did not create; ` +
          `remove it or set scanning.frequency to ${misplaced.scanFrequency}`,
      );
    }
  }
  const stripped: ScanningRule[] = [];
  // Where our filters sat in each kept rule, so an update puts them back in place.
  const slots = new Map<ScanningRule, number>();
  const droppedAt = new Map<string, number>();
  for (const rule of current.rules) {
    const kept = rule.repositoryFilters.filter((f) => !isOwnedScanningFilter(f, owned));
    // A rule that only held our filters goes with them; an empty rule we never touched stays.
    if (kept.length === 0 && rule.repositoryFilters.length > 0) {
      if (!droppedAt.has(rule.scanFrequency)) droppedAt.set(rule.scanFrequency, stripped.length);
      continue;
    }
    const first = rule.repositoryFilters.findIndex((f) => isOwnedScanningFilter(f, owned));
    const keptRule = kept.length === rule.repositoryFilters.length ? rule : { ...rule, repositoryFilters: kept };
    if (first >= 0) slots.set(keptRule, rule.repositoryFilters.slice(0, first).filter((f) => !isOwnedScanningFilter(f, owned)).length);
    stripped.push(keptRule);
  }
  const foreign = stripped.reduce((n, r) => n + r.repositoryFilters.length, 0);
  const foreignRules = stripped.length > 0;

  let scanType = currentType;
  let next = stripped;
  let ours = 0;
  if (change.action === 'Delete') {
    const original = change.originalScanType;
    if (original !== undefined && original !== currentType && !foreignRules) scanType = original;
  } else {
    if (intent.scanType !== currentType) {
      if (foreignRules) {
        throw new RegistryConflictError(
          'scanning.type',
          `the registry scans with ${currentType} and has scanning rules ptc-autopilot did not create (${describeRules(stripped)}); ` +
            `the scan type is registry-wide, so set scanning.type to ${currentType}, or change the registry's rules yourself first`,
        );
      }
      scanType = intent.scanType;
    }
    if (intent.frequency !== 'MANUAL' && intent.prefixes.length > 0) {
      const filters = intent.prefixes.map(scanningFilter);
      ours = filters.length;
      const index = next.findIndex((r) => r.scanFrequency === intent.frequency);
      if (index >= 0) {
        const target = next[index]!;
        const at = slots.get(target) ?? target.repositoryFilters.length;
        const merged = [...target.repositoryFilters.slice(0, at), ...filters, ...target.repositoryFilters.slice(at)];
        next = next.map((r, i) => (i === index ? { ...target, repositoryFilters: merged } : r));
      } else {
        const at = droppedAt.get(intent.frequency) ?? next.length;
        next = [...next.slice(0, at), { scanFrequency: intent.frequency, repositoryFilters: filters }, ...next.slice(at)];
      }
    }
  }
  checkScanningLimits(next);
  const result: ScanningConfiguration = { scanType, rules: next };
  const changed = scanningKey({ scanType: currentType, rules: current.rules }) !== scanningKey(result);
  return { next: result, changed, ours, foreign };
}

function checkScanningLimits(rules: readonly ScanningRule[]): void {
  if (rules.length > SCANNING_MAX_RULES) {
    throw new RegistryLimitError(
      'scanning.frequency',
      `the registry would hold ${rules.length} scanning rules; ECR allows ${SCANNING_MAX_RULES}`,
    );
  }
  const crowded = rules.find((r) => r.repositoryFilters.length > SCANNING_MAX_FILTERS_PER_RULE);
  if (crowded !== undefined) {
    throw new RegistryLimitError(
      'scanning',
      `the ${crowded.scanFrequency} scanning rule would hold ${crowded.repositoryFilters.length} filters (including filters not created by ptc-autopilot); ECR allows ${SCANNING_MAX_FILTERS_PER_RULE} per rule`,
    );
  }
}

function scanningKey(config: ScanningConfiguration): string {
  return JSON.stringify([
    config.scanType,
    config.rules.map((r) => [r.scanFrequency, r.repositoryFilters.map((f) => [f.filterType, f.filter])]),
  ]);
}

function describeRules(rules: readonly ScanningRule[]): string {
  return rules.map((r) => `${r.scanFrequency}: ${r.repositoryFilters.map((f) => f.filter).join(', ') || '(no filters)'}`).join('; ');
}
