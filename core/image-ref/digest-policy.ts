/**
 * What to do with digest-pinned references (`name@sha256:…`, `name:tag@sha256:…`).
 *
 * ECR's pull-through cache fetches from the upstream by tag only: the first pull of a digest it
 * has not cached yet fails (aws/containers-roadmap#2837), and runtimes pull `name:tag@digest` by
 * its digest. Pointing such a reference at the cache is safe only once the digest is cached. One
 * policy, shared by `ptc rewrite`, `ptc audit` and `ptc kyverno`, decides:
 *
 * - `upstream` (the default): every digest-pinned reference stays upstream, so no Pod that pulls
 *   today fails after a rewrite; each one is reported.
 * - `prewarmed`: a digest-pinned reference goes to the cache when the config's `prewarm.images`
 *   lists the same image and digest with a tag (`name:tag@digest`), which prewarm seeds by the
 *   tag and verifies; the others stay upstream and are reported.
 * - `cache`: every digest-pinned reference goes to the cache; those not known to be cached are
 *   reported (a first pull fails until someone pulls the tag through the cache).
 *
 * In every mode, a digest a rule seeds (`rules[N].seeds`, core/image-ref/seeds.ts) goes to the
 * cache: `ptc copy` pushes it there byte for byte, as it does a copy.
 */
import type { PtcConfig } from '../config/schema';
import { InvalidReferenceError } from '../errors';
import { parseReference, type ImageReference } from './parse';
import type { Resolution } from './resolve';
import { seedRoutes, type ConfigWithSeeds } from './seeds';

/** The three policies, as the `--digest-pinned` flag spells them. */
export const DIGEST_PINNED_MODES = ['upstream', 'prewarmed', 'cache'] as const;

/** One of `upstream`, `prewarmed`, `cache`. */
export type DigestPinnedMode = (typeof DIGEST_PINNED_MODES)[number];

/** The default: leave every digest-pinned reference upstream. */
export const DEFAULT_DIGEST_PINNED: DigestPinnedMode = 'upstream';

/** The key a digest is known under: the normalized name and the digest, tag ignored. */
export function digestKey(reference: ImageReference): string | undefined {
  return reference.digest === undefined ? undefined : `${reference.host}/${reference.repository}@${reference.digest}`;
}

/**
 * The digests prewarm seeds and verifies: every `prewarm.images` entry with both a tag and a
 * digest (a digest-only entry cannot be seeded through the cache). Entries that do not parse are
 * left to prewarm to report.
 */
export function prewarmedDigests(config: PtcConfig): Set<string> {
  const keys = new Set<string>();
  for (const image of config.prewarm.images) {
    let reference: ImageReference;
    try {
      reference = parseReference(image);
    } catch (err) {
      if (err instanceof InvalidReferenceError) continue;
      throw err;
    }
    const key = digestKey(reference);
    if (key !== undefined && reference.tag !== undefined) keys.add(key);
  }
  return keys;
}

/**
 * The digests the config seeds (`rules[N].seeds`), as `digestKey` spells them: a digest-pinned
 * reference to one of them goes to the cache in every mode.
 */
export function seededDigests(config: ConfigWithSeeds): Set<string> {
  return new Set(seedRoutes(config).map((route) => digestKey(route.reference)!));
}

/**
 * Applies a digest-pinned policy to one resolution. A resolved digest-pinned reference either
 * stays upstream (status `pinned`, output = input) or goes to the cache with `digestCached` saying
 * whether prewarm is known to seed it. Anything else passes through unchanged.
 * @example
 * const policy = digestPinnedPolicy(config, 'upstream');
 * policy(resolve('nginx@sha256:…')).status // 'pinned'
 */
export function digestPinnedPolicy(config: PtcConfig, mode: DigestPinnedMode): (resolution: Resolution) => Resolution {
  const known = prewarmedDigests(config);
  const seeded = seededDigests(config);
  return (resolution) => {
    // A copy keeps every digest it lists (core/image-ref/copy-routes.ts): nothing to hold back.
    if (resolution.status !== 'resolved' || resolution.digest === undefined || resolution.copy !== undefined) return resolution;
    const key = digestKey(resolution.reference)!;
    // A seed is in the cache repository byte for byte once `ptc copy` ran (core/image-ref/seeds.ts).
    if (seeded.has(key)) return { ...resolution, digestCached: true, seeded: true };
    const cached = known.has(key);
    if (mode === 'cache' || (mode === 'prewarmed' && cached)) return { ...resolution, digestCached: cached };
    return {
      input: resolution.input,
      output: resolution.input,
      status: 'pinned',
      reference: resolution.reference,
      ...pick(resolution),
      digestCached: cached,
    };
  };
}

function pick(r: Resolution): Partial<Resolution> {
  return {
    ...(r.rule !== undefined ? { rule: r.rule } : {}),
    ...(r.cacheRepository !== undefined ? { cacheRepository: r.cacheRepository } : {}),
    ...(r.tag !== undefined ? { tag: r.tag } : {}),
    ...(r.digest !== undefined ? { digest: r.digest } : {}),
  };
}

/**
 * The sentence that explains a digest-pinned reference left upstream or sent to the cache
 * unverified, for reports.
 */
export function pinnedReason(resolution: Resolution): string {
  const seed =
    resolution.tag !== undefined
      ? `list ${resolution.input} in prewarm.images (prewarm seeds it by its tag and verifies the digest)`
      : 'pin a tag beside the digest (name:tag@digest) and list it in prewarm.images';
  // A rule's seeds are the other way in: `ptc copy` pushes the digest itself (core/image-ref/seeds.ts).
  const rule = resolution.rule !== undefined ? `the seeds of rule ${resolution.rule.prefix}` : "its rule's seeds";
  return resolution.status === 'pinned'
    ? `digest-pinned, left upstream: the pull-through cache cannot fetch a digest it has not cached (aws/containers-roadmap#2837); ${seed}, then use --digest-pinned prewarmed; or add it to ${rule} and run ptc copy`
    : `digest-pinned and not known to be cached: its first pull through the cache fails until the digest is cached; ${seed}, or add it to ${rule} and run ptc copy`;
}
