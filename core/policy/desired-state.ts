/**
 * What ptc-autopilot enforces on one repository. `ptc desired-state` prints it, the reconciler
 * applies it, and the creation templates are built from the same pieces.
 */
import type { PtcConfig } from '../config/schema';
import { lifecyclePolicy, type LifecyclePolicy } from './lifecycle';
import { pullStatements, type PolicyStatement } from './repository-policy';
import type { ImageTagMutability } from './types';
import { effectiveSettings, ruleForRepository, type EffectiveSettings } from './settings';

/** The tag key that marks a repository as configured by ptc-autopilot. */
export const MANAGED_TAG_KEY = 'ptc-autopilot:managed';
/** A repository carrying this tag with value `true` is left alone by the reconciler. */
export const IGNORE_TAG_KEY = 'ptc-autopilot:ignore';

/**
 * Whether a repository's tags opt it out of ptc-autopilot (`ptc-autopilot:ignore=true`, any case
 * of `true`): the reconciler and eviction leave it alone.
 */
export function optedOut(tags: Readonly<Record<string, string>>): boolean {
  return tags[IGNORE_TAG_KEY]?.toLowerCase() === 'true';
}

/** The desired state of a repository under a managed prefix. */
export interface ManagedDesiredState {
  managed: true;
  prefix: string;
  lifecyclePolicy: LifecyclePolicy;
  repositoryPolicyStatements: PolicyStatement[];
  tags: Record<string, string>;
  scanOnPush: boolean;
  imageTagMutability: ImageTagMutability;
  /** `WILDCARD` tag patterns excepted from `imageTagMutability`; empty unless it is a `*_WITH_EXCLUSION` value. */
  imageTagMutabilityExclusionFilters: string[];
}

/** The desired state of any repository: `{ managed: false }` outside the managed prefixes. */
export type DesiredState = ManagedDesiredState | { managed: false };

/** The tags every repository with these settings carries, our marker tag included. */
export function desiredTags(settings: EffectiveSettings): Record<string, string> {
  return { ...settings.tags, [MANAGED_TAG_KEY]: 'true' };
}

/**
 * The desired state for a prefix's repositories.
 */
export function desiredStateForPrefix(
  config: Pick<PtcConfig, 'rules' | 'repositories'>,
  prefix: string,
  partition = 'aws',
): ManagedDesiredState {
  const settings = effectiveSettings(config, prefix);
  return {
    managed: true,
    prefix,
    lifecyclePolicy: lifecyclePolicy(settings.lifecycle),
    repositoryPolicyStatements: pullStatements(settings, partition),
    tags: desiredTags(settings),
    scanOnPush: settings.scanOnPush,
    imageTagMutability: settings.imageTagMutability,
    imageTagMutabilityExclusionFilters: [...settings.imageTagMutabilityExclusionFilters],
  };
}

/**
 * The desired state for a repository by name.
 * @example
 * desiredState(config, 'k8s/pause')      // { managed: true, prefix: 'k8s', ... }
 * desiredState(config, 'team-a/service') // { managed: false }
 */
export function desiredState(config: Pick<PtcConfig, 'rules' | 'repositories'>, repositoryName: string, partition = 'aws'): DesiredState {
  const rule = ruleForRepository(config, repositoryName);
  return rule === undefined ? { managed: false } : desiredStateForPrefix(config, rule.prefix, partition);
}
