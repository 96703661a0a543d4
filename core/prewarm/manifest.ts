/**
 * The four manifest media types a pull-through cache serves (OCI index and image manifest,
 * Docker manifest list and image manifest v2), parsed into what prewarming needs: the platform
 * manifests of an index, and the config and layer blobs of an image manifest.
 */
import { quote } from '../quote';
import { ManifestFormatError } from './errors';

/** Manifest media types the prewarm engine walks. */
export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** The `Accept` header of every manifest request: the four types, indexes first. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(
  ', ',
);

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);
const IMAGE_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);

/** A platform as an index describes it. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** One entry of an index. */
export interface IndexEntry {
  digest: string;
  mediaType?: string;
  platform?: Platform;
}

/** A blob an image manifest references. */
export interface BlobRef {
  digest: string;
  /** Its length in bytes, as the descriptor declares it: the client reads no more. */
  size: number;
}

/** A parsed manifest. */
export type ParsedManifest =
  { kind: 'index'; mediaType: string; manifests: IndexEntry[] } | { kind: 'image'; mediaType: string; config: BlobRef; layers: BlobRef[] };

const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function descriptor(value: unknown, where: string): { digest: string; size?: number; mediaType?: string; urls?: unknown } {
  if (!isObject(value) || typeof value.digest !== 'string' || !DIGEST_RE.test(value.digest)) {
    throw new ManifestFormatError(`${where} has no valid "digest"`);
  }
  return {
    digest: value.digest,
    ...(typeof value.size === 'number' ? { size: value.size } : {}),
    ...(typeof value.mediaType === 'string' ? { mediaType: value.mediaType } : {}),
    urls: value.urls,
  };
}

/**
 * Parses a manifest body. The media type comes from the body's own `mediaType` when present, else
 * from the response's `Content-Type`, else from its shape (`manifests` = index, `layers` = image).
 * @throws ManifestFormatError for a body that is not JSON or not one of the four types.
 */
export function parseManifest(body: Buffer | string, contentType?: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new ManifestFormatError('manifest is not JSON');
  }
  if (!isObject(doc)) throw new ManifestFormatError('manifest is not a JSON object');
  const header = contentType?.split(';')[0]?.trim();
  let mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : header;
  if (mediaType === undefined || (!INDEX_TYPES.has(mediaType) && !IMAGE_TYPES.has(mediaType))) {
    if (doc.schemaVersion === 1)
      throw new ManifestFormatError('Docker schema 1 manifests are not supported; the registry should convert them');
    if (Array.isArray(doc.manifests)) mediaType = MEDIA_TYPES.ociIndex;
    else if (Array.isArray(doc.layers) && isObject(doc.config)) mediaType = MEDIA_TYPES.ociManifest;
    else throw new ManifestFormatError(`unsupported manifest media type ${mediaType === undefined ? '(none)' : quote(mediaType)}`);
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new ManifestFormatError('index has no "manifests" list');
    return {
      kind: 'index',
      mediaType,
      manifests: doc.manifests.map((m, i) => {
        const d = descriptor(m, `manifests[${i}]`);
        const p = (m as Json).platform;
        const platform =
          isObject(p) && typeof p.os === 'string' && typeof p.architecture === 'string'
            ? { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) }
            : undefined;
        return { digest: d.digest, ...(d.mediaType ? { mediaType: d.mediaType } : {}), ...(platform ? { platform } : {}) };
      }),
    };
  }
  if (!Array.isArray(doc.layers)) throw new ManifestFormatError('image manifest has no "layers" list');
  const config = descriptor(doc.config, 'config');
  const layers = doc.layers
    .map((l, i) => descriptor(l, `layers[${i}]`))
    // Foreign layers (Windows base layers) live at their `urls`, not in the registry.
    .filter((l) => !(Array.isArray(l.urls) && l.urls.length > 0))
    .map((l, i) => ({ digest: l.digest, size: blobSize(l.size, `layers[${i}]`) }));
  return { kind: 'image', mediaType, config: { digest: config.digest, size: blobSize(config.size, 'config') }, layers };
}

/** A blob descriptor's `size`: required (OCI image spec, descriptor), a whole number of bytes. */
function blobSize(size: number | undefined, where: string): number {
  if (size === undefined || !Number.isSafeInteger(size) || size < 0) throw new ManifestFormatError(`${where} has no valid "size"`);
  return size;
}

/** `linux/arm64` or `linux/arm/v7` from a platform. */
export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/**
 * Whether an index entry's platform is one of the wanted ones. `linux/arm64` matches any variant
 * of linux/arm64; `linux/arm/v7` matches only that variant.
 */
export function platformMatches(platform: Platform | undefined, wanted: string): boolean {
  if (platform === undefined) return false;
  const [os, architecture, variant] = wanted.split('/');
  return platform.os === os && platform.architecture === architecture && (variant === undefined || platform.variant === variant);
}

/**
 * The entries of an index to warm: those matching any wanted platform, in index order (entries
 * without a platform, such as attestation manifests, are skipped).
 */
export function selectPlatforms(entries: readonly IndexEntry[], wanted: readonly string[]): IndexEntry[] {
  return entries.filter((e) => wanted.some((w) => platformMatches(e.platform, w)));
}
