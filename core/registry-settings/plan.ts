/**
 * The registry settings part of `ptc plan`: replication rules, what each cross-account
 * destination must grant, the registry policy deployed here, and scanning.
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';
import type { PolicyStatement } from '../policy/repository-policy';
import { crossAccountNeeds, registryPolicyIntent, replicationIntent, scanningIntent } from './intent';
import { REPLICATION_ACTIONS, type FirstPullGroup } from './registry-policy';
import { FIRST_PULL_ACTIONS } from '../policy/node-policy';
import { replicationFilter } from './replication';
import { scanningFilter } from './scanning';

/** One planned replication rule. */
export interface PlannedReplicationRule {
  /** The `PREFIX_MATCH` filters, such as `k8s/`. */
  filters: string[];
  destinations: { region: string; registryId: string; crossAccount: boolean }[];
}

/** What a cross-account destination of this environment needs. */
export interface PlannedCrossAccountDestination {
  region: string;
  registryId: string;
  prefixes: string[];
  /** The statement the destination's registry permissions policy needs. */
  statement: PolicyStatement;
  /** The environment of this config that deploys the statement, when there is one. */
  deployedBy?: string;
}

/** Registry-wide settings of one environment. Keys are present only when configured. */
export interface PlannedRegistrySettings {
  replication?: { rules: PlannedReplicationRule[]; crossAccountDestinations: PlannedCrossAccountDestination[] };
  /** The registry policy deployed here, letting these accounts replicate in. */
  registryPolicy?: { acceptsReplicationFrom: string[]; repositoryArns: string[] };
  /** The first pulls the registry policy deployed here grants, per kind of principal and group of prefixes. */
  firstPull?: { accounts: FirstPullGroup[]; organizations: FirstPullGroup[]; organizationalUnitPaths: FirstPullGroup[] };
  scanning?: { scanType: string; frequency: string; filters: string[] };
}

/** Plans the registry settings of one target; undefined when it has none. */
export function planRegistrySettings(config: PtcConfig, target: Target): PlannedRegistrySettings | undefined {
  const out: PlannedRegistrySettings = {};
  const replication = replicationIntent(config, target);
  if (replication !== undefined) {
    out.replication = {
      rules: replication.rules.map((r) => ({
        filters: r.prefixes.map((p) => replicationFilter(p).filter),
        destinations: r.destinations.map((d) => ({ ...d, crossAccount: d.registryId !== target.account })),
      })),
      crossAccountDestinations: crossAccountNeeds(config)
        .filter((n) => n.source.environment === target.name)
        .map((n) => ({
          region: n.destination.region,
          registryId: n.destination.registryId,
          prefixes: [...n.prefixes],
          statement: n.statement,
          ...(n.deployedBy !== undefined ? { deployedBy: n.deployedBy } : {}),
        })),
    };
  }
  const policy = registryPolicyIntent(config, target);
  if (policy !== undefined && policy.sourceAccounts.length > 0) {
    out.registryPolicy = { acceptsReplicationFrom: [...policy.sourceAccounts], repositoryArns: [...policy.repositoryArns] };
  }
  if (policy?.firstPull !== undefined) {
    const copy = (groups: readonly FirstPullGroup[]) =>
      groups.map((g) => ({ principals: [...g.principals], repositoryArns: [...g.repositoryArns] }));
    out.firstPull = {
      accounts: copy(policy.firstPull.accounts),
      organizations: copy(policy.firstPull.organizations),
      organizationalUnitPaths: copy(policy.firstPull.organizationalUnitPaths),
    };
  }
  const scanning = scanningIntent(config);
  if (scanning !== undefined) {
    out.scanning = {
      scanType: scanning.scanType,
      frequency: scanning.frequency,
      filters: scanning.frequency === 'MANUAL' ? [] : scanning.prefixes.map((p) => scanningFilter(p).filter),
    };
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Renders the registry settings of one environment as plan lines (indented two spaces). */
export function renderRegistrySettings(settings: PlannedRegistrySettings | undefined): string[] {
  if (settings === undefined) return [];
  const lines: string[] = [];
  for (const rule of settings.replication?.rules ?? []) {
    const destinations = rule.destinations
      .map((d) => (d.crossAccount ? `${d.registryId}/${d.region} (cross-account)` : d.region))
      .join(', ');
    lines.push(`  replication  ${rule.filters.join(', ')} -> ${destinations}`);
  }
  for (const d of settings.replication?.crossAccountDestinations ?? []) {
    lines.push(
      `  cross-account destination ${d.registryId}/${d.region} needs its registry policy to allow ${REPLICATION_ACTIONS.join(', ')} from this account:`,
    );
    if (d.deployedBy !== undefined) {
      lines.push(`    deployed by environment ${d.deployedBy} of this config`);
    } else {
      const source = (d.statement.Principal as { AWS: string[] }).AWS.map((arn) => arn.split(':')[4]).join('", "');
      lines.push(
        `    not deployed by this config: add replication.acceptFrom: ["${source}"] to the config that deploys ${d.registryId}/${d.region},`,
      );
      lines.push(`    or add this statement to its registry permissions policy:`);
      lines.push(`    ${JSON.stringify(d.statement)}`);
    }
  }
  const prefixesOf = (arns: readonly string[]) =>
    arns.map((arn) => arn.slice(arn.indexOf(':repository/') + ':repository/'.length)).join(', ');
  if (settings.registryPolicy !== undefined) {
    lines.push(
      `  registry policy  accepts replication from ${settings.registryPolicy.acceptsReplicationFrom.join(', ')} into ${prefixesOf(settings.registryPolicy.repositoryArns)}`,
    );
  }
  if (settings.firstPull !== undefined) {
    const kinds = [
      ['accounts', 'accounts'],
      ['organizations', 'members of organizations'],
      ['organizationalUnitPaths', 'members of OUs (and their child OUs)'],
    ] as const;
    for (const [kind, who] of kinds) {
      for (const g of settings.firstPull[kind]) {
        lines.push(
          `  registry policy  first pulls (${FIRST_PULL_ACTIONS.join(', ')}) into ${prefixesOf(g.repositoryArns)} by ${who} ${g.principals.join(', ')}`,
        );
      }
    }
  }
  if (settings.scanning !== undefined) {
    const s = settings.scanning;
    lines.push(
      `  scanning     ${s.scanType}, ${s.frequency}${s.filters.length > 0 ? ` on ${s.filters.join(', ')}` : ' (no rule: ECR scans these repositories only when asked)'}`,
    );
  }
  return lines;
}
