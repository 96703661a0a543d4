/**
 * OCI referrers found through the upstream's referrers API (`GET /v2/<name>/referrers/<digest>`,
 * OCI distribution-spec v1.1, "Listing Referrers"): an image index of descriptors of the manifests
 * whose `subject` is the image. Each one listed is copied into the target repository by digest
 * (its blobs, then the manifest, no tag), at most `MAX_REFERRERS` per image over at most
 * `MAX_REFERRER_PAGES` pages (`Link: <...>; rel="next"`, same origin only). A 404, 400 or 405 means
 * the registry has no such API: the caller then uses the tag schema (attached.ts). A referrer the
 * target refuses (ECR answers 405 to a manifest with `subject`, aws/containers-roadmap#2783) is a
 * note on the image; after a 405 the rest are not tried (every one would be refused the same way).
 */
import { DIGEST } from '../../core/image-ref/grammar';
import { MEDIA_TYPES, parseManifest } from '../../core/prewarm/manifest';
import { TargetRefusedError } from './errors';
import { fetchManifest, manifestDigest, MAX_MANIFEST_BYTES, putManifest } from './manifests';
import { copyTree, settleAll, type TreeContext } from './tree';
import { readAll } from '../../registry/http';
import { httpFailure } from '../../registry/session';

/** The most referrers copied per image. */
export const MAX_REFERRERS = 100;
/** The most pages of the referrers API read per image. */
export const MAX_REFERRER_PAGES = 5;
/** The statuses that mean "this registry has no referrers API" (distribution-spec v1.1: 404; 400/405 seen from older registries). */
export const NO_REFERRERS_API = [400, 404, 405] as const;

/** One manifest the referrers API lists. */
export interface Referrer {
  readonly digest: string;
  readonly mediaType?: string;
  readonly artifactType?: string;
}

/** What the upstream's referrers API answered: `none` (no API: use the tag schema) or the referrers listed. */
export type ReferrersAnswer =
  { readonly api: false; readonly notes: string[] } | { readonly api: true; readonly referrers: Referrer[]; readonly notes: string[] };

const DIGEST_ONLY = new RegExp(`^${DIGEST}$`);
const NEXT_LINK = /<([^>]+)>\s*;\s*rel="?next"?/;

/** The referrers of one page of the API's index (descriptors without a well-formed digest are left out). */
function referrersOf(body: Buffer): Referrer[] {
  const doc = JSON.parse(body.toString('utf8')) as { manifests?: unknown };
  if (!Array.isArray(doc.manifests)) throw new Error('the referrers answer is not an image index');
  return doc.manifests.flatMap((m: unknown) => {
    const d = m as { digest?: unknown; mediaType?: unknown; artifactType?: unknown };
    if (typeof d?.digest !== 'string' || !DIGEST_ONLY.test(d.digest)) return [];
    return [
      {
        digest: d.digest,
        ...(typeof d.mediaType === 'string' ? { mediaType: d.mediaType } : {}),
        ...(typeof d.artifactType === 'string' ? { artifactType: d.artifactType } : {}),
      },
    ];
  });
}

/**
 * Asks the upstream's referrers API for the referrers of `digest`. Never throws: a failure other
 * than "no API" is a note, and the caller falls back to the tag schema as for no API.
 */
export async function listReferrers(ctx: TreeContext, digest: string): Promise<ReferrersAnswer> {
  const referrers: Referrer[] = [];
  const seen = new Set<string>();
  let path: string | undefined = `/v2/${ctx.from}/referrers/${digest}`;
  try {
    for (let page = 0; path !== undefined && page < MAX_REFERRER_PAGES; page++) {
      const what = `GET referrers ${ctx.from}@${digest}`;
      const res = await ctx.source.request({ method: 'GET', path, repository: ctx.from, what, headers: { accept: MEDIA_TYPES.ociIndex } });
      if (page === 0 && (NO_REFERRERS_API as readonly number[]).includes(res.status)) {
        res.body.resume();
        return { api: false, notes: [] };
      }
      if (res.status !== 200) throw await httpFailure(res, what, ctx.source.redactor);
      for (const r of referrersOf(await readAll(res, MAX_MANIFEST_BYTES))) {
        if (r.digest === digest || seen.has(r.digest)) continue;
        seen.add(r.digest);
        referrers.push(r);
      }
      const next = NEXT_LINK.exec(res.header('link') ?? '')?.[1];
      const url = next === undefined ? undefined : new URL(next, ctx.source.baseUrl);
      path = url !== undefined && url.origin === ctx.source.baseUrl ? `${url.pathname}${url.search}` : undefined;
    }
  } catch (err) {
    const message = ctx.source.redactor.redact(err instanceof Error ? err.message : String(err));
    return { api: false, notes: [`the upstream's referrers API failed (${message}); its referrers tag was looked for instead`] };
  }
  const notes =
    referrers.length > MAX_REFERRERS || path !== undefined
      ? [`the upstream lists more referrers than the ${MAX_REFERRERS} copied (${MAX_REFERRER_PAGES} pages at most)`]
      : [];
  return { api: true, referrers: referrers.slice(0, MAX_REFERRERS), notes };
}

const describe = (r: Referrer): string => `referrer ${r.digest}${r.artifactType !== undefined ? ` (${r.artifactType})` : ''}`;

/**
 * Copies each referrer into the target by digest, skipping those it has; returns one note per
 * referrer copied or refused. Never throws for one referrer.
 */
export async function copyReferrers(ctx: TreeContext, referrers: readonly Referrer[]): Promise<string[]> {
  const notes: string[] = [];
  for (const [i, r] of referrers.entries()) {
    try {
      if ((await manifestDigest(ctx.target, ctx.to, r.digest)) === r.digest) continue;
      const manifest = await fetchManifest(ctx.source, ctx.from, r.digest);
      const parsed = parseManifest(manifest.body, manifest.mediaType);
      if (parsed.kind === 'index') {
        await settleAll(parsed.manifests, 4, async (entry) => copyTree(ctx, await fetchManifest(ctx.source, ctx.from, entry.digest)));
        await putManifest(ctx.target, ctx.to, manifest.digest, manifest);
      } else {
        await copyTree(ctx, manifest, manifest.digest, true);
      }
      notes.push(`copied its ${describe(r)}`);
    } catch (err) {
      const message = ctx.target.redactor.redact(ctx.source.redactor.redact(err instanceof Error ? err.message : String(err)));
      notes.push(`its ${describe(r)} was not copied: ${message}`);
      const left = referrers.length - i - 1;
      if (err instanceof TargetRefusedError && err.status === 405 && left > 0) {
        notes.push(`${left} more referrer(s) not tried: the target refuses manifests with a subject (405)`);
        break;
      }
    }
  }
  return notes;
}
