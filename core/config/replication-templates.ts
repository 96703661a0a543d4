/**
 * Where replicated repositories get their settings. ECR applies a repository creation template whose
 * `appliedFor` holds `REPLICATION` to a repository that replication creates; without one the repository
 * arrives with no lifecycle policy, repository policy or tags. The templates must be in the destination
 * registry, so:
 * - a destination an environment of this config deploys gets them from that environment's stack (its
 *   templates apply to `REPLICATION` too: `receivesReplication`);
 * - any other destination gets a replica stack, `PtcAutopilot-replica-<account>-<region>`, holding the
 *   same templates for the prefixes replicated there (`appliedFor: [REPLICATION]`) and, for another
 *   account, the registry policy statement that lets the source accounts replicate in;
 * - `replication.destinations[N].templates: false` opts a destination out (its registry is managed
 *   elsewhere): then nothing of this config deploys there, as before.
 * `ptc plan` says which, per destination.
 */
import { targets, type Target } from '../environments';
import { replicationIntent } from '../registry-settings/intent';
import { destinationPrefixes } from '../registry-settings/limits';
import { effectiveSettings } from '../policy/settings';
import { deployRegionProblem, partitionOf } from '../regions';
import { configForTarget } from './kms-keys';
import { kmsKeyPlace } from './fields';
import { ecrRegistryHost } from '../upstreams';
import type { PlannedRegistrySettings } from '../registry-settings/plan';
import type { PtcConfig } from './schema';

/** The environment name of a replica stack's target (its stack is `PtcAutopilot-<name>`). */
export function replicaName(account: string, region: string): string {
  return `replica-${account}-${region}`;
}

/** A replication destination no environment of the config deploys, which gets a replica stack. */
export interface ReplicaDestination {
  /** Where the replica stack deploys; `name` is `replica-<account>-<region>`, `stackName` `PtcAutopilot-replica-<account>-<region>`. */
  readonly target: Target;
  /** The first `replication.destinations` entry that resolves here. */
  readonly index: number;
  /** The rule prefixes replicated here, in config order. */
  readonly prefixes: readonly string[];
  /** The environments that replicate here. */
  readonly sources: readonly string[];
  /** The source accounts other than the destination's own: the registry policy lets them replicate in. */
  readonly sourceAccounts: readonly string[];
}

type Destination = NonNullable<PtcConfig['replication']>['destinations'][number];

/** One entry of `replication.destinations` as one source environment sees it. */
interface Resolved {
  readonly index: number;
  readonly entry: Destination;
  readonly source: Target;
  readonly account: string;
  readonly region: string;
  readonly prefixes: string[];
  /** The environment of this config deployed there, if any. */
  readonly environment?: Target;
}

/** Every (source environment, destination entry) pair that replicates something, in config order. */
function resolvedDestinations(config: PtcConfig): Resolved[] {
  const all = targets(config);
  const out: Resolved[] = [];
  for (const source of all) {
    (config.replication?.destinations ?? []).forEach((entry, index) => {
      const account = entry.account ?? source.account;
      if (account === source.account && entry.region === source.region) return;
      const prefixes = destinationPrefixes(config, entry);
      if (prefixes.length === 0) return;
      const environment = all.find((t) => t.account === account && t.region === entry.region);
      out.push({ index, entry, source, account, region: entry.region, prefixes, ...(environment !== undefined ? { environment } : {}) });
    });
  }
  return out;
}

function replicaTarget(account: string, region: string): Target {
  const name = replicaName(account, region);
  return {
    name,
    account,
    region,
    stackName: `PtcAutopilot-${name}`,
    partition: partitionOf(region),
    registryHost: ecrRegistryHost(account, region),
  };
}

/**
 * The destinations that get a replica stack: replicated to, deployed by no environment, not opted
 * out with `templates: false`. One per account and Region, whichever sources replicate there.
 */
export function replicaDestinations(config: PtcConfig): ReplicaDestination[] {
  const byPlace = new Map<
    string,
    { index: number; prefixes: Set<string>; sources: string[]; sourceAccounts: Set<string>; account: string; region: string }
  >();
  for (const r of resolvedDestinations(config)) {
    if (r.environment !== undefined || r.entry.templates === false) continue;
    const key = `${r.account}/${r.region}`;
    const place = byPlace.get(key) ?? {
      index: r.index,
      prefixes: new Set<string>(),
      sources: [],
      sourceAccounts: new Set<string>(),
      account: r.account,
      region: r.region,
    };
    for (const p of r.prefixes) place.prefixes.add(p);
    if (!place.sources.includes(r.source.name)) place.sources.push(r.source.name);
    if (r.source.account !== r.account) place.sourceAccounts.add(r.source.account);
    byPlace.set(key, place);
  }
  return [...byPlace.values()].map((p) => ({
    target: replicaTarget(p.account, p.region),
    index: p.index,
    prefixes: config.rules.map((rule) => rule.prefix).filter((prefix) => p.prefixes.has(prefix)),
    sources: p.sources,
    sourceAccounts: [...p.sourceAccounts].sort(),
  }));
}

/**
 * The config a team would write to deploy the replica registry: its one environment (with the
 * destination's `kmsKeyArn` in every KMS encryption block), the rules replicated there with the same
 * repository settings, `acceptFrom` the source accounts, and nothing else (no replication onward, no
 * scanning, no prewarm, no node roles). The replica stack feeds it to the same constructs as an
 * environment's stack, so its templates are the source's.
 */
export function replicaConfig(config: PtcConfig, replica: ReplicaDestination): PtcConfig {
  const {
    account: _account,
    region: _region,
    replication: _replication,
    scanning: _scanning,
    secretsKmsKeyArn: _secretsKey,
    environments: _environments,
    ...rest
  } = config;
  const kmsKeyArn = config.replication?.destinations[replica.index]?.kmsKeyArn;
  const keep = new Set(replica.prefixes);
  const overrides = config.repositories.overrides?.filter((o) => keep.has(o.prefix));
  const derived: PtcConfig = {
    ...rest,
    rules: config.rules.filter((r) => keep.has(r.prefix)),
    repositories: { ...config.repositories, ...(overrides !== undefined ? { overrides } : {}) },
    prewarm: { ...config.prewarm, images: [], manifest: undefined },
    nodeRoleArns: [],
    environments: [
      {
        name: replica.target.name,
        account: replica.target.account,
        region: replica.target.region,
        ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}),
      },
    ],
    ...(replica.sourceAccounts.length > 0 ? { replication: { destinations: [], acceptFrom: [...replica.sourceAccounts] } } : {}),
  };
  return configForTarget(derived, replica.target);
}

/**
 * The CloudFormation resources of a replica stack as infra/stacks/replica-stack.ts declares them:
 * the creation role and its policy, one template per prefix, and for another account the
 * registry-settings function and provider (8) with its registry policy resource.
 */
export function predictedReplicaResourceCount(replica: ReplicaDestination): number {
  return 2 + replica.prefixes.length + (replica.sourceAccounts.length > 0 ? 9 : 0);
}

/** One problem, located by its zod-style path. */
export interface ReplicaIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The customer managed key a source stack encrypts one of `prefixes` with, if any. */
function sourceKey(config: PtcConfig, source: Target, prefixes: readonly string[]): string | undefined {
  const c = configForTarget(config, source);
  for (const p of prefixes) {
    const key = effectiveSettings(c, p).encryption.kmsKeyArn;
    if (key !== undefined) return key;
  }
  return undefined;
}

/**
 * What a replica stack could not deploy, or a destination field that would do nothing:
 * - a destination Region where ptc-autopilot's stack types do not exist or that it does not know
 *   (`deployRegionProblem`, core/regions.ts);
 * - a customer managed KMS key of a source, which serves only its own Region and account (the ECR API
 *   reference, EncryptionConfigurationForRepositoryCreationTemplate: "The key must exist in the same
 *   Region as the repository"): the destination names its own in `kmsKeyArn`, which must fit it;
 * - `kmsKeyArn` where no replica stack uses it, `templates: false` where an environment deploys the destination;
 * - a replica stack name an environment already uses.
 */
export function replicaIssues(config: PtcConfig): ReplicaIssue[] {
  if (config.replication === undefined) return [];
  const issues: ReplicaIssue[] = [];
  const at = (index: number, ...rest: string[]): (string | number)[] => ['replication', 'destinations', index, ...rest];
  const resolved = resolvedDestinations(config);
  const stackNames = new Map(targets(config).map((t) => [t.stackName, t.name]));
  const reported = new Set<string>();
  const once = (issue: ReplicaIssue): void => {
    const key = `${issue.path.join('.')}:${issue.message}`;
    if (!reported.has(key)) issues.push(issue);
    reported.add(key);
  };
  config.replication.destinations.forEach((entry, index) => {
    const mine = resolved.filter((r) => r.index === index);
    const replicas = entry.templates === false ? [] : mine.filter((r) => r.environment === undefined);
    if (entry.templates === false && mine.length > 0 && mine.every((r) => r.environment !== undefined)) {
      once({
        path: at(index, 'templates'),
        message: `has no effect: ${mine.map((r) => `environment "${r.environment!.name}" deploys ${r.account}/${r.region}`).join(', ')}, and its creation templates apply to replicated repositories; remove it`,
      });
    }
    if (entry.kmsKeyArn !== undefined && replicas.length === 0) {
      once({
        path: at(index, 'kmsKeyArn'),
        message:
          entry.templates === false
            ? 'goes unused with templates: false (this config deploys nothing there); remove it'
            : "goes unused: an environment of this config deploys that registry, and its stack uses that environment's kmsKeyArn; remove it",
      });
    }
    for (const r of replicas) {
      // ECR cannot replicate across partitions: registrySettingsIssues refuses that destination already.
      if (partitionOf(r.region) !== r.source.partition) continue;
      const where = `${r.account}/${r.region}`;
      const optOut = `, or set replication.destinations[${index}].templates: false if that registry is managed elsewhere`;
      const problem = deployRegionProblem(r.region);
      if (problem !== undefined)
        once({
          path: at(index, 'region'),
          message: `${problem}; this config would deploy a replica stack there to give replicated repositories their creation templates${optOut}`,
        });
      const stackName = replicaTarget(r.account, r.region).stackName;
      const clash = stackNames.get(stackName);
      if (clash !== undefined)
        once({
          path: at(index),
          message: `the replica stack for ${where} would be named ${stackName}, the stack of environment "${clash}"; rename that environment`,
        });
      const usesKms = r.prefixes.some((p) => effectiveSettings(configForTarget(config, r.source), p).encryption.type === 'KMS');
      const key = sourceKey(config, r.source, r.prefixes);
      if (entry.kmsKeyArn === undefined) {
        if (key !== undefined) {
          once({
            path: at(index),
            message: `replicated repositories in ${where} would get the creation templates of environment "${r.source.name}", encrypted with ${key}; a KMS key serves only its own account and Region, and ECR needs a template's key "in the same Region as the repository": give this destination its own key in replication.destinations[${index}].kmsKeyArn${optOut}`,
          });
        }
        continue;
      }
      if (!usesKms) {
        once({
          path: at(index, 'kmsKeyArn'),
          message: `no prefix replicated to ${where} is encrypted with KMS, so this key would go unused; set repositories.encryption: { type: KMS } (or an override's), or remove the key`,
        });
        continue;
      }
      const place = kmsKeyPlace(entry.kmsKeyArn);
      if (place !== undefined && (place.account !== r.account || place.region !== r.region || place.partition !== partitionOf(r.region))) {
        once({
          path: at(index, 'kmsKeyArn'),
          message: `the key is in account ${place.account}, ${place.region} but the destination is ${where}; a KMS key serves only its own account and Region${entry.account === undefined && new Set(mine.map((m) => m.account)).size > 1 ? ' (this destination names no account, so it is one per source account: list one destination per account)' : ''}`,
        });
      }
    }
  });
  return issues;
}

/** One replication destination of one source registry, and where its creation templates come from. */
export interface PlannedReplicationTemplates {
  readonly account: string;
  readonly region: string;
  /** The environment of this config whose stack creates the templates there, if one deploys it. */
  readonly environment?: string;
  /** The replica stack of this config that creates them, when no environment deploys it. */
  readonly stackName?: string;
  /** The prefixes the replica stack's templates cover. */
  readonly prefixes?: readonly string[];
  /** The accounts the replica stack's registry policy lets replicate in (absent within one account). */
  readonly registryPolicyFor?: readonly string[];
  /** `replication.destinations[N].templates: false`: nothing of this config deploys there. */
  readonly optedOut?: boolean;
}

/** Every destination the target's registry replicates to, with the stack that gives it templates. */
export function replicationTemplatePlan(config: PtcConfig, target: Pick<Target, 'account' | 'region'>): PlannedReplicationTemplates[] {
  const all = targets(config);
  const replicas = replicaDestinations(config);
  const out: PlannedReplicationTemplates[] = [];
  for (const rule of replicationIntent(config, target)?.rules ?? []) {
    for (const d of rule.destinations) {
      const place = { account: d.registryId, region: d.region };
      if (out.some((o) => o.account === place.account && o.region === place.region)) continue;
      const env = all.find((t) => t.account === place.account && t.region === place.region);
      const replica = replicas.find((r) => r.target.account === place.account && r.target.region === place.region);
      if (env !== undefined) out.push({ ...place, environment: env.name });
      else if (replica !== undefined) {
        out.push({
          ...place,
          stackName: replica.target.stackName,
          prefixes: [...replica.prefixes],
          ...(replica.sourceAccounts.length > 0 ? { registryPolicyFor: [...replica.sourceAccounts] } : {}),
        });
      } else out.push({ ...place, optedOut: true });
    }
  }
  return out;
}

/** The plan's lines for `replicationTemplatePlan`; `sourceAccount` is the planned environment's. */
export function renderReplicationTemplates(planned: readonly PlannedReplicationTemplates[] | undefined, sourceAccount?: string): string[] {
  const lines: string[] = [];
  for (const p of planned ?? []) {
    const at = `${p.account}/${p.region}`;
    if (p.environment !== undefined) {
      lines.push(`  creation templates at ${at}: created by environment ${p.environment}'s stack, applied to replicated repositories`);
    } else if (p.stackName !== undefined) {
      const policy =
        p.registryPolicyFor !== undefined
          ? ` and the registry policy statement letting ${p.registryPolicyFor.join(', ')} replicate in`
          : '';
      lines.push(
        `  creation templates at ${at}: created by stack ${p.stackName} of this config (REPLICATION templates for ${(p.prefixes ?? []).join(', ')}${policy})`,
      );
      lines.push(
        p.account === sourceAccount
          ? `    deploy it too, before replication starts (cdk deploy --all, or cdk deploy ${p.stackName}; the stacks replicating there depend on it)`
          : `    deploy it too, before replication starts: it is in account ${p.account}, so deploy it with that account's credentials, or bootstrap ${at} to trust this account (cdk bootstrap aws://${p.account}/${p.region} --trust ${sourceAccount ?? '<this account>'}) and run cdk deploy --all`,
      );
    } else {
      lines.push(
        `  creation templates at ${at}: NONE from this config (templates: false); replicated repositories arrive there without lifecycle, repository policy or tags unless the config that deploys ${at} creates them (a ptc-autopilot stack there does, when its replication.acceptFrom lists this account); add it as an environment to have this config create them`,
      );
    }
  }
  return lines;
}

/**
 * The registry settings plan with each cross-account destination that a replica stack grants
 * marked `deployedBy` that replica (`replica-<account>-<region>`), as an environment's would be.
 */
export function withReplicaDeployers(
  settings: PlannedRegistrySettings | undefined,
  config: PtcConfig,
): PlannedRegistrySettings | undefined {
  const replication = settings?.replication;
  if (settings === undefined || replication === undefined) return settings;
  const replicas = replicaDestinations(config).filter((r) => r.sourceAccounts.length > 0);
  const crossAccountDestinations = replication.crossAccountDestinations.map((d) => {
    const replica = replicas.find((r) => r.target.account === d.registryId && r.target.region === d.region);
    return d.deployedBy === undefined && replica !== undefined ? { ...d, deployedBy: replica.target.name } : d;
  });
  return { ...settings, replication: { ...replication, crossAccountDestinations } };
}
