/**
 * Image references: parse and normalize them like Docker, and resolve them to the pull-through
 * cache. The one resolver every part of ptc-autopilot uses.
 */
export { parseReference, formatReference, type ImageReference } from './parse';
export { createResolver, resolveReference, type ResolveContext, type Resolution, type ResolutionStatus } from './resolve';
export { createReverser } from './reverse';
export {
  DEFAULT_DIGEST_PINNED,
  DIGEST_PINNED_MODES,
  digestKey,
  digestPinnedPolicy,
  pinnedReason,
  prewarmedDigests,
  seededDigests,
  type DigestPinnedMode,
} from './digest-policy';
export { buildCopyRoutes, copyMiss, copyRepositoryFor, type ConfigWithCopies, type CopyRoute } from './copy-routes';
export { SEED_TAG_PREFIX, seedRoutes, seedTag, type ConfigWithSeeds, type SeedRoute } from './seeds';
export { buildRoutes, cacheRepositoryFor, upstreamOf, type Route } from './routes';
/** The reference grammar's regular-expression sources and Docker Hub constants, shared with the Kyverno generator. */
export * as referenceGrammar from './grammar';
