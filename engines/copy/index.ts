/**
 * The copy engine (issue 22): copies images of registries the pull-through cache cannot serve
 * into the target registry through the distribution API. docs/copy.md explains its choices.
 */
export { copyBlob, DEFAULT_CHUNK_BYTES, targetHasBlob, type BlobDescriptor, type BlobOptions, type BlobOutcome } from './blob';
export { COPY_STATUSES, copyImage, copyImages, summarizeCopies, type CopyOptions, type CopyResult, type CopyStatus } from './engine';
export { CopyShapeError, DigestMismatchError, TargetRefusedError, UpstreamCutError } from './errors';
export { fetchManifest, manifestDigest, platformSubset, putManifest, type ManifestBytes } from './manifests';
export { RegistrySession, type RegistrySessionOptions, type SessionRequest, type SessionResponse } from '../../registry/session';
export { ecrCredentials, secretCredentials, CopyCredentialsError } from './credentials';
export { upstreamSessions, type UpstreamOptions } from './sources';
export { BlobLedger, MOUNT_FELL_BACK_NOTE } from './mount';
