/**
 * The plan's view of the repositories a `copies` entry fills in one environment: the creation
 * template that creates them on the first push, the reconciler that keeps them configured, the
 * settings they get (the cache's, less the untagged and archive rules; pull-only grants) and who
 * may pull them (docs/copy.md, "Repositories" and "Nodes").
 */
import type { PtcConfig } from '../config/schema';
import { prefixRepositoryArn, type Target } from '../environments';
import { desiredStateForPrefix } from '../policy/desired-state';
import { effectiveSettings } from '../policy/settings';

/** What one copy prefix's repositories get in one environment. */
export interface PlannedCopyRepositories {
  /** The creation template: `CREATE_ON_PUSH` on `<prefix>/`. */
  template: string;
  /** What reconciles them. */
  reconciler: string;
  /** The lifecycle rules, one phrase each. */
  lifecycle: string[];
  /** What happens to untagged images (never expired in a copy repository), and which cache settings copies do not get. */
  untagged: string;
  /** The owned repository policy statements (`Sid`s), and their actions. */
  pullAccess: string;
  /** Who pulls them: this account's node policy, and consumers' when there are any. */
  nodeAccess: string;
}

/** Plans the repositories of one copy prefix in one target. */
export function planCopyRepositories(config: PtcConfig, prefix: string, target: Target): PlannedCopyRepositories {
  const desired = desiredStateForPrefix(config, prefix, target.partition);
  const base = effectiveSettings(config, prefix).lifecycle;
  const dropped = [
    ...(base.untaggedExpireDays !== undefined ? [`untaggedExpireDays ${base.untaggedExpireDays}`] : []),
    ...(base.archiveUnpulledDays !== undefined ? [`archiveUnpulledDays ${base.archiveUnpulledDays}`] : []),
  ];
  const statements = desired.repositoryPolicyStatements;
  const consumers = config.consumers !== undefined;
  return {
    template: `creation template CREATE_ON_PUSH on ${prefix}/ (the first push of a copy creates the repository with these settings)`,
    reconciler: `reconciled on every push (ECR Image Action PUSH), on CreateRepository and by the drift sweep, like the cache repositories`,
    lifecycle: desired.lifecyclePolicy.rules.map((r) => r.description.replace(/^ptc-autopilot: /, '')),
    untagged:
      "kept (no untagged rule): a copied index's platform manifests are untagged, and nothing copies them again on a miss" +
      (dropped.length > 0 ? `; ${dropped.join(' and ')} apply to cache repositories only (an archived copy cannot be pulled)` : ''),
    pullAccess:
      statements.length === 0
        ? 'none'
        : `${statements.map((s) => s.Sid).join(', ')} (${[...new Set(statements.flatMap((s) => [s.Action ?? []].flat()))].join(', ')})`,
    nodeAccess: `node policy CopiedImagesPull on ${prefixRepositoryArn(target, prefix)} (pull only, no first pull)${consumers ? '; consumer node policies PtcAutopilotHubCopiedPull (pull only)' : ''}`,
  };
}

/** The plan lines of one copy prefix's repositories. */
export function renderCopyRepositories(planned: PlannedCopyRepositories): string[] {
  return [
    `    template     ${planned.template}`,
    `    reconciler   ${planned.reconciler}`,
    `    lifecycle    ${planned.lifecycle.join('; ')}`,
    `    untagged     ${planned.untagged}`,
    `    pull access  ${planned.pullAccess}`,
    `    node access  ${planned.nodeAccess}`,
  ];
}
