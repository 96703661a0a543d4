/**
 * The lifecycle policy document for cache repositories, as ECR's PutLifecyclePolicy and
 * repository creation templates take it.
 */
import type { EffectiveSettings } from './types';

/** One rule of an ECR lifecycle policy. */
export interface LifecycleRule {
  rulePriority: number;
  description: string;
  selection: {
    tagStatus: 'untagged' | 'tagged' | 'any';
    tagPatternList?: string[];
    countType: 'sinceImagePushed' | 'imageCountMoreThan';
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' };
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
 * `untaggedExpireDays` keeps its rule, and `ptc plan` warns about it.
 * @example
 * lifecyclePolicy({ keepLastTagged: 50 }).rules.length // 1
 * lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 50 }).rules.length // 2
 */
export function lifecyclePolicy(lifecycle: EffectiveSettings['lifecycle']): LifecyclePolicy {
  const untagged: LifecycleRule[] =
    lifecycle.untaggedExpireDays === undefined
      ? []
      : [
          {
            rulePriority: 1,
            description: `ptc-autopilot: expire untagged images after ${lifecycle.untaggedExpireDays} days`,
            selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: lifecycle.untaggedExpireDays },
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
    ],
  };
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
