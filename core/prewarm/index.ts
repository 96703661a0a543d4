/**
 * Prewarming a pull-through cache: an OCI distribution client and the engine that fetches every
 * manifest and blob of the critical images through the cache, shared by the `prewarm` Lambda and
 * `ptc prewarm`.
 */
export * from './errors';
export { MAX_CHALLENGE_HEADER_CHARS, parseChallenges, RegistryAuthenticator, scopeOf, type Challenge, type Credentials, type ParseWork } from './auth';
export { REDACTED, Redactor } from './redact';
export { DIGEST_ALGORITHMS, digestAlgorithm, DigestVerifier, type DigestAlgorithm } from './digest';
export { backoffDelay, DEFAULT_RETRY, mapLimit, Semaphore, type RetryPolicy } from './limits';
export { MANIFEST_ACCEPT, MEDIA_TYPES, formatPlatform, parseManifest, platformMatches, selectPlatforms, type ParsedManifest, type Platform } from './manifest';
export { MAX_MANIFEST_BYTES, RegistryClient, type FetchedManifest, type RegistryClientOptions, type TouchedBlob } from './registry-client';
export { planTargets, registryHostOf, type PrewarmTarget } from './targets';
export { DEFAULT_PLATFORMS, MAX_REASON_CHARS, PREWARM_STATUSES, prewarm, summarize, type ImageResult, type PrewarmOptions, type PrewarmReport, type PrewarmStatus, type PrewarmSummary } from './engine';
export { loadManifestImages, manifestSources, MAX_IMAGE_LIST_BYTES, mergeImageLists, parseImageList, sdkErrorText, type ManifestClients, type ManifestCommands } from './image-list';
export { renderReport } from './report';
