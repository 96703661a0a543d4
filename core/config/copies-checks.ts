/**
 * Checks of the `copies` list against the rest of the config: an upstream a pull-through-cache
 * rule could serve belongs in `rules`; prefixes neither repeat nor nest with the rules' prefixes
 * or each other's; every listed image parses (core/image-ref), lies on its entry's upstream and
 * fits ECR's repository name; a secret is not also a rule's.
 */
import { InvalidReferenceError } from '../errors';
import { ECR_REPOSITORY_MAX_LENGTH } from '../image-ref/grammar';
import { parseReference } from '../image-ref/parse';
import { quote, truncate } from '../quote';
import { UPSTREAMS, type UpstreamName } from '../upstreams';
import type { CopyConfig } from './copies-schema';

/** One problem, located by its zod-style path. */
export interface CopyIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** What the checks read: the rules' prefixes and secrets, and the copies. */
export interface CopiesInConfig {
  readonly rules: readonly { prefix: string; credentials?: { secretName?: string | undefined } | undefined }[];
  readonly copies?: readonly CopyConfig[] | undefined;
}

const AZURE_HOST = /^[a-z0-9]{5,50}\.azurecr\.io$/;
const ECR_PRIVATE_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * The pull-through-cache upstream that serves `host`, or undefined when none can (so copying is
 * the way to cache it). The catalogue is core/upstreams.ts; Azure and private ECR hosts go by
 * their host patterns.
 * @example
 * pullThroughUpstreamOf('ghcr.io') // 'github-container-registry'
 * pullThroughUpstreamOf('gcr.io') // undefined
 */
export function pullThroughUpstreamOf(host: string): UpstreamName | undefined {
  const bare = host.replace(/:443$/, '');
  for (const info of Object.values(UPSTREAMS)) {
    if (info.referenceHosts.includes(bare)) return info.name;
  }
  if (AZURE_HOST.test(bare)) return 'azure-container-registry';
  if (ECR_PRIVATE_HOST.test(bare)) return 'ecr';
  return undefined;
}

/** Whether one prefix equals the other or lies inside its namespace (`a` and `a/b`). */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function prefixIssues(config: CopiesInConfig, copies: readonly CopyConfig[], issues: CopyIssue[]): void {
  copies.forEach((entry, index) => {
    const path = ['copies', index, 'prefix'];
    const rule = config.rules.findIndex((r) => overlaps(r.prefix, entry.prefix));
    if (rule >= 0) {
      const other = config.rules[rule]!.prefix;
      issues.push({
        path,
        message:
          other === entry.prefix
            ? `prefix ${quote(entry.prefix)} is already rules[${rule}]'s; give the copies their own prefix`
            : `prefix ${quote(entry.prefix)} overlaps rules[${rule}]'s prefix ${quote(other)}; a copy prefix and a rule prefix must not nest`,
      });
      return;
    }
    const earlier = copies.findIndex((c, i) => i < index && overlaps(c.prefix, entry.prefix));
    if (earlier >= 0) {
      const other = copies[earlier]!.prefix;
      issues.push({
        path,
        message:
          other === entry.prefix
            ? `duplicate prefix ${quote(entry.prefix)} (already used by copies[${earlier}])`
            : `prefix ${quote(entry.prefix)} overlaps copies[${earlier}]'s prefix ${quote(other)}; prefixes must not nest`,
      });
    }
  });
}

function upstreamIssues(copies: readonly CopyConfig[], issues: CopyIssue[]): void {
  copies.forEach((entry, index) => {
    const path = ['copies', index, 'upstream'];
    const served = pullThroughUpstreamOf(entry.upstream);
    if (served !== undefined) {
      issues.push({
        path,
        message: `${quote(entry.upstream)} is a registry the pull-through cache serves (${UPSTREAMS[served].displayName}); add a rule with upstream ${quote(served)} to "rules" instead of copying`,
      });
      return;
    }
    const earlier = copies.findIndex((c, i) => i < index && c.upstream === entry.upstream);
    if (earlier >= 0)
      issues.push({
        path,
        message: `${quote(entry.upstream)} is already copied by copies[${earlier}]; list all its images there (one entry per upstream)`,
      });
  });
}

function imageIssues(copies: readonly CopyConfig[], issues: CopyIssue[]): void {
  copies.forEach((entry, index) => {
    entry.images.forEach((image, at) => {
      const path = ['copies', index, 'images', at];
      let host: string;
      let repository: string;
      let tag: string | undefined;
      let digest: string | undefined;
      try {
        ({ host, repository, tag, digest } = parseReference(image));
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
        issues.push({ path, message: `${quote(image)} is not a valid image reference: ${truncate(err.reason, 200)}` });
        return;
      }
      if (host !== entry.upstream) {
        issues.push({
          path,
          message: `${quote(image)} is on ${quote(host)}, not on this entry's upstream ${quote(entry.upstream)}; write it as ${quote(`${entry.upstream}/...`)} or move it to the entry of its registry`,
        });
        return;
      }
      const target = `${entry.prefix}/${repository}`;
      if (target.length > ECR_REPOSITORY_MAX_LENGTH) {
        issues.push({
          path,
          message: `its copy repository would be ${target.length} characters long; ECR repository names stop at ${ECR_REPOSITORY_MAX_LENGTH}`,
        });
        return;
      }
      if (entry.platforms !== undefined && digest !== undefined && tag === undefined) {
        issues.push({
          path,
          message: `${quote(image)} names a digest only, but "platforms" makes the copy a new index with a new digest nothing would refer to; pin a tag too (name:tag@digest) or remove "platforms"`,
        });
      }
    });
  });
}

function secretIssues(config: CopiesInConfig, copies: readonly CopyConfig[], issues: CopyIssue[]): void {
  copies.forEach((entry, index) => {
    const name = entry.credentials?.secretName;
    if (name === undefined) return;
    const path = ['copies', index, 'credentials', 'secretName'];
    const rule = config.rules.findIndex((r) => r.credentials?.secretName === name);
    if (rule >= 0) {
      issues.push({ path, message: `${quote(name)} is already the secret of rules[${rule}]; give the copy its own secret` });
      return;
    }
    const earlier = copies.findIndex((c, i) => i < index && c.credentials?.secretName === name);
    if (earlier >= 0)
      issues.push({ path, message: `${quote(name)} is already the secret of copies[${earlier}]; give each upstream its own secret` });
  });
}

/**
 * Every problem of the `copies` list that one entry alone cannot show. Linear in rules times
 * copies plus the images, each image parsed once.
 */
export function copyIssues(config: CopiesInConfig): CopyIssue[] {
  const copies = config.copies ?? [];
  const issues: CopyIssue[] = [];
  if (copies.length === 0) return issues;
  upstreamIssues(copies, issues);
  prefixIssues(config, copies, issues);
  imageIssues(copies, issues);
  secretIssues(config, copies, issues);
  return issues;
}

/** The keys of a `repositories.overrides` entry that a copy prefix's override may not set. */
export interface CopyOverride {
  readonly prefix: string;
  readonly lifecycle?: { untaggedExpireDays?: number | undefined; archiveUnpulledDays?: number | undefined } | undefined;
  readonly eviction?: unknown;
}

/**
 * Keys an override naming a `copies` prefix may not set, because copy repositories never get them:
 * no untagged rule and no archive rule (a copied index's platform manifests are untagged, and
 * nothing fetches a copy again on a miss), and no eviction (docs/copy.md, "Repositories").
 * Paths are relative to the override.
 */
export function copyOverrideIssues(override: CopyOverride): CopyIssue[] {
  const issues: CopyIssue[] = [];
  const why = `${quote(override.prefix)} is a copies prefix, whose repositories get no untagged or archive lifecycle rule (docs/copy.md, "Repositories")`;
  if (override.lifecycle?.untaggedExpireDays !== undefined)
    issues.push({ path: ['lifecycle', 'untaggedExpireDays'], message: `not for ${why}: a copied index's platform manifests are untagged` });
  if (override.lifecycle?.archiveUnpulledDays !== undefined)
    issues.push({ path: ['lifecycle', 'archiveUnpulledDays'], message: `not for ${why}: an archived copy cannot be pulled` });
  if (override.eviction !== undefined)
    issues.push({
      path: ['eviction'],
      message: `not for ${quote(override.prefix)}, a copies prefix: copies are not evicted (remove an image from the entry's images instead)`,
    });
  return issues;
}
