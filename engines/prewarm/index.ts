/**
 * Prewarming's I/O beside the engine in core/prewarm: reading the external image list through
 * injected S3 and SSM clients. The registry client is registry/'s.
 */
export { loadManifestImages, type ManifestClients, type ManifestCommands } from './manifest-images';
