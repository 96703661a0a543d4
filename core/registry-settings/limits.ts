/**
 * ECR's documented limits on the registry replication and scanning configurations, and the config
 * checks that turn them into errors naming the field, before anything is deployed.
 *
 * Sources: the ECR User Guide ("up to 25 unique destinations across all rules, with a maximum of
 * 10 rules total. Each rule may contain up to 100 filters") and the API reference
 * (`RegistryScanningConfiguration.rules`: at most 2; `RegistryScanningRule.repositoryFilters`: at
 * most 100; `ENHANCED` supports `CONTINUOUS_SCAN` and `SCAN_ON_PUSH`, `BASIC` supports
 * `SCAN_ON_PUSH`, and `MANUAL` is what unmatched repositories get).
 */
import type { PtcConfig } from '../config/schema';
import { partitionOf } from '../environments';
import { suggestName } from '../upstreams';

/** ECR: replication rules per registry. */
export const REPLICATION_MAX_RULES = 10;
/** ECR: unique destinations across all replication rules of a registry. */
export const REPLICATION_MAX_DESTINATIONS = 25;
/** ECR: repository filters per replication rule. */
export const REPLICATION_MAX_FILTERS_PER_RULE = 100;
/** ECR: scanning rules per registry (in practice one per scan frequency). */
export const SCANNING_MAX_RULES = 2;
/** ECR: repository filters per scanning rule. */
export const SCANNING_MAX_FILTERS_PER_RULE = 100;

/** The scan frequencies ECR accepts for each registry scan type. */
export const SCAN_FREQUENCIES_BY_TYPE = {
  BASIC: ['SCAN_ON_PUSH', 'MANUAL'],
  ENHANCED: ['SCAN_ON_PUSH', 'CONTINUOUS_SCAN'],
} as const;

/** One config problem found by `registrySettingsIssues`, located by its zod-style path. */
export interface RegistrySettingsIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The prefixes one destination replicates: its own `prefixes`, or every rule prefix. */
export function destinationPrefixes(config: Pick<PtcConfig, 'rules'>, destination: { prefixes?: string[] | undefined }): string[] {
  const all = config.rules.map((r) => r.prefix);
  if (destination.prefixes === undefined) return all;
  // Keep config rule order so the filters, and so the rule, are stable whatever order was written.
  return all.filter((p) => destination.prefixes!.includes(p));
}

/** A stable key for a set of prefixes; destinations with equal keys share one replication rule. */
export function prefixSetKey(prefixes: readonly string[]): string {
  return [...prefixes].sort().join(',');
}

/**
 * Every problem with the `replication` and `scanning` blocks that ECR would reject at deploy time,
 * as issues the config schema reports with their paths.
 * @example
 * registrySettingsIssues(config) // [{ path: ['replication', 'destinations'], message: 'at most 25 destinations ...' }]
 */
export function registrySettingsIssues(config: PtcConfig): RegistrySettingsIssue[] {
  return [...replicationIssues(config), ...scanningIssues(config)];
}

function sourceRegions(config: PtcConfig): string[] {
  return config.environments?.map((e) => e.region) ?? (config.region !== undefined ? [config.region] : []);
}

function sourceAccounts(config: PtcConfig): string[] {
  return [...new Set(config.environments?.map((e) => e.account) ?? (config.account !== undefined ? [config.account] : []))];
}

function replicationIssues(config: PtcConfig): RegistrySettingsIssue[] {
  const replication = config.replication;
  if (replication === undefined) return [];
  const issues: RegistrySettingsIssue[] = [];
  const destinations = replication.destinations;
  const rulePrefixes = config.rules.map((r) => r.prefix);
  if (destinations.length === 0 && (replication.acceptFrom ?? []).length === 0) {
    issues.push({ path: ['replication', 'destinations'], message: 'list at least one destination (or "acceptFrom" accounts)' });
  }
  if (destinations.length > REPLICATION_MAX_DESTINATIONS) {
    issues.push({
      path: ['replication', 'destinations'],
      message: `at most ${REPLICATION_MAX_DESTINATIONS} destinations (ECR allows ${REPLICATION_MAX_DESTINATIONS} unique destinations across all replication rules of a registry), got ${destinations.length}`,
    });
  }
  const accounts = sourceAccounts(config);
  const regions = sourceRegions(config);
  const seen = new Map<string, number>();
  destinations.forEach((d, index) => {
    const key = `${d.account ?? '(source account)'}/${d.region}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ path: ['replication', 'destinations', index], message: `duplicate of replication.destinations[${first}] (${key})` });
    } else {
      seen.set(key, index);
    }
    if (d.account !== undefined && accounts.length === 1 && accounts[0] === d.account && regions.length === 1 && regions[0] === d.region) {
      issues.push({
        path: ['replication', 'destinations', index, 'region'],
        message: `"${d.region}" in account ${d.account} is the source registry; replicate to another region or account`,
      });
    }
    const foreignPartition = regions.find((r) => partitionOf(r) !== partitionOf(d.region));
    if (foreignPartition !== undefined) {
      issues.push({
        path: ['replication', 'destinations', index, 'region'],
        message: `"${d.region}" is in partition ${partitionOf(d.region)} but the source ${foreignPartition} is in ${partitionOf(foreignPartition)}; ECR cannot replicate across partitions`,
      });
    }
    const listed = new Set<string>();
    d.prefixes?.forEach((p, k) => {
      if (!rulePrefixes.includes(p)) {
        const hint = suggestName(p, rulePrefixes);
        issues.push({
          path: ['replication', 'destinations', index, 'prefixes', k],
          message: `no rule has prefix "${p}"${hint === undefined ? `; rule prefixes are: ${rulePrefixes.join(', ')}` : `; did you mean "${hint}"?`}`,
        });
      } else if (listed.has(p)) {
        issues.push({ path: ['replication', 'destinations', index, 'prefixes', k], message: `"${p}" is listed twice` });
      }
      listed.add(p);
    });
  });
  const groups = new Map<string, { index: number; count: number }>();
  destinations.forEach((d, index) => {
    const prefixes = destinationPrefixes(config, d);
    const key = prefixSetKey(prefixes);
    if (!groups.has(key)) groups.set(key, { index, count: prefixes.length });
  });
  if (groups.size > REPLICATION_MAX_RULES) {
    issues.push({
      path: ['replication', 'destinations'],
      message: `these destinations need ${groups.size} replication rules (one per distinct "prefixes" list); ECR allows ${REPLICATION_MAX_RULES} per registry, so give more destinations the same "prefixes"`,
    });
  }
  for (const { index, count } of groups.values()) {
    if (count > REPLICATION_MAX_FILTERS_PER_RULE) {
      const explicit = destinations[index]?.prefixes !== undefined;
      issues.push({
        path: explicit ? ['replication', 'destinations', index, 'prefixes'] : ['replication'],
        message: `a replication rule would need ${count} repository filters (one per prefix); ECR allows ${REPLICATION_MAX_FILTERS_PER_RULE} per rule${explicit ? '' : ', so list "prefixes" on the destinations'}`,
      });
    }
  }
  const accepted = new Map<string, number>();
  replication.acceptFrom?.forEach((account, index) => {
    const first = accepted.get(account);
    if (first !== undefined) {
      issues.push({
        path: ['replication', 'acceptFrom', index],
        message: `${account} is already listed at replication.acceptFrom[${first}]`,
      });
    } else {
      accepted.set(account, index);
    }
    if (accounts.length === 1 && accounts[0] === account) {
      issues.push({
        path: ['replication', 'acceptFrom', index],
        message: `${account} is this config's own account; replication within an account needs no registry policy`,
      });
    }
  });
  return issues;
}

function scanningIssues(config: PtcConfig): RegistrySettingsIssue[] {
  const scanning = config.scanning;
  if (scanning === undefined) return [];
  const issues: RegistrySettingsIssue[] = [];
  const allowed: readonly string[] = SCAN_FREQUENCIES_BY_TYPE[scanning.type];
  if (!allowed.includes(scanning.frequency)) {
    issues.push({
      path: ['scanning', 'frequency'],
      message: `"${scanning.frequency}" does not go with type "${scanning.type}": ECR supports ${allowed.map((f) => `"${f}"`).join(' and ')} with ${scanning.type} scanning${scanning.type === 'BASIC' ? ' (use type "ENHANCED" for continuous scanning)' : ''}`,
    });
  }
  if (config.rules.length > SCANNING_MAX_FILTERS_PER_RULE) {
    issues.push({
      path: ['scanning'],
      message: `the scanning rule would need ${config.rules.length} repository filters (one per rule prefix); ECR allows ${SCANNING_MAX_FILTERS_PER_RULE} per scanning rule`,
    });
  }
  return issues;
}
