/**
 * The plan: what a deploy of a config creates, per environment. `ptc plan` prints it and
 * `npm start` shows it after synth.
 */
import type { PtcConfig } from './config/schema';
import { configForTarget } from './config/kms-keys';
import { renderReplicationTemplates, replicationTemplatePlan, type PlannedReplicationTemplates } from './config/replication-templates';
import { targets } from './environments';
import { desiredStateForPrefix, type ManagedDesiredState } from './policy/desired-state';
import { effectiveSettings } from './policy/settings';
import { describeCredentials, upstreamRegistryUrl } from './rules';
import { planRegistrySettings, renderRegistrySettings, type PlannedRegistrySettings } from './registry-settings/plan';

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
}

/** One environment's plan. */
export interface PlannedEnvironment {
  name: string;
  stackName: string;
  account: string;
  region: string;
  registry: string;
  rules: PlannedRule[];
  nodeRoleArns: string[];
  schedules: { validation: string; prewarm: string; sweep: string };
  prewarmImages: number;
  /** Replication, registry policy and scanning; absent when the config sets none of them. */
  registrySettings?: PlannedRegistrySettings;
  /** Where each replication destination's creation templates come from; absent without replication. */
  replicationTemplates?: PlannedReplicationTemplates[];
}

/** The whole plan. */
export interface Plan {
  environments: PlannedEnvironment[];
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
        return {
          prefix: rule.prefix,
          upstream: rule.upstream,
          upstreamRegistryUrl: upstreamRegistryUrl(rule),
          credentials: describeCredentials(rule),
          ...(rule.upstreamRepositoryPrefix !== undefined ? { upstreamRepositoryPrefix: rule.upstreamRepositoryPrefix } : {}),
          cacheUriPattern: `${t.registryHost}/${rule.prefix}/...`,
          repositorySettings: { ...desired, encryption: { ...effectiveSettings(configForTarget(config, t), rule.prefix).encryption } },
        };
      }),
      nodeRoleArns: [...config.nodeRoleArns],
      schedules: { validation: config.validation.schedule, prewarm: config.prewarm.schedule, sweep: config.reconciler.sweepSchedule },
      prewarmImages: config.prewarm.images.length,
      ...withRegistrySettings(planRegistrySettings(config, t)),
      ...withReplicationTemplates(replicationTemplatePlan(config, t)),
    })),
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
      const tags = Object.entries(s.tags).map(([k, v]) => `${k}=${v}`).join(', ');
      lines.push(`  rule ${rule.prefix} <- ${rule.upstream} (${rule.upstreamRegistryUrl})`);
      lines.push(`    pull from    ${rule.cacheUriPattern}`);
      lines.push(`    credentials  ${rule.credentials}`);
      if (rule.upstreamRepositoryPrefix) lines.push(`    upstream repository prefix ${rule.upstreamRepositoryPrefix}`);
      lines.push(`    lifecycle    ${lifecycle}`);
      lines.push(`    pull access  ${access}`);
      lines.push(`    tags         ${tags}`);
      lines.push(`    scanOnPush ${s.scanOnPush}, tags ${s.imageTagMutability}, encryption ${rule.repositorySettings.encryption.type}`);
    }
    lines.push(`  node policy attached to: ${env.nodeRoleArns.length === 0 ? '(no roles listed; attach the exported policy yourself)' : env.nodeRoleArns.join(', ')}`);
    lines.push(`  schedules: validation ${env.schedules.validation}, prewarm ${env.schedules.prewarm} (${env.prewarmImages} images), drift sweep ${env.schedules.sweep}`);
    lines.push(...renderRegistrySettings(env.registrySettings));
    lines.push(...renderReplicationTemplates(env.replicationTemplates));
  }
  return `${lines.join('\n')}\n`;
}
