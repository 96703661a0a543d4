/**
 * The OCI distribution (registry) client: `GET /v2/`, manifests and blobs over node:http/https/tls,
 * with bearer-token and Basic authentication, bounded concurrency, retries and deadlines. It sits
 * just above core/ (whose errors, digests and limits it uses) and implements core's
 * `PrewarmRegistry`, which the prewarm engine takes as an argument.
 */
export {
  MAX_CHALLENGE_HEADER_CHARS,
  parseChallenges,
  RegistryAuthenticator,
  scopeOf,
  type Challenge,
  type Credentials,
  type ParseWork,
} from './auth';
export { MAX_MANIFEST_BYTES, RegistryClient, type FetchedManifest, type RegistryClientOptions, type TouchedBlob } from './client';
