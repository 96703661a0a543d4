/**
 * Effective repository settings for one prefix: the base `repositories` block with the prefix's
 * override applied and defaults filled in. The creation templates, the reconciler Lambda and
 * `ptc desired-state` all start here, so they can never disagree.
 */
import type { PtcConfig, RuleConfig } from '../config/schema';
import { consumerPrincipals } from '../consumers/principals';
import { normalizeOrganizationalUnitPath } from './pull-principals';
import type { EffectiveSettings } from './types';

export type { EffectiveSettings } from './types';

/**
 * Lifecycle defaults applied when the config leaves a number out. Untagged images do not expire
 * unless `untaggedExpireDays` is set: the platform manifests of a cached multi-arch tag are
 * untagged images, and ECR's lifecycle documentation does not say that an untagged rule spares
 * what a kept image index references (docs/reconciler.md, "Lifecycle and multi-arch images").
 */
export const LIFECYCLE_DEFAULTS = { keepLastTagged: 100 } as const;

/**
 * Computes the effective settings for a rule prefix.
 *
 * Override keys replace the base keys, except `lifecycle` and `tags`, which merge key by key.
 * @example
 * effectiveSettings(config, 'k8s').lifecycle.keepLastTagged // 20 with the example config
 */
export function effectiveSettings(
  config: Pick<PtcConfig, 'repositories'> & Partial<Pick<PtcConfig, 'consumers' | 'rules'>>,
  prefix: string,
): EffectiveSettings {
  const base = repositoriesWithConsumers(config);
  const override = base.overrides?.find((o) => o.prefix === prefix);
  const pick = <K extends 'pullAccounts' | 'pullOrganizations' | 'pullOrganizationalUnits' | 'scanOnPush' | 'encryption'>(key: K) =>
    override?.[key] !== undefined ? override[key] : base[key];
  const untaggedExpireDays = override?.lifecycle?.untaggedExpireDays ?? base.lifecycle?.untaggedExpireDays;
  const archiveUnpulledDays = override?.lifecycle?.archiveUnpulledDays ?? base.lifecycle?.archiveUnpulledDays;
  const expireArchivedDays = override?.lifecycle?.expireArchivedDays ?? base.lifecycle?.expireArchivedDays;
  return {
    lifecycle: {
      ...(untaggedExpireDays !== undefined ? { untaggedExpireDays } : {}),
      ...(archiveUnpulledDays !== undefined
        ? { archiveUnpulledDays, ...(expireArchivedDays !== undefined ? { expireArchivedDays } : {}) }
        : {}),
      keepLastTagged: override?.lifecycle?.keepLastTagged ?? base.lifecycle?.keepLastTagged ?? LIFECYCLE_DEFAULTS.keepLastTagged,
      // Seeds (rules[N].seeds) get the rule that keeps their reserved tags (core/policy/lifecycle.ts).
      ...(config.rules?.some((r) => r.prefix === prefix && (r.seeds?.length ?? 0) > 0) ? { protectSeeds: true as const } : {}),
    },
    pullAccounts: dedupe(pick('pullAccounts') ?? []),
    pullOrganizations: dedupe(pick('pullOrganizations') ?? []),
    pullOrganizationalUnits: dedupe((pick('pullOrganizationalUnits') ?? []).map(normalizeOrganizationalUnitPath)),
    tags: { ...(base.tags ?? {}), ...(override?.tags ?? {}) },
    scanOnPush: pick('scanOnPush') ?? true,
    ...mutability(override?.imageTagMutability !== undefined ? override : base),
    encryption: pick('encryption') ?? { type: 'AES256' },
  };
}

/**
 * The tag mutability and its exclusion filters, taken together from the block that sets the
 * mutability (an override's replaces the base's with its filters; the config checks the pair).
 */
function mutability(block: {
  imageTagMutability?: EffectiveSettings['imageTagMutability'] | undefined;
  imageTagMutabilityExclusionFilters?: string[] | undefined;
}): Pick<EffectiveSettings, 'imageTagMutability' | 'imageTagMutabilityExclusionFilters'> {
  const imageTagMutability = block.imageTagMutability ?? 'MUTABLE';
  return {
    imageTagMutability,
    imageTagMutabilityExclusionFilters: imageTagMutability.endsWith('_WITH_EXCLUSION')
      ? [...(block.imageTagMutabilityExclusionFilters ?? [])]
      : [],
  };
}

/**
 * The `repositories` block with the config's consumers granted: every consumer account joins
 * `pullAccounts`, every consumer OU joins `pullOrganizationalUnits`, in the base block and in each
 * override that replaces those keys (consumers get every managed prefix). The reconciler's payload
 * carries this block instead of `consumers`, so the Lambda grants exactly what the creation
 * templates grant. Unchanged (the same object) when the config has no consumers.
 */
export function repositoriesWithConsumers(
  config: Pick<PtcConfig, 'repositories'> & Partial<Pick<PtcConfig, 'consumers'>>,
): PtcConfig['repositories'] {
  const base = config.repositories;
  const extra = consumerPrincipals(config);
  if (extra.accounts.length === 0 && extra.organizationalUnitPaths.length === 0) return base;
  const grant = <T extends { pullAccounts?: string[]; pullOrganizationalUnits?: string[] }>(block: T, always: boolean): T => ({
    ...block,
    ...(extra.accounts.length > 0 && (always || block.pullAccounts !== undefined)
      ? { pullAccounts: dedupe([...(block.pullAccounts ?? []), ...extra.accounts]) }
      : {}),
    ...(extra.organizationalUnitPaths.length > 0 && (always || block.pullOrganizationalUnits !== undefined)
      ? {
          pullOrganizationalUnits: dedupe([
            ...(block.pullOrganizationalUnits ?? []).map(normalizeOrganizationalUnitPath),
            ...extra.organizationalUnitPaths,
          ]),
        }
      : {}),
  });
  return { ...grant(base, true), ...(base.overrides !== undefined ? { overrides: base.overrides.map((o) => grant(o, false)) } : {}) };
}

/**
 * The rule whose namespace holds `repositoryName`, matching on whole path components:
 * `docker-hub/library/nginx` is under `docker-hub`, `docker-hubx/nginx` is not.
 */
export function ruleForRepository(config: Pick<PtcConfig, 'rules'>, repositoryName: string): RuleConfig | undefined {
  let best: RuleConfig | undefined;
  for (const rule of config.rules) {
    if (repositoryName.startsWith(`${rule.prefix}/`) && (best === undefined || rule.prefix.length > best.prefix.length)) {
      best = rule;
    }
  }
  return best;
}

/** The rules' prefixes (cache repositories), in config order; `allManagedPrefixes` (./managed-prefixes) adds the `copies` prefixes. */
export function managedPrefixes(config: Pick<PtcConfig, 'rules'>): string[] {
  return config.rules.map((r) => r.prefix);
}

function dedupe<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
