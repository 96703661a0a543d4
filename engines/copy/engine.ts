/**
 * The copy engine: copies the images of `copies` jobs (core/copy/jobs.ts) from their upstream
 * registries into the target registry, children before parents and the tag last, so a run cut
 * off anywhere never leaves a tag pointing at something missing, and the next run resumes (blobs
 * and manifests the target has are not sent again). Registry sessions are injected (one per
 * upstream and one for the target), so the CLI, a Lambda and the tests share this code.
 *
 * Per image: fetch the manifest (by the listed digest, else by tag); with `platforms`, an index
 * becomes a new index of the wanted entries (reported with its new digest); a target that already
 * has this digest under the tag (or the digest, for a digest-only image) is `unchanged`; else each
 * platform manifest's blobs are copied, then the platform manifests, then the top manifest by
 * digest, then the tag. A listed `name:tag@digest` copies that digest and points the tag at it;
 * the report says when the upstream tag has moved since. What is attached to the image follows it
 * (attached.ts: by tag; referrers.ts: what the upstream's referrers API lists, by digest).
 */
import type { CopyJob } from '../../core/copy/jobs';
import { mapLimit } from '../../core/prewarm/limits';
import { parseManifest } from '../../core/prewarm/manifest';
import { copyAttached, findAttached } from './attached';
import { DEFAULT_CHUNK_BYTES, type BlobOptions } from './blob';
import { fetchManifest, manifestDigest, platformSubset, putManifest } from './manifests';
import { BlobLedger, MOUNT_FELL_BACK_NOTE } from './mount';
import { copyReferrers, listReferrers } from './referrers';
import { copyTree, settleAll, type Tally, type TreeContext } from './tree';
import type { RegistrySession } from '../../registry/session';

/** The statuses of a result, as `ptc copy --json` spells them. */
export const COPY_STATUSES = ['copied', 'unchanged', 'failed'] as const;
/** `copied`, `unchanged` or `failed`. */
export type CopyStatus = (typeof COPY_STATUSES)[number];

/** What happened to one image. */
export interface CopyResult {
  /** The image as listed. */
  readonly image: string;
  /** `<target registry>/<prefix>/<path>[:tag][@digest]`. */
  readonly target: string;
  readonly status: CopyStatus;
  /** Why it failed (redacted). */
  readonly reason?: string;
  /** The digest the target has (or would have) for it. */
  readonly digest?: string;
  /** What a reader should know: a tag that moved upstream, the new digest of a platforms subset, a dry run. */
  readonly notes: string[];
  /**
   * Blobs sent, blobs the target already had, and blobs mounted from another copy repository of
   * the run (`mounted` only when there were any).
   */
  readonly blobs: { readonly sent: number; readonly present: number; readonly mounted?: number };
  /** Bytes sent to the target. */
  readonly bytes: number;
}

/** Options of a run. */
export interface CopyOptions {
  /** The target registry's session (ECR: Basic `AWS:<token>`). */
  readonly target: RegistrySession;
  /** The target registry host as references name it (`111122223333.dkr.ecr.eu-west-2.amazonaws.com`). */
  readonly targetHost: string;
  /** The session of an upstream host. */
  readonly source: (upstream: string) => RegistrySession;
  /** Reads only: no write request at all (HEAD and GET). @default false */
  readonly dryRun?: boolean;
  /** Images copied at once. @default 4 */
  readonly concurrency?: number;
  /** Blobs copied at once within one image. @default 4 */
  readonly blobConcurrency?: number;
  /** @default { chunkBytes: 8 MiB, attempts: 3, mode: 'stream', wholeBytes: 1 MiB } */
  readonly blob?: Partial<BlobOptions>;
  /**
   * Copy what is attached to an image when the upstream has it: by tag (cosign's `sha256-<hex>.sig`,
   * `.att`, `.sbom`, and the OCI referrers fallback tag `sha256-<hex>` where the upstream has no
   * referrers API) and the manifests its referrers API lists (by digest). @default true
   */
  readonly attached?: boolean;
  /**
   * Mount a blob this run already pushed into another repository of the target instead of
   * sending it again (`POST ...?mount=&from=`); a registry that answers with a normal upload
   * (ECR without the BLOB_MOUNTING account setting) gets the bytes all the same. Only repositories
   * this run pushed to lend blobs, and only those `mountFrom` accepts. @default true
   */
  readonly mount?: boolean;
  /**
   * Which target repositories may lend their blobs to a mount. A run that writes into
   * pull-through-cache repositories (seeding) must answer false for them: ECR never mounts from
   * those. @default every repository the run pushed to (the copy repositories `<prefix>/<path>`)
   */
  readonly mountFrom?: (repository: string) => boolean;
  /** Called once per finished image (progress). */
  readonly onResult?: (result: CopyResult, done: number, total: number) => void;
}

/** Copies every job; results keep the jobs' order. Never throws for one image: its result says `failed`. */
export async function copyImages(jobs: readonly CopyJob[], options: CopyOptions): Promise<CopyResult[]> {
  let done = 0;
  const ledger = new BlobLedger(options.mountFrom);
  return mapLimit(jobs, options.concurrency ?? 4, async (job) => {
    const result = await copyOne(job, options, ledger);
    options.onResult?.(result, ++done, jobs.length);
    return result;
  });
}

/** Copies one job (blobs mount only between its own repositories' platforms: `copyImages` shares one ledger per run). */
export async function copyImage(job: CopyJob, options: CopyOptions): Promise<CopyResult> {
  return copyOne(job, options, new BlobLedger(options.mountFrom));
}

async function copyOne(job: CopyJob, options: CopyOptions, ledger: BlobLedger): Promise<CopyResult> {
  const source = options.source(job.upstream);
  const target = options.target;
  const ref = `${options.targetHost}/${job.targetRepository}${job.tag !== undefined ? `:${job.tag}` : ''}${job.digest !== undefined ? `@${job.digest}` : ''}`;
  const tally: Tally = { sent: 0, present: 0, mounted: 0, bytes: 0 };
  const notes: string[] = [];
  const blobOptions: BlobOptions = {
    chunkBytes: options.blob?.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    attempts: options.blob?.attempts ?? 3,
    mode: options.blob?.mode ?? 'stream',
    ...(options.blob?.wholeBytes !== undefined ? { wholeBytes: options.blob.wholeBytes } : {}),
  };
  const result = (status: CopyStatus, extra: { reason?: string; digest?: string } = {}): CopyResult => ({
    image: job.image,
    target: ref,
    status,
    ...extra,
    notes,
    blobs: { sent: tally.sent, present: tally.present, ...(tally.mounted > 0 ? { mounted: tally.mounted } : {}) },
    bytes: tally.bytes,
  });
  try {
    // Side by side: the upstream manifest, what the target has under the tag (or digest), and where the upstream tag points now.
    const pinned = job.digest !== undefined && job.tag !== undefined;
    const [fetched, had, now] = await Promise.all([
      fetchManifest(source, job.repository, job.digest ?? job.tag!),
      manifestDigest(target, job.targetRepository, job.tag ?? job.digest!),
      pinned ? manifestDigest(source, job.repository, job.tag).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    let top = fetched;
    const upstreamDigest = top.digest;
    if (pinned) {
      if (now === undefined) notes.push(`upstream tag ${job.tag} is gone; the copy keeps ${job.digest}`);
      else if (now !== job.digest) notes.push(`upstream tag ${job.tag} has moved to ${now}; the copy keeps the listed ${job.digest}`);
    }
    const parsed = parseManifest(top.body, top.mediaType);
    if (parsed.kind === 'index' && job.platforms !== undefined) {
      const subset = platformSubset(top, job.platforms);
      if (subset.digest !== top.digest)
        notes.push(`platforms ${job.platforms.join(', ')}: the copy is a new index ${subset.digest} (upstream ${top.digest})`);
      top = subset;
    }
    const tree: TreeContext = {
      source,
      target,
      from: job.repository,
      to: job.targetRepository,
      tally,
      blob: blobOptions,
      blobConcurrency: options.blobConcurrency ?? 4,
      ...(options.mount === false
        ? {}
        : {
            mount: {
              ledger,
              fellBack: () => {
                if (!notes.includes(MOUNT_FELL_BACK_NOTE)) notes.push(MOUNT_FELL_BACK_NOTE);
              },
            },
          }),
    };
    // Signatures and attestations attached by tag follow the image, unless the copy is a new index;
    // the upstream is asked for them while the image is copied.
    // The referrers API is asked too; where it answers, what it lists is copied by digest and the
    // referrers fallback tag is left alone (it holds the same manifests).
    const follow = !options.dryRun && top.digest === upstreamDigest && options.attached !== false;
    const found = follow ? findAttached(tree, top.digest) : undefined;
    const listed = follow ? listReferrers(tree, top.digest) : undefined;
    const attach = async () => {
      if (found === undefined || listed === undefined) return;
      const [tags, api] = await Promise.all([found, listed]);
      notes.push(...api.notes);
      notes.push(...(await copyAttached(tree, top.digest, api.api ? tags.filter((t) => t.suffix !== '') : tags)));
      if (api.api) notes.push(...(await copyReferrers(tree, api.referrers)));
    };
    const have = job.tag === undefined && top.digest !== job.digest ? await manifestDigest(target, job.targetRepository, top.digest) : had;
    if (have === top.digest) {
      await attach();
      return result('unchanged', { digest: top.digest });
    }
    if (options.dryRun) {
      notes.push('dry run: nothing was written');
      return result('copied', { digest: top.digest });
    }
    const selected = parseManifest(top.body, top.mediaType);
    if (selected.kind === 'index') {
      // Platforms side by side: their blobs share the image's blob concurrency below each.
      await settleAll(selected.manifests, 4, async (entry) => {
        // The platform manifest and whether the target has it, side by side.
        const [manifest, present] = await Promise.all([
          fetchManifest(source, job.repository, entry.digest),
          manifestDigest(target, job.targetRepository, entry.digest),
        ]);
        if (present === undefined) await copyTree(tree, manifest, manifest.digest, true);
      });
      // The tag last (one PUT stores the index under its digest too): everything it references is in the target now.
      await putManifest(target, job.targetRepository, job.tag ?? top.digest, top);
    } else {
      // Blobs, then the manifest under its tag (or digest) last.
      await copyTree(tree, top, job.tag ?? top.digest);
    }
    await attach();
    return result('copied', { digest: top.digest });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return result('failed', { reason: target.redactor.redact(source.redactor.redact(message)) });
  }
}

/** Counts by status, for the summary line. */
export function summarizeCopies(results: readonly CopyResult[]): Record<CopyStatus, number> & { images: number; bytes: number } {
  const count = (s: CopyStatus) => results.filter((r) => r.status === s).length;
  return {
    images: results.length,
    copied: count('copied'),
    unchanged: count('unchanged'),
    failed: count('failed'),
    bytes: results.reduce((n, r) => n + r.bytes, 0),
  };
}
