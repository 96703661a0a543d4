/**
 * Checks of `rules[N].seeds` (core/image-ref/seeds.ts): every seed parses, carries a digest and
 * lies on its own rule's upstream (Docker Hub's `nginx@...` is `docker.io/library/nginx`), once;
 * and seeding is refused where it is not safe: a rule whose upstream the copy engine cannot read
 * (`ecr`, which authenticates with an IAM role), and a prefix whose lifecycle archives unpulled
 * images (ECR's evaluation rules keep a tagged image from a lower-priority *expire* rule, and say
 * nothing of a transition; an archived seed cannot be pulled). docs/copy.md, "Seeding pinned digests".
 */
import { InvalidReferenceError } from '../errors';
import { createResolver } from '../image-ref/resolve';
import { NO_REGISTRY } from '../image-ref/seeds';
import { effectiveSettings } from '../policy/settings';
import { quote, truncate } from '../quote';
import type { PtcConfig } from './schema';

/** One problem, located by its zod-style path. */
export interface SeedIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Every problem of the rules' seeds; linear in the seeds, each parsed once. */
export function seedIssues(config: Pick<PtcConfig, 'rules' | 'repositories'>): SeedIssue[] {
  const issues: SeedIssue[] = [];
  if (!config.rules.some((r) => r.seeds !== undefined)) return issues;
  const resolve = createResolver({ config: { rules: config.rules }, registryHost: NO_REGISTRY });
  config.rules.forEach((rule, ruleIndex) => {
    if (rule.seeds === undefined || rule.seeds.length === 0) return;
    const at = ['rules', ruleIndex, 'seeds'];
    if (rule.upstream === 'ecr') {
      issues.push({
        path: at,
        message:
          'seeds are not supported for an "ecr" upstream: the pull-through cache reads it with an IAM role (customRoleArn), which the copy engine does not assume; replicate the image or pull it by tag through the cache',
      });
      return;
    }
    const archive = effectiveSettings(config, rule.prefix).lifecycle.archiveUnpulledDays;
    if (archive !== undefined) {
      issues.push({
        path: at,
        message: `prefix ${quote(rule.prefix)} archives images nobody pulled for ${archive} days (lifecycle.archiveUnpulledDays), and ECR documents no way to exempt a tag from an archive rule; an archived seed cannot be pulled, so seeds are refused here`,
      });
      return;
    }
    const first = new Map<string, number>();
    rule.seeds.forEach((image, index) => {
      const path = [...at, index];
      let resolution;
      try {
        resolution = resolve(image);
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
        issues.push({ path, message: `${quote(image)} is not a valid image reference: ${truncate(err.reason, 200)}` });
        return;
      }
      const { reference } = resolution;
      if (reference.digest === undefined) {
        issues.push({
          path,
          message: `${quote(image)} has no digest; a seed is a pinned digest (name@sha256:... or name:tag@sha256:...): the pull-through cache fetches tags itself`,
        });
        return;
      }
      if (resolution.status !== 'resolved' || resolution.rule?.prefix !== rule.prefix) {
        const owner = resolution.rule === undefined ? undefined : config.rules.findIndex((r) => r.prefix === resolution.rule!.prefix);
        issues.push({
          path,
          message:
            resolution.reason !== undefined
              ? `${quote(image)} cannot be seeded: ${resolution.reason}`
              : owner !== undefined && owner >= 0
                ? `${quote(image)} is on ${quote(reference.host)}, which rules[${owner}] (prefix ${quote(config.rules[owner]!.prefix)}) serves; move it to that rule's seeds`
                : `${quote(image)} is on ${quote(reference.host)}, which this rule (${quote(rule.upstream)}) does not serve; a seed must be an image of its rule's upstream`,
        });
        return;
      }
      const key = `${resolution.cacheRepository}@${reference.digest}`;
      const earlier = first.get(key);
      if (earlier !== undefined) {
        issues.push({ path, message: `${quote(image)} seeds the same digest as rules[${ruleIndex}].seeds[${earlier}]; list it once` });
        return;
      }
      first.set(key, index);
    });
  });
  return issues;
}
