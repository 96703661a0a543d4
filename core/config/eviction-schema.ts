/**
 * Eviction and the native archive rules in the configuration: `repositories.eviction` (and each
 * override's `eviction`), `lifecycle.archiveUnpulledDays` and `lifecycle.expireArchivedDays`.
 *
 * The shapes are plugged into the schema (core/config/schema.ts) in one line each; the checks
 * that look at more than one field (an override that turns eviction on without saying after how
 * long, an archive expiry without an archive rule) are `evictionIssues`, run by the schema's
 * cross-field pass. docs/eviction.md describes the behaviour.
 */
import * as z from 'zod/mini';
import { quote } from '../quote';
import { boundedInt, described, refineWith, strictObject } from './fields';

/** Eviction modes: `report` counts and lists only; `delete` removes what it lists. */
export const EVICTION_MODES = ['report', 'delete'] as const;

/**
 * A protect pattern: a whole repository name (prefix included) with an optional `:tag`. `*`
 * matches any run of characters, `/` included; without `:tag` every tag (and every untagged
 * image) of the matching repositories is protected. The characters are those of ECR repository
 * names and image tags, plus `*`.
 */
const PROTECT_PATTERN = /^[a-z0-9._\-/*]+(?::[A-Za-z0-9._\-*]+)?$/;

/** Why `value` is not a protect pattern, or undefined when it is one. */
export function protectPatternProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > 512) return `${quote(value)} must be 1 to 512 characters long`;
  if (!PROTECT_PATTERN.test(value)) {
    return `${quote(value, 80)} is not a protect pattern such as "k8s/*" or "*:latest": a repository name (lower-case letters, digits, ".", "_", "-", "/") with an optional ":tag", where "*" matches anything`;
  }
  return undefined;
}

const protectPattern = z.string({ error: 'must be a pattern such as "k8s/*" or "*:latest"' }).check(refineWith(protectPatternProblem));

/**
 * `repositories.eviction` and `repositories.overrides[].eviction`. Every key is optional here so
 * that an override can change one of them; `evictionIssues` requires `unpulledDays` wherever
 * eviction ends up on. The default mode (`report`) is applied by `effectiveEviction`
 * (core/eviction/settings.ts), so an override without `mode` keeps the base block's.
 */
export const evictionSchema = strictObject({
  unpulledDays: described(
    z.optional(boundedInt(1, 3650)),
    'evict an image group nobody pulled for this many days (never pulled: counted from its push); 1 to 3650',
  ),
  mode: described(
    z.optional(z.enum(EVICTION_MODES, { error: 'must be "report" or "delete"' })),
    '`report` (the default): count and list only; `delete`: BatchDeleteImage',
  ),
  protect: described(
    z.optional(z.array(protectPattern).check(z.maxLength(100, { error: 'at most 100 patterns' }))),
    "`repository[:tag]` patterns never evicted (`*` matches across `/`; no tag: every tag); an override's patterns add to the base block's",
  ),
});

/** The parsed `eviction` block. */
export type EvictionConfig = z.output<typeof evictionSchema>;

/**
 * ECR's native archive rules, offered beside eviction (keys of `lifecycle`). Archived images
 * cannot be pulled (a pull fails with 404 until the image is restored) and are billed for at least
 * 90 days; a lifecycle rule cannot expire an image archived for less than 90 days
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html).
 */
export const archiveLifecycleShape = {
  archiveUnpulledDays: described(
    z.optional(boundedInt(1, 3650)),
    "transition an image nobody pulled for this many days to ECR's archive storage class (`sinceImagePulled`); an archived image cannot be pulled until restored (docs/eviction.md)",
  ),
  expireArchivedDays: described(
    z.optional(boundedInt(90, 3650)),
    'expire an image this many days after it was archived (`sinceImageTransitioned`; 90 to 3650)',
  ),
};

/** One problem, located by its zod-style path. */
export interface EvictionIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The part of the raw config the checks read. */
interface EvictionChecked {
  readonly repositories: {
    readonly eviction?: EvictionConfig | undefined;
    readonly lifecycle?:
      { readonly archiveUnpulledDays?: number | undefined; readonly expireArchivedDays?: number | undefined } | undefined;
    readonly overrides?:
      | readonly {
          readonly prefix: string;
          readonly eviction?: EvictionConfig | undefined;
          readonly lifecycle?:
            { readonly archiveUnpulledDays?: number | undefined; readonly expireArchivedDays?: number | undefined } | undefined;
        }[]
      | undefined;
  };
}

/**
 * The cross-field problems of eviction and archive settings: eviction on (a block present, in
 * the base or an override) without `unpulledDays` from either, and `expireArchivedDays` where no
 * `archiveUnpulledDays` applies (nothing would ever be archived, so nothing would expire).
 */
export function evictionIssues(config: EvictionChecked): EvictionIssue[] {
  const issues: EvictionIssue[] = [];
  const base = config.repositories.eviction;
  if (base !== undefined && base.unpulledDays === undefined) {
    issues.push({
      path: ['repositories', 'eviction', 'unpulledDays'],
      message: 'required when "eviction" is present: evict an image nobody pulled for this many days (1 to 3650)',
    });
  }
  const baseArchive = config.repositories.lifecycle?.archiveUnpulledDays;
  if (config.repositories.lifecycle?.expireArchivedDays !== undefined && baseArchive === undefined) {
    issues.push({
      path: ['repositories', 'lifecycle', 'expireArchivedDays'],
      message: 'needs "archiveUnpulledDays": only archived images expire, and nothing is archived without it',
    });
  }
  config.repositories.overrides?.forEach((o, index) => {
    if (o.eviction !== undefined && o.eviction.unpulledDays === undefined && base?.unpulledDays === undefined) {
      issues.push({
        path: ['repositories', 'overrides', index, 'eviction', 'unpulledDays'],
        message: `required: "repositories.eviction.unpulledDays" is not set, so repositories under ${quote(o.prefix)} need their own`,
      });
    }
    if (o.lifecycle?.expireArchivedDays !== undefined && o.lifecycle.archiveUnpulledDays === undefined && baseArchive === undefined) {
      issues.push({
        path: ['repositories', 'overrides', index, 'lifecycle', 'expireArchivedDays'],
        message: 'needs "archiveUnpulledDays" (here or in repositories.lifecycle): only archived images expire',
      });
    }
  });
  return issues;
}
