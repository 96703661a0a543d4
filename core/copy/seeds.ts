/**
 * What a seed run does, decided from the config alone: one job per seed (`rules[N].seeds`, the
 * table of core/image-ref/seeds.ts), which copies the digest from the rule's upstream registry into
 * its cache repository (`docker-hub/library/nginx` for `nginx@sha256:...`) and writes nothing under
 * the upstream's tags (the cache owns them and its 24-hour refresh moves them), only the reserved
 * `ptc-seed-<hex>` tag that the seed lifecycle rule keeps.
 */
import type { PtcConfig } from '../config/schema';
import { seedRoutes, seedTag } from '../image-ref/seeds';
import { upstreamRegistryUrl } from '../rules';
import type { CopyJob } from './jobs';

/** One digest to seed: a copy job without a tag, and what to write beside it. */
export interface SeedJob extends CopyJob {
  /** `rules[ruleIndex].seeds[seedIndex]`, for reports. */
  readonly ruleIndex: number;
  readonly seedIndex: number;
  /** The rule's prefix. */
  readonly prefix: string;
  /** The reserved tag the seeded manifest (and each platform manifest of an index) gets. */
  readonly seedTag: string;
  /** The tag listed beside the digest (`name:tag@digest`): only checked upstream, never written. */
  readonly listedTag?: string;
}

/**
 * The seed jobs of a config, in rule order. The upstream is the host the pull-through cache rule
 * reads (`registry-1.docker.io` for Docker Hub, `ghcr.io`, an Azure registry's host), so the copy
 * engine's upstream sessions are keyed by it.
 * @example
 * seedJobs(config)[0]
 * // { image: 'nginx@sha256:…', upstream: 'registry-1.docker.io', repository: 'library/nginx', digest: 'sha256:…',
 * //   targetRepository: 'docker-hub/library/nginx', seedTag: 'ptc-seed-…', ... }
 */
export function seedJobs(config: Pick<PtcConfig, 'rules'>): SeedJob[] {
  return seedRoutes(config).map((route) => ({
    image: route.image,
    // A seed belongs to a rule, not to a copies entry.
    entryIndex: -1,
    ruleIndex: route.ruleIndex,
    seedIndex: route.seedIndex,
    prefix: route.rule.prefix,
    upstream: upstreamRegistryUrl(route.rule),
    repository: route.reference.repository,
    digest: route.reference.digest,
    targetRepository: route.cacheRepository,
    seedTag: seedTag(route.reference.digest),
    ...(route.reference.tag !== undefined ? { listedTag: route.reference.tag } : {}),
  }));
}
