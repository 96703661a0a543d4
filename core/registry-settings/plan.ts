/**
 * The registry settings part of `ptc plan`: replication rules, what each cross-account
 * destination must grant, the registry policy deployed here, and scanning.
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';
import type { PolicyStatement } from '../policy/repository-policy';
import { crossAccountNeeds, registryPolicyIntent, replicationIntent, scanningIntent } from './intent';
import { REPLICATION_ACTIONS } from './registry-policy';
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
  if (policy !== undefined) out.registryPolicy = { acceptsReplicationFrom: [...policy.sourceAccounts], repositoryArns: [...policy.repositoryArns] };
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
    const destinations = rule.destinations.map((d) => (d.crossAccount ? `${d.registryId}/${d.region} (cross-account)` : d.region)).join(', ');
    lines.push(`  replication  ${rule.filters.join(', ')} -> ${destinations}`);
  }
  for (const d of settings.replication?.crossAccountDestinations ?? []) {
    lines.push(`  cross-account destination ${d.registryId}/${d.region} needs its registry policy to allow ${REPLICATION_ACTIONS.join(', ')} from this account:`);
    if (d.deployedBy !== undefined) {
      lines.push(`    deployed by environment ${d.deployedBy} of this config`);
    } else {
      const source = (d.statement.Principal as { AWS: string[] }).AWS.map((arn) => arn.split(':')[4]).join('", "');
      lines.push(`    not deployed by this config: add replication.acceptFrom: ["${source}"] to the config that deploys ${d.registryId}/${d.region},`);
      lines.push(`    or add this statement to its registry permissions policy:`);
      lines.push(`    ${JSON.stringify(d.statement)}`);
    }
  }
  if (settings.registryPolicy !== undefined) {
    const prefixes = settings.registryPolicy.repositoryArns.map((arn) => arn.slice(arn.indexOf(':repository/') + ':repository/'.length)).join(', ');
    lines.push(`  registry policy  accepts replication from ${settings.registryPolicy.acceptsReplicationFrom.join(', ')} into ${prefixes}`);
  }
  if (settings.scanning !== undefined) {
    const s = settings.scanning;
    lines.push(`  scanning     ${s.scanType}, ${s.frequency}${s.filters.length > 0 ? ` on ${s.filters.join(', ')}` : ' (no rule: ECR scans these repositories only when asked)'}`);
  }
  return lines;
}
