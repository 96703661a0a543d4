/**
 * The plan: what a deploy of a config creates, per environment. `ptc plan` prints it and
 * `npm start` shows it after synth.
 */
import type { PtcConfig } from './config/schema';
import { configForTarget } from './config/kms-keys';
import {
  renderReplicationTemplates,
  replicationTemplatePlan,
  withReplicaDeployers,
  type PlannedReplicationTemplates,
} from './config/replication-templates';
import { targets } from './environments';
import { desiredStateForPrefix, type ManagedDesiredState } from './policy/desired-state';
import { effectiveSettings } from './policy/settings';
import { describeCredentials, upstreamRegistryUrl } from './rules';
import { planRegistrySettings, renderRegistrySettings, type PlannedRegistrySettings } from './registry-settings/plan';
import { planNodePolicy, renderNodePolicy, type PlannedNodePolicy } from './plan-notes/node-policy';
import { unattachedNodeRoles } from './policy/node-policy';
import { untaggedImagesNote } from './plan-notes/lifecycle';
import { archiveNote, evictionNote } from './plan-notes/eviction';
import { effectiveEviction } from './eviction/settings';
import { planReconcilerTriggers, renderReconcilerTriggers, type PlannedTrigger } from './plan-notes/reconciler-triggers';
import { planSecretsKey, renderSecretsKey, type PlannedSecretsKey } from './plan-notes/secrets-key';

function withValue<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, V>>);
}
import { configFallback, kubeletExclusions, MIRROR_NODE_REQUIREMENTS, mirrorMapFor, mirrorMapLines } from './node-config';
import { planConsumers, renderConsumers, type PlannedConsumer } from './consumers/plan';
import { planCopies, renderCopies, type PlannedCopy } from './plan-notes/copies';
import { planCopyRepositories } from './plan-notes/copy-repositories';

function withReplicationTemplates(planned: PlannedReplicationTemplates[]): { replicationTemplates?: PlannedReplicationTemplates[] } {
  return planned.length === 0 ? {} : { replicationTemplates: planned };
}

function withRegistrySettings(settings: PlannedRegistrySettings | undefined): { registrySettings?: PlannedRegistrySettings } {
  return settings === undefined ? {} : { registrySettings: settings };
}

/** One rule as deployed to one environment. */
export interface PlannedRule {
  prefix: string;
  upstream: string;
  upstreamRegistryUrl: string;
  credentials: string;
  upstreamRepositoryPrefix?: string;
  /** Where images of this rule are pulled from: `<registry>/<prefix>/<upstream path>`. */
  cacheUriPattern: string;
  repositorySettings: Omit<ManagedDesiredState, 'managed' | 'prefix'> & { encryption: { type: string; kmsKeyArn?: string } };
  /** What the lifecycle policy does with untagged images (platform manifests of multi-arch tags among them). */
  untaggedImages: string;
  /** What eviction does under this prefix (docs/eviction.md). */
  eviction: string;
  /** What ECR's archive rules do, when configured. */
  archive?: string;
}

/** One environment's plan. */
export interface PlannedEnvironment {
  name: string;
  stackName: string;
  account: string;
  region: string;
  registry: string;
  rules: PlannedRule[];
  /** Every configured node role (`nodeRoleArns`). */
  nodeRoleArns: string[];
  /** Where this stack's node policy is attached and what it covers. */
  nodePolicy: PlannedNodePolicy;
  /** The customer managed key of the secrets this stack creates and the key policy statement ECR needs; absent with aws/secretsmanager. */
  secretsKey?: PlannedSecretsKey;
  schedules: { validation: string; prewarm: string; sweep: string };
  /** What invokes the reconciler; `needsCloudTrail` marks the trigger that needs a trail ptc-autopilot does not create. */
  reconcilerTriggers: PlannedTrigger[];
  prewarmImages: number;
  /** Replication, registry policy and scanning; absent when the config sets none of them. */
  registrySettings?: PlannedRegistrySettings;
  /** Mirror mode (`ptc node-config`): upstream host -> mirror URL, and whether nodes fall back upstream. */
  mirror: {
    fallback: boolean;
    hosts: { host: string; mirrorUrl: string }[];
    unmirrored: { host: string; reason: string }[];
    notKubelet: { host: string; reason: string }[];
    requirements: string[];
  };
  /** Where each replication destination's creation templates come from; absent without replication. */
  replicationTemplates?: PlannedReplicationTemplates[];
  /** The `copies` entries and where each listed image is pulled from; absent without copies. */
  copies?: PlannedCopy[];
}

/** The whole plan. */
export interface Plan {
  environments: PlannedEnvironment[];
  /** Node roles in an account no environment deploys to: no stack attaches a policy to them. */
  unattachedNodeRoles: string[];
  /** Other accounts pulling through the hubs (`consumers`); absent without them. */
  consumers?: PlannedConsumer[];
}

/** Builds the plan for every environment of a config. */
export function buildPlan(config: PtcConfig): Plan {
  return {
    environments: targets(config).map((t) => ({
      name: t.name,
      stackName: t.stackName,
      account: t.account,
      region: t.region,
      registry: t.registryHost,
      rules: config.rules.map((rule) => {
        const { managed: _managed, prefix: _prefix, ...desired } = desiredStateForPrefix(config, rule.prefix, t.partition);
        const settings = effectiveSettings(config, rule.prefix);
        return {
          prefix: rule.prefix,
          upstream: rule.upstream,
          upstreamRegistryUrl: upstreamRegistryUrl(rule),
          credentials: describeCredentials(rule),
          ...(rule.upstreamRepositoryPrefix !== undefined ? { upstreamRepositoryPrefix: rule.upstreamRepositoryPrefix } : {}),
          cacheUriPattern: `${t.registryHost}/${rule.prefix}/...`,
          repositorySettings: { ...desired, encryption: { ...effectiveSettings(configForTarget(config, t), rule.prefix).encryption } },
          untaggedImages: untaggedImagesNote(settings.lifecycle),
          eviction: evictionNote(effectiveEviction(config, rule.prefix)),
          ...(archiveNote(settings.lifecycle) !== undefined ? { archive: archiveNote(settings.lifecycle)! } : {}),
        };
      }),
      nodeRoleArns: [...config.nodeRoleArns],
      nodePolicy: planNodePolicy(config, t),
      ...withValue('secretsKey', planSecretsKey(config, t)),
      schedules: { validation: config.validation.schedule, prewarm: config.prewarm.schedule, sweep: config.reconciler.sweepSchedule },
      reconcilerTriggers: planReconcilerTriggers(config, t),
      prewarmImages: config.prewarm.images.length,
      ...withRegistrySettings(withReplicaDeployers(planRegistrySettings(config, t), config)),
      mirror: planMirror(config, t),
      ...withReplicationTemplates(replicationTemplatePlan(config, t)),
      ...(config.copies.length > 0
        ? { copies: planCopies(config, t.registryHost).map((c) => ({ ...c, repositories: planCopyRepositories(config, c.prefix, t) })) }
        : {}),
    })),
    unattachedNodeRoles: unattachedNodeRoles(config),
    ...(config.consumers !== undefined ? { consumers: planConsumers(config) } : {}),
  };
}

function planMirror(config: PtcConfig, t: Parameters<typeof mirrorMapFor>[1]): PlannedEnvironment['mirror'] {
  const map = mirrorMapFor(config, t);
  return {
    fallback: configFallback(config),
    hosts: [...map.entries, ...(map.copies ?? [])].map((e) => ({ host: e.host, mirrorUrl: e.mirrorUrl })),
    unmirrored: map.unmirrored.map((u) => ({ host: u.host, reason: u.reason })),
    notKubelet: kubeletExclusions(map),
    requirements: [
      ...(map.entries.length > 0 || map.copies !== undefined ? MIRROR_NODE_REQUIREMENTS : []),
      ...(map.copies ?? []).map(
        (c) =>
          `every image nodes pull from ${c.host} listed in copies[${c.index}].images (mirrored cache only: any other fails to pull; not on Bottlerocket)`,
      ),
    ],
  };
}

/** Renders a plan as text for people. */
export function renderPlan(plan: Plan): string {
  const lines: string[] = [];
  for (const env of plan.environments) {
    lines.push(`Environment ${env.name}: stack ${env.stackName}, account ${env.account}, region ${env.region}`);
    lines.push(`  registry ${env.registry}`);
    for (const rule of env.rules) {
      const s = rule.repositorySettings;
      const lifecycle = s.lifecyclePolicy.rules.map((r) => r.description.replace(/^ptc-autopilot: /, '')).join('; ');
      const access = s.repositoryPolicyStatements.map((st) => st.Sid).join(', ') || 'none';
      const tags = Object.entries(s.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      lines.push(`  rule ${rule.prefix} <- ${rule.upstream} (${rule.upstreamRegistryUrl})`);
      lines.push(`    pull from    ${rule.cacheUriPattern}`);
      lines.push(`    credentials  ${rule.credentials}`);
      if (rule.upstreamRepositoryPrefix) lines.push(`    upstream repository prefix ${rule.upstreamRepositoryPrefix}`);
      lines.push(`    lifecycle    ${lifecycle}`);
      lines.push(`    untagged     ${rule.untaggedImages}`);
      lines.push(`    eviction     ${rule.eviction}`);
      if (rule.archive !== undefined) lines.push(`    archive      ${rule.archive}`);
      lines.push(`    pull access  ${access}`);
      lines.push(`    tags         ${tags}`);
      lines.push(`    scanOnPush ${s.scanOnPush}, tags ${s.imageTagMutability}, encryption ${rule.repositorySettings.encryption.type}`);
      const refresh = tagRefreshNote(s.imageTagMutability, s.imageTagMutabilityExclusionFilters);
      if (refresh !== undefined) lines.push(`    tag refresh  ${refresh}`);
    }
    lines.push(...renderCopies(env.copies));
    lines.push(...renderSecretsKey(env.secretsKey));
    lines.push(...renderNodePolicy(env.nodePolicy, env.stackName, env.account, env.nodeRoleArns.length > 0));
    lines.push(
      `  schedules: validation ${env.schedules.validation}, prewarm ${env.schedules.prewarm} (${env.prewarmImages} images), drift sweep ${env.schedules.sweep}`,
    );
    lines.push(...renderReconcilerTriggers(env.reconcilerTriggers, env.region));
    lines.push(...renderRegistrySettings(env.registrySettings));
    lines.push(...renderReplicationTemplates(env.replicationTemplates, env.account));
    lines.push(`  mirror map (ptc node-config; fallback to upstream ${env.mirror.fallback ? 'on' : 'off'}):`);
    lines.push(...mirrorMapLines({ entries: env.mirror.hosts, unmirrored: env.mirror.unmirrored }).map((l) => `    ${l}`));
    lines.push(...env.mirror.notKubelet.map((x) => `    (${x.host} stays out of the kubelet node formats: ${x.reason})`));
    lines.push(...env.mirror.requirements.map((r) => `    needs ${r}`));
  }
  if (plan.unattachedNodeRoles.length > 0) {
    lines.push(
      `Node roles not attached (no environment deploys to their account): ${plan.unattachedNodeRoles.join(', ')}; attach an exported NodePolicyArn to them in their own account, or add an environment there`,
    );
  }
  lines.push(...renderConsumers(plan.consumers ?? []));
  return `${lines.join('\n')}\n`;
}

/**
 * What the tag mutability means for the cache's 24-hour refresh of a tag whose upstream moved
 * (docs/reconciler.md, "Tag mutability and the 24-hour refresh"); undefined for MUTABLE.
 */
function tagRefreshNote(mutability: string, filters: readonly string[]): string | undefined {
  const patterns = filters.join(', ');
  switch (mutability) {
    case 'IMMUTABLE':
      return 'a cached tag stays on its first image: the refresh cannot move it when the upstream does';
    case 'IMMUTABLE_WITH_EXCLUSION':
      return `tags matching ${patterns} follow the upstream; every other cached tag stays on its first image`;
    case 'MUTABLE_WITH_EXCLUSION':
      return `tags matching ${patterns} stay on their first image; every other cached tag follows the upstream`;
    default:
      return undefined;
  }
}
