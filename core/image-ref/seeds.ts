/**
 * The routing table of seeded digests (`rules[N].seeds`): digest-pinned images of a pull-through
 * upstream that `ptc copy` pushes into the cache repository, because the pull-through cache cannot
 * fetch a digest it has not cached (aws/containers-roadmap#2837). Like a copy
 * (core/image-ref/copy-routes.ts), a seed keeps the digest byte for byte, so a reference pinned to
 * it is safe to rewrite to the cache whatever `--digest-pinned` says; the resolver, the Kyverno
 * policy, eviction's pins and the seed jobs all read this one table.
 *
 * Each seeded manifest carries a reserved tag, `ptc-seed-<first 32 hex of its digest>`, which a
 * highest-priority lifecycle rule keeps (core/policy/lifecycle.ts), so neither an untagged rule
 * nor `keepLastTagged` expires it.
 */
import type { RuleConfig } from '../config/schema';
import { InvalidReferenceError } from '../errors';
import { createResolver, type Resolution } from './resolve';
import type { ImageReference } from './parse';

/** The prefix of the tags seeds carry; the seed lifecycle rule matches `ptc-seed-*`. */
export const SEED_TAG_PREFIX = 'ptc-seed-';

/** Hex characters of the digest in a seed tag: 128 bits, far from any collision, and short enough to read. */
export const SEED_TAG_HEX = 32;

/**
 * The reserved tag of a seeded manifest: written once per digest, never moved, so tag mutability
 * (even `IMMUTABLE`) never refuses it.
 * @example
 * seedTag('sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef') // 'ptc-seed-0123456789abcdef0123456789abcdef'
 */
export function seedTag(digest: string): string {
  const hex = digest.slice(digest.indexOf(':') + 1);
  return `${SEED_TAG_PREFIX}${hex.slice(0, SEED_TAG_HEX)}`;
}

/** One seed, resolved to its cache repository. */
export interface SeedRoute {
  /** The image as listed. */
  readonly image: string;
  /** `rules[ruleIndex].seeds[seedIndex]`. */
  readonly ruleIndex: number;
  readonly seedIndex: number;
  /** The rule whose cache repository holds it. */
  readonly rule: RuleConfig;
  /** The parsed reference (normalized: `docker.io`, `library/`). */
  readonly reference: ImageReference & { readonly digest: string };
  /** `<prefix>/<path>`, such as `docker-hub/library/nginx`. */
  readonly cacheRepository: string;
}

/** What the seed table reads: the rules (a Lambda's payload carries them too). */
export interface ConfigWithSeeds {
  readonly rules: RuleConfig[];
}

/** A registry host no reference can name (`.invalid`, RFC 2606): the resolver then never treats a seed as already cached. */
export const NO_REGISTRY = 'seed.invalid';

/**
 * Every seed the config lists that parses, carries a digest and resolves to its own rule's cache
 * repository; the rest are left to the config checks (core/config/seed-checks.ts), which report them.
 * One entry per cache repository and digest (the first listing wins).
 */
export function seedRoutes(config: ConfigWithSeeds): SeedRoute[] {
  const routes: SeedRoute[] = [];
  if (!config.rules.some((r) => (r.seeds?.length ?? 0) > 0)) return routes;
  const resolve = createResolver({ config: { rules: config.rules }, registryHost: NO_REGISTRY });
  const seen = new Set<string>();
  config.rules.forEach((rule, ruleIndex) => {
    rule.seeds?.forEach((image, seedIndex) => {
      const resolution = resolveQuietly(resolve, image);
      if (resolution === undefined || resolution.status !== 'resolved' || resolution.rule?.prefix !== rule.prefix) return;
      const { reference, cacheRepository } = resolution;
      if (reference.digest === undefined || cacheRepository === undefined) return;
      const key = `${cacheRepository}@${reference.digest}`;
      if (seen.has(key)) return;
      seen.add(key);
      routes.push({ image, ruleIndex, seedIndex, rule, reference: { ...reference, digest: reference.digest }, cacheRepository });
    });
  });
  return routes;
}

function resolveQuietly(resolve: (ref: string) => Resolution, image: string): Resolution | undefined {
  try {
    return resolve(image);
  } catch (err) {
    if (err instanceof InvalidReferenceError) return undefined;
    throw err;
  }
}
