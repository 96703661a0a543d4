/**
 * The prewarm engine: for each target, fetch its manifest; for an index, the manifests of the
 * wanted platforms; then every config and layer blob, so the pull-through cache holds the whole
 * image. Runs the same in the Lambda (ECR endpoint, GetAuthorizationToken) and in `ptc prewarm`.
 */
import { ManifestFormatError, RegistryAuthError, RegistryHttpError, RegistryNetworkError } from './errors';
import { truncate } from '../quote';
import { mapLimit } from './limits';
import { formatPlatform, parseManifest, platformMatches, selectPlatforms, type BlobRef } from './manifest';
import type { PrewarmRegistry, TouchedBlob } from './registry-port';
import type { PrewarmTarget } from './targets';

/** Outcome of one image: `ok` (all of it fetched), `missing` (unknown tag or platform), `denied` (401/403), `failed`. */
export type PrewarmStatus = 'ok' | 'missing' | 'denied' | 'failed';

/** Every status, in report order. */
export const PREWARM_STATUSES: readonly PrewarmStatus[] = ['ok', 'missing', 'denied', 'failed'];

/** The result of prewarming one listed image. */
export interface ImageResult {
  /** The reference as listed. */
  image: string;
  /** The cache URI fetched. */
  uri?: string;
  /** The repository in the cache registry, such as `docker-hub/library/nginx`. */
  repositoryName?: string;
  prefix?: string;
  upstream?: string;
  status: PrewarmStatus;
  /** Why the image is not `ok`, in words. */
  reason?: string;
  /** Digest of the top-level manifest. */
  digest?: string;
  /** Platforms warmed (for an index). */
  platforms: string[];
  /** Wanted platforms the index does not have. */
  absentPlatforms?: string[];
  /** Manifests fetched. */
  manifests: number;
  /** Config and layer blobs touched. */
  blobs: number;
  /** Bytes streamed (a blob another image already touched counts once). */
  bytes: number;
  /** Blobs the registry answered with a redirect (ECR: already cached, served from S3). */
  redirects: number;
  /** What to know about an `ok` image (a pinned digest still cached after its tag moved upstream). */
  note?: string;
}

/** Counts per status. */
export type PrewarmSummary = Record<PrewarmStatus, number> & { images: number };

/** The result of a run. */
export interface PrewarmReport {
  /** The registry prewarmed. */
  registry: string;
  results: ImageResult[];
  summary: PrewarmSummary;
}

/** Options of `prewarm`. */
export interface PrewarmOptions {
  /** Platforms to warm from an index. @default ['linux/amd64', 'linux/arm64'] */
  readonly platforms?: readonly string[];
  /** Images in progress at once (requests are bounded by the client). @default 8 */
  readonly concurrency?: number;
  /** Called as each image finishes (for logs and progress). */
  readonly onResult?: (result: ImageResult) => void;
  /** Skip `GET /v2/` (the caller already checked the registry). @default false */
  readonly skipPing?: boolean;
}

/** The default platforms: what EKS and ECS nodes run. */
export const DEFAULT_PLATFORMS: readonly string[] = ['linux/amd64', 'linux/arm64'];

/** An image-level failure with its status. */
class ImageFailure extends Error {
  constructor(
    readonly status: PrewarmStatus,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Prewarms every target and reports each one; one image's failure never stops the others.
 * @throws RegistryUnreachableError / RegistryAuthError once, before any image, when the registry
 *   cannot be used at all
 * @example
 * const client = new RegistryClient({ baseUrl: 'http://127.0.0.1:5001', credentials, concurrency: 8 });
 * const report = await prewarm(planTargets(images, { config, registryHost: '127.0.0.1:5001' }), client);
 */
export async function prewarm(
  targets: readonly PrewarmTarget[],
  client: PrewarmRegistry,
  options: PrewarmOptions = {},
): Promise<PrewarmReport> {
  const platforms = options.platforms ?? DEFAULT_PLATFORMS;
  if (!options.skipPing && targets.some((t) => t.error === undefined)) await client.ping();
  // A blob shared by several images of one repository is fetched once.
  const blobs = new Map<string, Promise<TouchedBlob>>();
  const results = await mapLimit(targets, options.concurrency ?? 8, async (target) => {
    const result = await prewarmOne(target, client, platforms, blobs);
    options.onResult?.(result);
    return result;
  });
  return { registry: client.baseUrl, results, summary: summarize(results) };
}

/** Counts results per status. */
export function summarize(results: readonly ImageResult[]): PrewarmSummary {
  const summary: PrewarmSummary = { images: results.length, ok: 0, missing: 0, denied: 0, failed: 0 };
  for (const r of results) summary[r.status]++;
  return summary;
}

async function prewarmOne(
  target: PrewarmTarget,
  client: PrewarmRegistry,
  platforms: readonly string[],
  blobs: Map<string, Promise<TouchedBlob>>,
): Promise<ImageResult> {
  const result: ImageResult = {
    image: target.image,
    ...(target.uri ? { uri: target.uri } : {}),
    ...(target.repository ? { repositoryName: target.repository } : {}),
    ...(target.prefix ? { prefix: target.prefix } : {}),
    ...(target.upstream ? { upstream: target.upstream } : {}),
    status: 'ok',
    platforms: [],
    manifests: 0,
    blobs: 0,
    bytes: 0,
    redirects: 0,
  };
  if (target.error !== undefined || target.repository === undefined || target.reference === undefined) {
    return { ...result, status: 'failed', reason: target.error ?? 'no cache repository' };
  }
  const repository = target.repository;
  try {
    let top = await fetchManifest(client, repository, target.reference, true);
    result.manifests++;
    // name:tag@digest was fetched by its tag: the digest must be what the tag gave, or one of its platforms.
    let pinnedChild: string | undefined;
    const pinned = target.pinnedDigest;
    if (pinned !== undefined && top.digest !== pinned) {
      if (top.parsed.kind === 'index' && top.parsed.manifests.some((m) => m.digest === pinned)) pinnedChild = pinned;
      else {
        const movedTo = top.digest;
        top = await fetchPinned(client, repository, target.reference, pinned, movedTo);
        result.manifests++;
        result.note = `the tag ${target.reference} now points at ${movedTo} upstream; the pinned ${pinned} is still in the cache and was warmed`;
      }
    }
    result.digest = top.digest;
    let images: { digest: string; config: BlobRef; layers: BlobRef[] }[];
    if (top.parsed.kind === 'index') {
      const chosen = selectPlatforms(top.parsed.manifests, platforms);
      // A pin on one platform's manifest warms that manifest too, whatever the platforms asked for.
      const child = top.parsed.manifests.find((m) => m.digest === pinnedChild);
      if (child !== undefined && !chosen.includes(child)) chosen.push(child);
      if (chosen.length === 0) {
        const offered = [...new Set(top.parsed.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : [])))];
        throw new ImageFailure(
          'missing',
          `the index has no manifest for ${platforms.join(', ')} (it has ${offered.length ? listCapped(offered) : 'no platforms'})`,
        );
      }
      result.platforms = [
        ...new Set(chosen.flatMap((c) => (c.platform ? [truncate(formatPlatform(c.platform), PLATFORM_MAX_CHARS)] : []))),
      ];
      const absent = platforms.filter((p) => !chosen.some((c) => platformMatches(c.platform, p)));
      if (absent.length > 0) result.absentPlatforms = absent;
      images = await settleAll(
        chosen.map(async (entry) => {
          const child = await fetchManifest(client, repository, entry.digest, false);
          result.manifests++;
          if (child.parsed.kind !== 'image')
            throw new ImageFailure('failed', `manifest ${entry.digest} of the index is itself an index; nested indexes are not supported`);
          return { digest: entry.digest, config: child.parsed.config, layers: child.parsed.layers };
        }),
      );
    } else {
      images = [{ digest: top.digest, config: top.parsed.config, layers: top.parsed.layers }];
    }
    const refs = images.flatMap((i) => [i.config, ...i.layers]);
    await settleAll(
      refs.map(async (ref) => {
        const key = `${repository}@${ref.digest}`;
        let touch = blobs.get(key);
        const first = touch === undefined;
        if (touch === undefined) {
          touch = client.touchBlob(repository, ref.digest, ref.size);
          blobs.set(key, touch);
        }
        const touched = await touch.catch((err: unknown) => {
          throw blobFailure(err, ref.digest);
        });
        result.blobs++;
        if (first) result.bytes += touched.bytes;
        if (touched.redirected) result.redirects++;
      }),
    );
    return result;
  } catch (err) {
    let failure = err instanceof ImageFailure ? err : manifestFailure(err);
    if (failure.status === 'missing' && target.pinnedDigest === undefined && /^sha(256|512):/.test(target.reference)) {
      failure = new ImageFailure(
        'missing',
        `${failure.message}; a digest-only reference comes through the cache only once cached (ECR fetches from the upstream by tag only, aws/containers-roadmap#2837): list it as name:tag@digest so prewarm seeds it by its tag`,
      );
    }
    return { ...result, status: failure.status, reason: capReason(client.redactor.redact(failure.message)) };
  }
}

/**
 * After the tag of `name:tag@digest` moved upstream: the pinned digest, if the cache still holds it;
 * otherwise a failure that says the pinned image cannot come through the cache.
 */
async function fetchPinned(client: PrewarmRegistry, repository: string, tag: string, pinned: string, movedTo: string) {
  try {
    return await fetchManifest(client, repository, pinned, true);
  } catch (err) {
    if (!(err instanceof RegistryHttpError) || err.status === 401 || err.status === 403) throw err;
    throw new ImageFailure(
      'failed',
      `the tag ${tag} now points at ${movedTo} upstream, not at the pinned ${pinned}, and the cache does not hold ${pinned} (HTTP ${err.status}): ` +
        `the pinned image cannot come through the cache, which fetches from the upstream by tag only (aws/containers-roadmap#2837); pin ${movedTo}, or push the pinned image into the cache registry`,
    );
  }
}

/** The longest reason an image gets; what an error quotes is capped on its own, this bounds the whole line. */
export const MAX_REASON_CHARS = 1000;
/** The most platforms a reason lists, and the longest platform name it shows. */
const PLATFORMS_LISTED = 8;
const PLATFORM_MAX_CHARS = 60;

/** `a, b, c` of at most PLATFORMS_LISTED names, each capped and escaped, then `and N more`. */
function listCapped(names: readonly string[]): string {
  const shown = names.slice(0, PLATFORMS_LISTED).map((n) => truncate(n, PLATFORM_MAX_CHARS));
  return names.length > PLATFORMS_LISTED ? `${shown.join(', ')} and ${names.length - PLATFORMS_LISTED} more` : shown.join(', ');
}

/** A reason of at most MAX_REASON_CHARS characters (its parts are already escaped; this only cuts). */
function capReason(reason: string): string {
  if (reason.length <= MAX_REASON_CHARS) return reason;
  let cut = MAX_REASON_CHARS;
  const last = reason.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1; // never split a surrogate pair
  return `${reason.slice(0, cut)}...(${reason.length} characters)`;
}

/** Like Promise.all, but waits for every promise before throwing the first failure, so no request outlives its image. */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

async function fetchManifest(client: PrewarmRegistry, repository: string, reference: string, top: boolean) {
  try {
    const fetched = await client.getManifest(repository, reference);
    // What the registry wrote is redacted before it is parsed, so no media type, platform or
    // digest quoted from it can carry a credential the registry echoed.
    const redact = (text: string): string => client.redactor.redact(text);
    return {
      digest: fetched.digest,
      parsed: parseManifest(
        redact(fetched.body.toString('utf8')),
        fetched.contentType === undefined ? undefined : redact(fetched.contentType),
      ),
    };
  } catch (err) {
    if (!top && err instanceof RegistryHttpError && err.status === 404) {
      throw new ImageFailure('failed', `manifest ${reference} listed in the index is not in the registry (HTTP 404)`);
    }
    throw err;
  }
}

function manifestFailure(err: unknown): ImageFailure {
  if (err instanceof RegistryHttpError) {
    if (err.status === 404) return new ImageFailure('missing', `not found: ${err.message}`);
    if (err.status === 401 || err.status === 403) return new ImageFailure('denied', `access denied: ${err.message}`);
    return new ImageFailure('failed', err.message);
  }
  if (err instanceof RegistryAuthError) return new ImageFailure('denied', err.message);
  if (err instanceof RegistryNetworkError || err instanceof ManifestFormatError) return new ImageFailure('failed', err.message);
  return new ImageFailure('failed', err instanceof Error ? err.message : String(err));
}

function blobFailure(err: unknown, digest: string): ImageFailure {
  if (err instanceof RegistryHttpError && err.status === 404)
    return new ImageFailure('failed', `blob ${digest} is not in the registry (HTTP 404)`);
  return manifestFailure(err);
}
