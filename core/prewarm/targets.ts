/**
 * From the listed upstream references to what the cache registry is asked for: each reference goes
 * through the shared resolver (`createResolver` from `core/image-ref`), so prewarm warms exactly
 * the URI that `ptc resolve` and `ptc rewrite` give workloads.
 */
import type { PtcConfig } from '../config/schema';
import { InvalidReferenceError } from '../errors';
import { createResolver } from '../image-ref';

/** One listed image and where it lives in the cache registry. */
export interface PrewarmTarget {
  /** The reference as listed. */
  readonly image: string;
  /** Repository in the cache registry, such as `docker-hub/library/nginx`. */
  readonly repository?: string;
  /**
   * Tag or digest to fetch: the tag whenever the reference has one (`name:tag@digest` is fetched by
   * its tag, since the pull-through cache fetches from the upstream by tag only), else the digest.
   */
  readonly reference?: string;
  /**
   * The digest of a `name:tag@digest` reference: what the tag must resolve to (the index, or one of
   * its platform manifests) for the pinned image to be cached.
   */
  readonly pinnedDigest?: string;
  /** The cache URI, such as `111122223333.dkr.ecr.eu-west-2.amazonaws.com/docker-hub/library/nginx:1.27`. */
  readonly uri?: string;
  /** Prefix of the covering rule. */
  readonly prefix?: string;
  /** Upstream of the covering rule. */
  readonly upstream?: string;
  /** Why this image cannot be prewarmed (invalid reference, no covering rule); set alone. */
  readonly error?: string;
}

/**
 * Maps every listed reference to its cache repository. An invalid reference or one no rule covers
 * becomes a target with `error`, so the rest are still prewarmed. `name:tag@digest` is fetched by
 * its tag and checked against the digest (`pinnedDigest`); `name@digest` is fetched by the digest,
 * which works only once the cache holds it (ECR fetches from the upstream by tag only). References that name the same
 * image (`nginx:1.27`, `docker.io/library/nginx:1.27`) are prewarmed once, under the first.
 * @example
 * planTargets(['nginx:1.27'], { config, registryHost: '127.0.0.1:5001' })
 * // [{ image: 'nginx:1.27', repository: 'docker-hub/library/nginx', reference: '1.27', uri: '127.0.0.1:5001/docker-hub/library/nginx:1.27', ... }]
 */
export function planTargets(images: readonly string[], ctx: { config: Pick<PtcConfig, 'rules'>; registryHost: string }): PrewarmTarget[] {
  const resolve = createResolver(ctx);
  const seen = new Set<string>();
  return images
    .map((image): PrewarmTarget => {
      let resolution;
      try {
        resolution = resolve(image);
      } catch (err) {
        if (err instanceof InvalidReferenceError) return { image, error: err.message };
        throw err;
      }
      if (resolution.status === 'uncovered' || resolution.cacheRepository === undefined || resolution.rule === undefined) {
        return {
          image,
          error:
            resolution.reason !== undefined
              ? `cannot go through the cache: ${resolution.reason}`
              : `no pull through cache rule covers "${resolution.reference.host}"; add a rule for it, or list the image by its cache URI`,
        };
      }
      const { tag, digest } = resolution;
      const reference = tag ?? digest ?? 'latest';
      const uri = `${ctx.registryHost}/${resolution.cacheRepository}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
      const pinned = tag !== undefined && digest !== undefined ? { pinnedDigest: digest } : {};
      return {
        image,
        repository: resolution.cacheRepository,
        reference,
        ...pinned,
        uri,
        prefix: resolution.rule.prefix,
        upstream: resolution.rule.upstream,
      };
    })
    .filter((t) => {
      if (t.uri === undefined) return true;
      if (seen.has(t.uri)) return false;
      seen.add(t.uri);
      return true;
    });
}

/** The host (and port) of a registry base URL: `https://x.dkr.ecr...com` → `x.dkr.ecr...com`. */
export function registryHostOf(baseUrl: string): string {
  return new URL(baseUrl).host;
}
