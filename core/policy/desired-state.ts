/**
 * What ptc-autopilot enforces on one repository. `ptc desired-state` prints it, the reconciler
 * applies it, and the creation templates are built from the same pieces.
 */
import type { PtcConfig } from '../config/schema';
import { lifecyclePolicy, type LifecyclePolicy } from './lifecycle';
import { copyPullStatements, pullStatements, type PolicyStatement } from './repository-policy';
import type { ImageTagMutability } from './types';
import { effectiveSettings, type EffectiveSettings } from './settings';
import { isCopyPrefix, managedPrefixFor, type ManagedScope } from './managed-prefixes';

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
  /** Present on copy repositories (a `copies` prefix): pull-only grants, no untagged or archive rule. */
  copy?: true;
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
 * The lifecycle of a copy repository: the newest `keepLastTagged` tagged images only. No untagged
 * rule and no archive rule, whatever the config says for cache repositories: a copied index's
 * platform manifests are untagged images that ECR's lifecycle documentation does not say an
 * untagged rule spares, an archived image cannot be pulled, and nothing fetches a copy again on a
 * miss (the next copy run finds the tag unchanged and does not look at the children). docs/copy.md, "Repositories".
 */
export function copyRepositoryLifecycle(lifecycle: EffectiveSettings['lifecycle']): EffectiveSettings['lifecycle'] {
  return { keepLastTagged: lifecycle.keepLastTagged };
}

/**
 * The desired state for a prefix's repositories. A `copies` prefix (in `config.copies`) gets the
 * same settings as a cache prefix except the lifecycle (`copyRepositoryLifecycle`) and the
 * grants (pull only, `copyPullStatements`).
 */
export function desiredStateForPrefix(
  config: Pick<PtcConfig, 'repositories'> & ManagedScope,
  prefix: string,
  partition = 'aws',
): ManagedDesiredState {
  const settings = effectiveSettings(config, prefix);
  const copy = isCopyPrefix(config, prefix);
  return {
    managed: true,
    prefix,
    ...(copy ? { copy: true as const } : {}),
    lifecyclePolicy: lifecyclePolicy(copy ? copyRepositoryLifecycle(settings.lifecycle) : settings.lifecycle),
    repositoryPolicyStatements: copy ? copyPullStatements(settings, partition) : pullStatements(settings, partition),
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
 * desiredState(config, 'gcr/distroless/static') // { managed: true, prefix: 'gcr', copy: true, ... } with a copies entry gcr
 * desiredState(config, 'team-a/service') // { managed: false }
 */
export function desiredState(
  config: Pick<PtcConfig, 'repositories'> & ManagedScope,
  repositoryName: string,
  partition = 'aws',
): DesiredState {
  const managed = managedPrefixFor(config, repositoryName);
  return managed === undefined ? { managed: false } : desiredStateForPrefix(config, managed.prefix, partition);
}
