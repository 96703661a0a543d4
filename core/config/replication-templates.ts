/**
 * Where replicated repositories get their settings. ECR applies a repository creation template whose
 * `appliedFor` holds `REPLICATION` to a repository that replication creates; without one the repository
 * arrives with no lifecycle policy, repository policy or tags. ptc-autopilot's stacks create such
 * templates in every registry that receives replication (`receivesReplication`), so a destination that
 * an environment of this config deploys gets them; any other destination gets them only from the
 * config that deploys it there. `ptc plan` says which, per destination.
 */
import { targets, type Target } from '../environments';
import { replicationIntent } from '../registry-settings/intent';
import type { PtcConfig } from './schema';

/** One replication destination of one source registry, and where its creation templates come from. */
export interface PlannedReplicationTemplates {
  readonly account: string;
  readonly region: string;
  /** The environment of this config whose stack creates the templates there, if one deploys it. */
  readonly environment?: string;
}

/** Every destination the target's registry replicates to, with the environment that gives it templates. */
export function replicationTemplatePlan(config: PtcConfig, target: Pick<Target, 'account' | 'region'>): PlannedReplicationTemplates[] {
  const all = targets(config);
  const out: PlannedReplicationTemplates[] = [];
  for (const rule of replicationIntent(config, target)?.rules ?? []) {
    for (const d of rule.destinations) {
      if (out.some((o) => o.account === d.registryId && o.region === d.region)) continue;
      const env = all.find((t) => t.account === d.registryId && t.region === d.region);
      out.push(env === undefined ? { account: d.registryId, region: d.region } : { account: d.registryId, region: d.region, environment: env.name });
    }
  }
  return out;
}

/** The plan's lines for `replicationTemplatePlan`. */
export function renderReplicationTemplates(planned: readonly PlannedReplicationTemplates[] | undefined): string[] {
  return (planned ?? []).map((p) =>
    p.environment !== undefined
      ? `  creation templates at ${p.account}/${p.region}: created by environment ${p.environment}'s stack, applied to replicated repositories`
      : `  creation templates at ${p.account}/${p.region}: NONE from this config; replicated repositories arrive there without lifecycle, repository policy or tags unless the config that deploys ${p.account}/${p.region} creates them (a ptc-autopilot stack there does, when its replication.acceptFrom lists this account); add it as an environment to have this config create them`,
  );
}
