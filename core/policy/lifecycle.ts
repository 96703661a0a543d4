/**
 * The lifecycle policy document for cache repositories, as ECR's PutLifecyclePolicy and
 * repository creation templates take it.
 */
import type { EffectiveSettings } from './settings';

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
 * Builds the lifecycle policy: untagged images expire after N days, and only the newest M tagged
 * images are kept.
 * @example
 * lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 50 }).rules.length // 2
 */
export function lifecyclePolicy(lifecycle: EffectiveSettings['lifecycle']): LifecyclePolicy {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `ptc-autopilot: expire untagged images after ${lifecycle.untaggedExpireDays} days`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: lifecycle.untaggedExpireDays },
        action: { type: 'expire' },
      },
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
