/**
 * Manifests, byte for byte: fetched from the upstream with their digest checked, written to the
 * target with the same bytes and media type, and the digest the target answers checked against
 * ours. A `platforms` subset is the one case that writes new bytes: an index holding only the
 * entries of the wanted platforms (everything else in it kept as it was).
 */
import { createHash } from 'node:crypto';
import { DigestVerifier } from '../../core/prewarm/digest';
import { MANIFEST_ACCEPT, MEDIA_TYPES, platformMatches } from '../../core/prewarm/manifest';
import { CopyShapeError, DigestMismatchError, TargetRefusedError } from './errors';
import { errorDetail, readAll } from '../../registry/http';
import { httpFailure, type RegistrySession } from '../../registry/session';

/** The largest manifest read (as the prewarm client). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** A manifest's bytes, digest and media type. */
export interface ManifestBytes {
  readonly body: Buffer;
  readonly digest: string;
  readonly mediaType: string;
}

const sha256 = (body: Buffer): string => `sha256:${createHash('sha256').update(body).digest('hex')}`;

/** The media type of a manifest: its own `mediaType` field, else the response's Content-Type. */
function mediaTypeOf(body: Buffer, contentType: string | undefined): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { mediaType?: unknown };
    if (typeof doc.mediaType === 'string') return doc.mediaType;
  } catch {
    // not JSON: the parser reports it where the body is read
  }
  return contentType?.split(';')[0]?.trim() || MEDIA_TYPES.ociManifest;
}

/**
 * `GET` a manifest by tag or digest; a digest reference is checked against the bytes.
 * @throws RegistryHttpError (404 and other failures), DigestMismatchError
 */
export async function fetchManifest(source: RegistrySession, repository: string, reference: string): Promise<ManifestBytes> {
  const byDigest = reference.includes(':');
  const what = `manifest ${repository}${byDigest ? '@' : ':'}${reference}`;
  const res = await source.request({
    method: 'GET',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    what: `GET ${what}`,
    headers: { accept: MANIFEST_ACCEPT },
  });
  if (res.status !== 200) throw await httpFailure(res, `GET ${what}`, source.redactor);
  const body = await readAll(res, MAX_MANIFEST_BYTES);
  const digest = byDigest ? DigestVerifier.for(reference) : new DigestVerifier('sha256');
  digest.update(body);
  const got = digest.digest();
  if (byDigest && got !== reference) throw new DigestMismatchError(`GET ${what}`, reference, got);
  return { body, digest: got, mediaType: mediaTypeOf(body, res.header('content-type')) };
}

/** The digest a registry has under a tag or digest (`HEAD`), or undefined when it has none. */
export async function manifestDigest(session: RegistrySession, repository: string, reference: string): Promise<string | undefined> {
  const what = `HEAD manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  const res = await session.request({
    method: 'HEAD',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    what,
    headers: { accept: MANIFEST_ACCEPT },
  });
  res.body.resume();
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new TargetRefusedError(what, res.status);
  return res.header('docker-content-digest') ?? (reference.includes(':') ? reference : undefined);
}

/**
 * `PUT` a manifest's bytes under `reference` (its digest, or a tag once everything it references is there).
 * @throws TargetRefusedError, including when the target stores another digest than the bytes'
 */
export async function putManifest(target: RegistrySession, repository: string, reference: string, manifest: ManifestBytes): Promise<void> {
  const what = `PUT manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  const res = await target.request({
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    what,
    body: manifest.body,
    headers: { 'content-type': manifest.mediaType },
  });
  if (res.status !== 201) throw new TargetRefusedError(what, res.status, await errorDetail(res, target.redactor));
  res.body.resume();
  const stored = res.header('docker-content-digest');
  if (stored !== undefined && stored !== manifest.digest)
    throw new TargetRefusedError(what, res.status, `the target stored ${target.redactor.quote(stored, 80)}, not ${manifest.digest}`);
}

/**
 * The index holding only the entries of `platforms`, every other field as it was (JSON
 * re-serialized, so a new digest). The entries keep their order.
 * @throws CopyShapeError when no entry matches
 */
export function platformSubset(index: ManifestBytes, platforms: readonly string[]): ManifestBytes {
  const doc = JSON.parse(index.body.toString('utf8')) as {
    manifests?: { platform?: { os: string; architecture: string; variant?: string } }[];
  };
  const all = doc.manifests ?? [];
  const kept = all.filter((m) => platforms.some((p) => platformMatches(m.platform, p)));
  if (kept.length === 0) throw new CopyShapeError(`no platform of the index matches ${platforms.join(', ')}`);
  if (kept.length === all.length) return index;
  const body = Buffer.from(JSON.stringify({ ...doc, manifests: kept }));
  return { body, digest: sha256(body), mediaType: index.mediaType };
}
