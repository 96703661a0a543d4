/**
 * The lifecycle policy document for cache repositories, as ECR's PutLifecyclePolicy and
 * repository creation templates take it.
 */
import { seedRule } from './seed-rule';
import type { EffectiveSettings } from './types';

/** One rule of an ECR lifecycle policy. */
export interface LifecycleRule {
  rulePriority: number;
  description: string;
  selection: {
    tagStatus: 'untagged' | 'tagged' | 'any';
    tagPatternList?: string[];
    /** `archive` only with `sinceImageTransitioned`; omitted (`standard`) otherwise. */
    storageClass?: 'archive';
    countType: 'sinceImagePushed' | 'imageCountMoreThan' | 'sinceImagePulled' | 'sinceImageTransitioned';
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' } | { type: 'transition'; targetStorageClass: 'archive' };
}

/** An ECR lifecycle policy document. */
export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

/**
 * Builds the lifecycle policy: only the newest M tagged images are kept and, when the config sets
 * `untaggedExpireDays`, untagged images expire after N days.
 *
 * There is no untagged rule by default. A cached multi-arch tag is an image index whose platform
 * manifests are untagged images, and ECR's lifecycle documentation does not say that an untagged
 * rule spares the images a kept index references (it selects untagged images by push date alone;
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html). An opt-in
 * `untaggedExpireDays` keeps its rule, and `ptc plan` warns about it. A prefix whose rule lists
 * `seeds` gets the seed rule first (`seedRule`), the others one priority lower.
 * @example
 * lifecyclePolicy({ keepLastTagged: 50 }).rules.length // 1
 * lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 50 }).rules.length // 2
 */
export function lifecyclePolicy(lifecycle: EffectiveSettings['lifecycle']): LifecyclePolicy {
  const policy = basePolicy(lifecycle);
  if (lifecycle.protectSeeds !== true) return policy;
  return { rules: [seedRule(), ...policy.rules.map((r) => ({ ...r, rulePriority: r.rulePriority + 1 }))] };
}

function basePolicy(lifecycle: EffectiveSettings['lifecycle']): LifecyclePolicy {
  const untagged: LifecycleRule[] =
    lifecycle.untaggedExpireDays === undefined
      ? []
      : [
          {
            rulePriority: 1,
            description: `ptc-autopilot: expire untagged images after ${lifecycle.untaggedExpireDays} days`,
            selection: {
              tagStatus: 'untagged',
              countType: 'sinceImagePushed',
              countUnit: 'days',
              countNumber: lifecycle.untaggedExpireDays,
            },
            action: { type: 'expire' },
          },
        ];
  return {
    rules: [
      ...untagged,
      {
        rulePriority: 2,
        description: `ptc-autopilot: keep the newest ${lifecycle.keepLastTagged} tagged images`,
        selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: lifecycle.keepLastTagged },
        action: { type: 'expire' },
      },
      ...archiveRules(lifecycle),
    ],
  };
}

/**
 * ECR's native archive rules when the config sets `archiveUnpulledDays`: images nobody pulled for
 * N days move to the archive storage class (`sinceImagePulled`, `transition`), and with
 * `expireArchivedDays` archived images expire M days later (`sinceImageTransitioned`, which needs
 * `storageClass: archive`). Both select `tagStatus: any`, which ECR requires to hold the highest
 * rule priorities, so they come last. Shape from the lifecycle policy template
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html). An
 * archived image cannot be pulled, the cache included (docs/eviction.md).
 */
function archiveRules(lifecycle: EffectiveSettings['lifecycle']): LifecycleRule[] {
  if (lifecycle.archiveUnpulledDays === undefined) return [];
  const rules: LifecycleRule[] = [
    {
      rulePriority: 3,
      description: `ptc-autopilot: archive images nobody pulled for ${lifecycle.archiveUnpulledDays} days`,
      selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: lifecycle.archiveUnpulledDays },
      action: { type: 'transition', targetStorageClass: 'archive' },
    },
  ];
  if (lifecycle.expireArchivedDays !== undefined) {
    rules.push({
      rulePriority: 4,
      description: `ptc-autopilot: expire images archived for ${lifecycle.expireArchivedDays} days`,
      selection: {
        tagStatus: 'any',
        storageClass: 'archive',
        countType: 'sinceImageTransitioned',
        countUnit: 'days',
        countNumber: lifecycle.expireArchivedDays,
      },
      action: { type: 'expire' },
    });
  }
  return rules;
}

/**
 * The canonical text of a lifecycle policy, so that two policies compare equal when their
 * content does, whatever key order or white space ECR returns.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
