/**
 * Merges ptc-autopilot's replication rules into a registry's replication configuration, which ECR
 * keeps as one document per registry. Rules someone else wrote stay exactly as they are.
 *
 * A rule is ours when it is exactly one that this deploy or the previous one asks for: the same
 * `PREFIX_MATCH` filters on `<managed prefix>/` (with the slash, so `docker-hub/` never matches
 * `docker-hubx/...`) to the same destinations. Every other rule is someone else's, including one
 * shaped like ours that was added later. On Create, a rule shaped like ours that we would not
 * write is a conflict the user resolves, rather than a rule we silently take over.
 */
import { RegistryConflictError, RegistryLimitError } from './errors';
import { REPLICATION_MAX_DESTINATIONS, REPLICATION_MAX_FILTERS_PER_RULE, REPLICATION_MAX_RULES } from './limits';
import type { MergeAction, MergeResult, ReplicationConfiguration, ReplicationDestination, ReplicationRule } from './types';

/** One replication rule ptc-autopilot wants: these prefixes go to these destinations. */
export interface ReplicationIntentRule {
  readonly prefixes: readonly string[];
  readonly destinations: readonly ReplicationDestination[];
}

/** Every replication rule ptc-autopilot wants in one registry. */
export interface ReplicationIntent {
  readonly rules: readonly ReplicationIntentRule[];
}

/** The filter type ECR documents for replication. */
export const PREFIX_MATCH = 'PREFIX_MATCH';

/**
 * The replication filter for a managed prefix: `PREFIX_MATCH` on `<prefix>/`.
 * @example
 * replicationFilter('docker-hub') // { filter: 'docker-hub/', filterType: 'PREFIX_MATCH' }
 */
export function replicationFilter(prefix: string): { filter: string; filterType: string } {
  return { filter: `${prefix}/`, filterType: PREFIX_MATCH };
}

/** The prefixes an intent covers; with the previous intent's, they identify our rules. */
export function intentPrefixes(intent: ReplicationIntent | undefined): string[] {
  return [...new Set((intent?.rules ?? []).flatMap((r) => r.prefixes))];
}

/** Whether a rule is ptc-autopilot's: every one of its (at least one) filters is `PREFIX_MATCH` on `<owned prefix>/`. */
export function isOwnedReplicationRule(rule: ReplicationRule, ownedPrefixes: ReadonlySet<string>): boolean {
  const filters = rule.repositoryFilters ?? [];
  return (
    filters.length > 0 &&
    filters.every((f) => f.filterType === PREFIX_MATCH && f.filter.endsWith('/') && ownedPrefixes.has(f.filter.slice(0, -1)))
  );
}

/** The ECR rules an intent asks for, in intent order. */
export function desiredReplicationRules(intent: ReplicationIntent): ReplicationRule[] {
  return intent.rules
    .filter((r) => r.prefixes.length > 0 && r.destinations.length > 0)
    .map((r) => ({
      destinations: r.destinations.map((d) => ({ region: d.region, registryId: d.registryId })),
      repositoryFilters: r.prefixes.map(replicationFilter),
    }));
}

/** A key equal for rules that replicate the same filters to the same destinations, in any order. */
export function replicationRuleKey(rule: ReplicationRule): string {
  const destinations = rule.destinations.map((d) => `${d.registryId}/${d.region}`).sort();
  const filters = (rule.repositoryFilters ?? []).map((f) => `${f.filterType}:${f.filter}`).sort();
  return JSON.stringify([destinations, filters]);
}

/** What a merge is asked to do. */
export interface ReplicationChange {
  readonly action: MergeAction;
  /** The resource's properties: what to apply, or (on Delete) what to remove. */
  readonly intent: ReplicationIntent;
  /** On Update, the old properties: their prefixes are ours too, so prefixes dropped from the config are removed. */
  readonly previous?: ReplicationIntent;
}

/**
 * Computes the registry's next replication configuration: foreign rules unchanged and in place,
 * ours replaced by the desired ones (or removed on Delete).
 *
 * @throws RegistryConflictError on Create when the registry holds a rule shaped like ours that is not one we want.
 * @throws RegistryLimitError when the result would break ECR's limits.
 */
export function mergeReplication(current: ReplicationConfiguration, change: ReplicationChange): MergeResult<ReplicationConfiguration> {
  const owned = new Set([...intentPrefixes(change.intent), ...intentPrefixes(change.previous)]);
  const desired = change.action === 'Delete' ? [] : desiredReplicationRules(change.intent);
  if (change.action === 'Create') {
    const wanted = new Set(desired.map(replicationRuleKey));
    const stray = current.rules.find((r) => isOwnedReplicationRule(r, owned) && !wanted.has(replicationRuleKey(r)));
    if (stray !== undefined) {
      throw new RegistryConflictError(
        'replication',
        `the registry already has a replication rule for ${describeRule(stray)} that ptc-autopilot did not create; ` +
          'remove it, or make replication.destinations match it, then deploy again',
      );
    }
  }
  // Ours are exactly the rules this deploy and the previous one wrote; a rule shaped like ours that
  // someone added since (another destination for one of our prefixes, say) is theirs and stays.
  const ownKeys = new Set(
    [...desiredReplicationRules(change.intent), ...(change.previous ? desiredReplicationRules(change.previous) : [])].map(
      replicationRuleKey,
    ),
  );
  const next: ReplicationRule[] = [];
  let placed = false;
  for (const rule of current.rules) {
    if (!ownKeys.has(replicationRuleKey(rule))) {
      next.push(rule);
    } else if (!placed) {
      next.push(...desired);
      placed = true;
    }
  }
  if (!placed) next.push(...desired);
  const foreign = next.length - desired.length;
  checkReplicationLimits(next, foreign);
  const changed = JSON.stringify(current.rules.map(replicationRuleKey)) !== JSON.stringify(next.map(replicationRuleKey));
  return { next: { rules: next }, changed, ours: desired.length, foreign };
}

function checkReplicationLimits(rules: readonly ReplicationRule[], foreign: number): void {
  if (rules.length > REPLICATION_MAX_RULES) {
    throw new RegistryLimitError(
      'replication.destinations',
      `the registry would hold ${rules.length} replication rules (${foreign} not created by ptc-autopilot); ECR allows ${REPLICATION_MAX_RULES}`,
    );
  }
  const destinations = new Set(rules.flatMap((r) => r.destinations.map((d) => `${d.registryId}/${d.region}`)));
  if (destinations.size > REPLICATION_MAX_DESTINATIONS) {
    throw new RegistryLimitError(
      'replication.destinations',
      `the registry would replicate to ${destinations.size} destinations across its rules (including rules not created by ptc-autopilot); ECR allows ${REPLICATION_MAX_DESTINATIONS}`,
    );
  }
  const crowded = rules.find((r) => (r.repositoryFilters ?? []).length > REPLICATION_MAX_FILTERS_PER_RULE);
  if (crowded !== undefined) {
    throw new RegistryLimitError(
      'replication.destinations',
      `a replication rule would hold ${(crowded.repositoryFilters ?? []).length} filters; ECR allows ${REPLICATION_MAX_FILTERS_PER_RULE} per rule`,
    );
  }
}

function describeRule(rule: ReplicationRule): string {
  const filters = (rule.repositoryFilters ?? []).map((f) => `"${f.filter}"`).join(', ');
  const destinations = rule.destinations.map((d) => `${d.registryId}/${d.region}`).join(', ');
  return `${filters} -> ${destinations}`;
}
