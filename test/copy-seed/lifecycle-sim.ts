/**
 * An ECR lifecycle policy evaluator for tests, written from AWS's published evaluation rules and
 * nothing else (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html,
 * "Lifecycle policy evaluation rules", also in awsdocs/amazon-ecr-user-guide
 * doc_source/LifecyclePolicies.md at commit 1e8d7c3ff7874609fcc8561366be5851583eb4c7):
 *
 * - All rules are evaluated at the same time, regardless of rule priority; then applied by priority.
 * - An image is expired by exactly one or zero rules.
 * - An image that matches the tagging requirements of a rule cannot be expired by a rule with a
 *   lower priority.
 * - Rules can never mark images that are marked by higher priority rules, but can still identify
 *   them as if they haven't been expired.
 * - Expiration is always ordered by pushed_at_time, older images before newer ones.
 * - imageCountMoreThan: images sorted youngest to oldest by pushed_at_time, all beyond the count expire.
 * - sinceImagePushed: images pushed more than countNumber days ago expire.
 * - tagPatternList (lifecycle_policy_parameters.html): `*` wildcards; with several patterns, only
 *   images carrying all of them are selected.
 *
 * Not modelled (not used by our policies): tagPrefixList, archive transitions, sinceImagePulled.
 */

/** One image of a repository, as the evaluator sees it. */
export interface SimImage {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: Date;
}

/** A rule of a lifecycle policy (the shape of core/policy/lifecycle.ts). */
export interface SimRule {
  readonly rulePriority: number;
  readonly selection: {
    readonly tagStatus: 'tagged' | 'untagged' | 'any';
    readonly tagPatternList?: readonly string[];
    readonly countType: string;
    readonly countUnit?: string;
    readonly countNumber: number;
  };
  readonly action: { readonly type: string };
}

const DAY_MS = 24 * 60 * 60 * 1000;

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Whether an image matches a rule's tagging requirements. */
function matches(rule: SimRule, image: SimImage): boolean {
  const s = rule.selection;
  if (s.tagStatus === 'any') return true;
  if (s.tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  return (s.tagPatternList ?? []).every((p) => image.tags.some((t) => wildcard(p).test(t)));
}

/** The images one rule marks, evaluated on its own (every image it identifies counts). */
function marked(rule: SimRule, images: readonly SimImage[], now: Date): Set<string> {
  const selected = images.filter((i) => matches(rule, i));
  const s = rule.selection;
  if (s.countType === 'imageCountMoreThan') {
    const youngestFirst = [...selected].sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime());
    return new Set(youngestFirst.slice(s.countNumber).map((i) => i.digest));
  }
  if (s.countType === 'sinceImagePushed') {
    return new Set(selected.filter((i) => now.getTime() - i.pushedAt.getTime() > s.countNumber * DAY_MS).map((i) => i.digest));
  }
  throw new Error(`the simulator does not model countType ${s.countType}`);
}

/**
 * The digests a policy expires from `images` at `now`, each with the priority of the rule that
 * expires it.
 */
export function evaluateLifecycle(rules: readonly SimRule[], images: readonly SimImage[], now: Date): Map<string, number> {
  const ordered = [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const marks = ordered.map((rule) => marked(rule, images, now));
  const expired = new Map<string, number>();
  for (const image of images) {
    for (let i = 0; i < ordered.length; i++) {
      const rule = ordered[i]!;
      if (marks[i]!.has(image.digest) && rule.action.type === 'expire') {
        expired.set(image.digest, rule.rulePriority);
        break;
      }
      // Matching the tagging requirements of this rule protects the image from every lower rule.
      if (matches(rule, image)) break;
    }
  }
  return expired;
}
