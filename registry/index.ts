/**
 * The OCI distribution (registry) client: `GET /v2/`, manifests and blobs over node:http/https/tls,
 * with bearer-token and Basic authentication, bounded concurrency, retries and deadlines. It sits
 * just above core/ (whose errors, digests and limits it uses) and implements core's
 * `PrewarmRegistry`, which the prewarm engine takes as an argument. `RegistrySession` under it is
 * the one HTTP session of the project: the copy engine (engines/copy) uses it directly.
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
export { discard, errorDetail, HttpTransport, readAll, type HttpResponse } from './http';
export { RequestTimer, type TimerCause } from './request-timer';
export {
  BodyInterruptedError,
  httpFailure,
  RegistrySession,
  type RegistrySessionOptions,
  type SessionRequest,
  type SessionResponse,
} from './session';
export { MAX_MANIFEST_BYTES, RegistryClient, type FetchedManifest, type RegistryClientOptions, type TouchedBlob } from './client';
