/**
 * The lifecycle rule that keeps seeded digests (`rules[N].seeds`, core/image-ref/seeds.ts), and the
 * check `ptc copy` runs on a cache repository's live policy before it seeds into it.
 *
 * The rule comes first (priority 1): it selects the images tagged `ptc-seed-*` and would expire
 * only beyond `SEED_KEEP_COUNT` of them. ECR's evaluation rules say "An image that matches the
 * tagging requirements of a rule cannot be expired by a rule with a lower priority"
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html, "Lifecycle
 * policy evaluation rules"), so neither the untagged rule nor `keepLastTagged` removes a seed, even
 * once the cache's refresh has moved the upstream tag off it.
 */
import { SEED_TAG_PREFIX } from '../image-ref/seeds';

/**
 * What the seed rule counts up to: ECR's default quota of images per repository (10,000,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html), so it never finds
 * more seeded images than it may keep, and expires none.
 */
export const SEED_KEEP_COUNT = 10000;

/** The description of the seed rule; it starts with `ptc-autopilot:`, so the reconciler knows the rule as ours. */
export const SEED_RULE_DESCRIPTION = `ptc-autopilot: keep every seeded digest (tags ${SEED_TAG_PREFIX}*)`;

/** The seed rule, at priority 1 (the lifecycle policy moves its other rules one lower). */
export function seedRule() {
  return {
    rulePriority: 1,
    description: SEED_RULE_DESCRIPTION,
    selection: {
      tagStatus: 'tagged' as const,
      tagPatternList: [`${SEED_TAG_PREFIX}*`],
      countType: 'imageCountMoreThan' as const,
      countNumber: SEED_KEEP_COUNT,
    },
    action: { type: 'expire' as const },
  };
}

/**
 * Why a repository's lifecycle policy (its text, as GetLifecyclePolicy returns it) could expire a
 * seed, or undefined when it cannot: no policy expires nothing; a policy keeps seeds when its first
 * rule selects exactly the `ptc-seed-*` tags and counts at least `SEED_KEEP_COUNT` of them, and no
 * rule archives images (a transition is not an expiry, and ECR does not say a kept tag stops one).
 * @example
 * seedPolicyProblem(undefined) // undefined: no lifecycle policy
 */
export function seedPolicyProblem(policyText: string | undefined): string | undefined {
  if (policyText === undefined || policyText.trim() === '') return undefined;
  let rules: unknown;
  try {
    rules = (JSON.parse(policyText) as { rules?: unknown }).rules;
  } catch {
    return 'its lifecycle policy is not JSON';
  }
  if (!Array.isArray(rules) || rules.length === 0) return undefined;
  type Rule = {
    rulePriority?: unknown;
    selection?: { tagStatus?: unknown; tagPatternList?: unknown; countType?: unknown; countNumber?: unknown };
    action?: { type?: unknown };
  };
  const sorted = [...(rules as Rule[])].sort((a, b) => Number(a.rulePriority) - Number(b.rulePriority));
  if (sorted.some((r) => r.action?.type === 'transition'))
    return 'its lifecycle policy archives images, which no tag is documented to prevent';
  const first = sorted[0]!.selection;
  const keeps =
    first?.tagStatus === 'tagged' &&
    Array.isArray(first.tagPatternList) &&
    first.tagPatternList.length === 1 &&
    first.tagPatternList[0] === `${SEED_TAG_PREFIX}*` &&
    first.countType === 'imageCountMoreThan' &&
    typeof first.countNumber === 'number' &&
    first.countNumber >= SEED_KEEP_COUNT;
  return keeps ? undefined : `its lifecycle policy does not keep ${SEED_TAG_PREFIX}* tags first, so a seed could expire`;
}
