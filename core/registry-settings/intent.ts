/**
 * What each deployment target wants of its registry's replication, scanning and registry policy,
 * computed from the config. The construct turns these into custom resource properties; `ptc plan`
 * prints them.
 */
import type { PtcConfig } from '../config/schema';
import { prefixRepositoryArn, targets, type Target } from '../environments';
import { destinationPrefixes, prefixSetKey } from './limits';
import { registryPolicyStatement, type FirstPullGroup, type FirstPullIntent, type RegistryPolicyIntent } from './registry-policy';
import { effectiveSettings } from '../policy/settings';
import { pullPrincipals, type PullPrincipals } from '../policy/pull-principals';
import type { ReplicationIntent, ReplicationIntentRule } from './replication';
import type { ScanningIntent } from './scanning';
import type { PolicyStatement } from '../policy/repository-policy';
import type { ReplicationDestination } from './types';

/**
 * The replication rules a target's registry gets: destinations grouped by the prefixes they
 * replicate, one rule per group. A destination that is the target itself is skipped (with several
 * environments, each one replicates to the others). Undefined when nothing replicates.
 */
export function replicationIntent(config: PtcConfig, target: Pick<Target, 'account' | 'region'>): ReplicationIntent | undefined {
  const groups = new Map<string, { prefixes: string[]; destinations: ReplicationDestination[] }>();
  for (const d of config.replication?.destinations ?? []) {
    const registryId = d.account ?? target.account;
    if (registryId === target.account && d.region === target.region) continue;
    const prefixes = destinationPrefixes(config, d);
    const key = prefixSetKey(prefixes);
    const group = groups.get(key) ?? { prefixes, destinations: [] };
    if (!group.destinations.some((x) => x.region === d.region && x.registryId === registryId)) {
      group.destinations.push({ region: d.region, registryId });
    }
    groups.set(key, group);
  }
  const rules: ReplicationIntentRule[] = [...groups.values()].filter((g) => g.prefixes.length > 0 && g.destinations.length > 0);
  return rules.length === 0 ? undefined : { rules };
}

/** The scanning a target's registry gets; undefined when the config has no `scanning`. */
export function scanningIntent(config: PtcConfig): ScanningIntent | undefined {
  if (config.scanning === undefined) return undefined;
  return { prefixes: config.rules.map((r) => r.prefix), scanType: config.scanning.type, frequency: config.scanning.frequency };
}

/**
 * The accounts allowed to replicate into a target's registry: `replication.acceptFrom`, plus the
 * account of every other environment of this config that replicates into this target.
 */
export function acceptedSourceAccounts(config: PtcConfig, target: Pick<Target, 'account' | 'region'>): string[] {
  const accounts = new Set(config.replication?.acceptFrom ?? []);
  for (const source of targets(config)) {
    if (source.account === target.account) continue;
    const intent = replicationIntent(config, source);
    const replicatesHere = intent?.rules.some((r) =>
      r.destinations.some((d) => d.region === target.region && d.registryId === target.account),
    );
    if (replicatesHere) accounts.add(source.account);
  }
  accounts.delete(target.account);
  return [...accounts].sort();
}

/**
 * Who may trigger first pulls into which prefixes of a target's registry: per kind of principal
 * (accounts, organizations, OUs), the prefixes grouped by the principals their effective settings
 * (consumers included) grant, in rule order. Undefined when nobody outside is granted.
 */
export function firstPullIntent(config: PtcConfig, target: Pick<Target, 'partition' | 'account' | 'region'>): FirstPullIntent | undefined {
  const kinds = ['accounts', 'organizations', 'organizationalUnitPaths'] as const satisfies readonly (keyof PullPrincipals)[];
  const groups = {
    accounts: new Map<string, FirstPullGroup>(),
    organizations: new Map<string, FirstPullGroup>(),
    organizationalUnitPaths: new Map<string, FirstPullGroup>(),
  };
  for (const rule of config.rules) {
    const principals = pullPrincipals(effectiveSettings(config, rule.prefix));
    const arn = prefixRepositoryArn(target, rule.prefix);
    for (const kind of kinds) {
      const values = principals[kind];
      if (values.length === 0) continue;
      const key = values.join(',');
      const group = groups[kind].get(key);
      if (group === undefined) groups[kind].set(key, { principals: values, repositoryArns: [arn] });
      else (group.repositoryArns as string[]).push(arn);
    }
  }
  if (kinds.every((k) => groups[k].size === 0)) return undefined;
  return {
    accounts: [...groups.accounts.values()],
    organizations: [...groups.organizations.values()],
    organizationalUnitPaths: [...groups.organizationalUnitPaths.values()],
  };
}

/** Which statements a registry policy carries. */
export interface RegistryPolicyOptions {
  /**
   * Grant first pulls (the registry has pull-through cache rules). A replica registry has none, so
   * its policy carries replication access only. @default true
   */
  readonly firstPull?: boolean;
}

/**
 * The registry policy a target's registry gets: replication access for the accounts that
 * replicate into it, and first-pull access for everyone allowed to pull (consumers included).
 * Undefined when it grants nothing.
 */
export function registryPolicyIntent(
  config: PtcConfig,
  target: Target,
  options: RegistryPolicyOptions = {},
): RegistryPolicyIntent | undefined {
  const sourceAccounts = acceptedSourceAccounts(config, target);
  const firstPull = (options.firstPull ?? true) ? firstPullIntent(config, target) : undefined;
  if (sourceAccounts.length === 0 && firstPull === undefined) return undefined;
  return {
    sourceAccounts,
    repositoryArns: sourceAccounts.length === 0 ? [] : config.rules.map((r) => prefixRepositoryArn(target, r.prefix)),
    partition: target.partition,
    ...(firstPull !== undefined ? { firstPull } : {}),
  };
}

/** What one cross-account destination must grant before replication into it works. */
export interface CrossAccountNeed {
  /** The environment that replicates. */
  readonly source: { readonly environment: string; readonly account: string; readonly region: string };
  readonly destination: ReplicationDestination;
  readonly prefixes: readonly string[];
  /** The registry policy statement the destination registry needs. */
  readonly statement: PolicyStatement;
  /** The environment of this config that deploys that statement; undefined when the destination is not one of them. */
  readonly deployedBy?: string;
}

/**
 * Every cross-account destination of every environment, with the statement it needs and whether
 * this config deploys it.
 */
export function crossAccountNeeds(config: PtcConfig): CrossAccountNeed[] {
  const all = targets(config);
  const needs: CrossAccountNeed[] = [];
  for (const source of all) {
    for (const rule of replicationIntent(config, source)?.rules ?? []) {
      for (const destination of rule.destinations) {
        if (destination.registryId === source.account) continue;
        const where = { partition: source.partition, region: destination.region, account: destination.registryId };
        const deployer = all.find((t) => t.account === destination.registryId && t.region === destination.region);
        needs.push({
          source: { environment: source.name, account: source.account, region: source.region },
          destination,
          prefixes: rule.prefixes,
          statement: registryPolicyStatement({
            sourceAccounts: [source.account],
            repositoryArns: rule.prefixes.map((p) => prefixRepositoryArn(where, p)),
            partition: source.partition,
          }),
          ...(deployer !== undefined ? { deployedBy: deployer.name } : {}),
        });
      }
    }
  }
  return needs;
}

/**
 * Whether repositories reach a target's registry by replication from this config (another
 * environment replicates into it, or `replication.acceptFrom` lists sources). Then its creation
 * templates should also apply to `REPLICATION`, so replicated repositories get the same settings.
 */
export function receivesReplication(config: PtcConfig, target: Pick<Target, 'account' | 'region'>): boolean {
  if ((config.replication?.acceptFrom ?? []).some((a) => a !== target.account)) return true;
  return targets(config).some((source) =>
    (replicationIntent(config, source)?.rules ?? []).some((r) =>
      r.destinations.some((d) => d.region === target.region && d.registryId === target.account),
    ),
  );
}
