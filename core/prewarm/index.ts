/**
 * Prewarming a pull-through cache: the engine that fetches every manifest and blob of the critical
 * images through the cache, shared by the `prewarm` Lambda and `ptc prewarm`. It takes the OCI
 * registry client as an argument (`PrewarmRegistry`); the HTTP client itself is registry/'s
 * `RegistryClient`, so this module does no network I/O.
 */
export * from './errors';
export { REDACTED, Redactor } from './redact';
export { DIGEST_ALGORITHMS, digestAlgorithm, DigestVerifier, type DigestAlgorithm } from './digest';
export { backoffDelay, DEFAULT_RETRY, mapLimit, Semaphore, type RetryPolicy } from './limits';
export {
  MANIFEST_ACCEPT,
  MEDIA_TYPES,
  formatPlatform,
  parseManifest,
  platformMatches,
  selectPlatforms,
  type ParsedManifest,
  type Platform,
} from './manifest';
export type { FetchedManifest, PrewarmRegistry, TouchedBlob } from './registry-port';
export { planTargets, registryHostOf, type PrewarmTarget } from './targets';
export {
  DEFAULT_PLATFORMS,
  MAX_REASON_CHARS,
  PREWARM_STATUSES,
  prewarm,
  summarize,
  type ImageResult,
  type PrewarmOptions,
  type PrewarmReport,
  type PrewarmStatus,
  type PrewarmSummary,
} from './engine';
export { manifestSources, MAX_IMAGE_LIST_BYTES, mergeImageLists, parseImageList, sdkErrorText } from './image-list';
export { renderReport } from './report';
