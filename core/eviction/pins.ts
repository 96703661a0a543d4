/**
 * Images eviction never removes: every `prewarm.images` entry (and the prewarm manifest sources'
 * entries, which the caller reads) resolved to its cache repository and tag or digest, the
 * images of `copies` entries (`<prefix>/<path>`), and the digests rules seed (`rules[N].seeds`,
 * core/image-ref/seeds.ts) with their `ptc-seed-*` tags.
 */
import { InvalidReferenceError } from '../errors';
import { createResolver } from '../image-ref/resolve';
import { parseReference } from '../image-ref/parse';
import { seedRoutes, seedTag } from '../image-ref/seeds';
import type { PtcConfig } from '../config/schema';
import type { PinnedImages } from './types';

/** No pinned image. */
export const NO_PINS: PinnedImages = { tags: new Set(), digests: new Set(), sources: new Map() };

/**
 * The pinned images of a config, for one cache registry (`registryHost`). `extraImages` are the
 * prewarm manifest's entries, read by the caller. References that do not parse, or that no rule
 * covers, pin nothing (the config check reports them).
 * @example
 * pinnedImages(config, '111122223333.dkr.ecr.eu-west-2.amazonaws.com').tags.has('docker-hub/library/nginx:1.27')
 */
export function pinnedImages(
  config: Pick<PtcConfig, 'rules' | 'prewarm'> & Partial<Pick<PtcConfig, 'copies'>>,
  registryHost: string,
  extraImages: readonly { readonly image: string; readonly source: string }[] = [],
): PinnedImages {
  const tags = new Set<string>();
  const digests = new Set<string>();
  const sources = new Map<string, string>();
  const add = (repository: string, tag: string | undefined, digest: string | undefined, source: string) => {
    if (tag !== undefined) {
      const key = `${repository}:${tag}`;
      tags.add(key);
      if (!sources.has(key)) sources.set(key, source);
    }
    if (digest !== undefined) {
      const key = `${repository}@${digest}`;
      digests.add(key);
      if (!sources.has(key)) sources.set(key, source);
    }
  };
  const resolve = createResolver({ config, registryHost });
  const prewarm = [...config.prewarm.images.map((image, i) => ({ image, source: `prewarm.images[${i}]` })), ...extraImages];
  for (const { image, source } of prewarm) {
    try {
      const r = resolve(image);
      if (r.cacheRepository !== undefined) add(r.cacheRepository, r.tag ?? r.reference.tag, r.digest ?? r.reference.digest, source);
    } catch (err) {
      if (!(err instanceof InvalidReferenceError)) throw err;
    }
  }
  config.copies?.forEach((entry, e) => {
    entry.images?.forEach((image, i) => {
      try {
        const ref = parseReference(image);
        add(`${entry.prefix}/${ref.repository}`, ref.tag, ref.digest, `copies[${e}].images[${i}]`);
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
      }
    });
  });
  // A seeded index keeps its platform manifests: a digest goes only when every group reaching it goes.
  for (const seed of seedRoutes(config)) {
    add(seed.cacheRepository, seedTag(seed.reference.digest), seed.reference.digest, `rules[${seed.ruleIndex}].seeds[${seed.seedIndex}]`);
  }
  return { tags, digests, sources };
}
