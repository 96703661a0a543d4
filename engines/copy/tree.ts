/**
 * Copying one manifest tree into the target: an image manifest's blobs, then the manifest by
 * digest (children before parents), skipped when the target already has that manifest.
 */
import { mapLimit } from '../../core/prewarm/limits';
import { parseManifest } from '../../core/prewarm/manifest';
import { copyBlob, type BlobOptions, type MountContext } from './blob';
import { CopyShapeError } from './errors';
import { manifestDigest, putManifest, type ManifestBytes } from './manifests';
import type { RegistrySession } from '../../registry/session';

/** What one image's copy has sent so far. */
export interface Tally {
  sent: number;
  present: number;
  mounted: number;
  bytes: number;
}

/** Where a tree is copied from and to. */
export interface TreeContext {
  readonly source: RegistrySession;
  readonly target: RegistrySession;
  /** The upstream repository. */
  readonly from: string;
  /** The target repository. */
  readonly to: string;
  readonly tally: Tally;
  readonly blob: BlobOptions;
  readonly blobConcurrency: number;
  /** Blob mounting from the run's other copy repositories; absent: off. */
  readonly mount?: MountContext;
}

/**
 * Copies an image manifest's blobs, then the manifest under `reference`: its digest (skipped when
 * the target has it, unless the caller already knows it does not: `checked`), or the image's tag (one `PUT`
 * stores it under both).
 * @throws CopyShapeError for an index (the caller walks indexes), and whatever a blob or manifest copy throws
 */
export async function copyTree(
  ctx: TreeContext,
  manifest: ManifestBytes,
  reference: string = manifest.digest,
  checked = false,
): Promise<void> {
  const parsed = parseManifest(manifest.body, manifest.mediaType);
  if (parsed.kind === 'index')
    throw new CopyShapeError(`an index inside an index (${manifest.digest}) is not copied; list its platform images instead`);
  // `checked`: the caller has already asked the target for this digest, and it was missing.
  if (!checked && reference === manifest.digest && (await manifestDigest(ctx.target, ctx.to, manifest.digest))) return;
  await settleAll([parsed.config, ...parsed.layers], ctx.blobConcurrency, async (blob) => {
    const outcome = await copyBlob(ctx.source, ctx.from, ctx.target, ctx.to, blob, ctx.blob, ctx.mount);
    if (outcome.present) ctx.tally.present++;
    else if (outcome.mounted) ctx.tally.mounted++;
    else ctx.tally.sent++;
    ctx.tally.bytes += outcome.bytes;
  });
  await putManifest(ctx.target, ctx.to, reference, manifest);
  ctx.mount?.ledger.manifestPushed(
    [parsed.config, ...parsed.layers].map((b) => b.digest),
    ctx.to,
  );
}

/**
 * Runs `fn` over `items`, `limit` at a time; after the first failure it starts nothing more, waits
 * for what is in flight (no upload keeps running behind a reported failure), then throws that
 * first failure.
 */
export async function settleAll<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | undefined;
  await mapLimit(items, limit, async (item) => {
    if (failure !== undefined) return;
    try {
      await fn(item);
    } catch (error) {
      failure ??= { error };
    }
  });
  if (failure !== undefined) throw failure.error;
}
