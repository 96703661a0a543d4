/**
 * What is attached to an image by tag follows it: cosign's signature, attestation and SBOM tags
 * (`sha256-<hex>.sig`, `.att`, `.sbom`) and the OCI referrers fallback tag (`sha256-<hex>`, an
 * index of manifests whose `subject` is the image; ECR refuses manifests with `subject` with 405,
 * aws/containers-roadmap#2783, which is reported, not failed). Each is copied when the upstream has
 * it and the target does not have the same digest under that tag. A failure here is a note on the
 * image, which is copied all the same.
 */
import { parseManifest } from '../../core/prewarm/manifest';
import { fetchManifest, manifestDigest, putManifest } from './manifests';
import { copyTree, settleAll, type TreeContext } from './tree';

/** The tag suffixes looked for after `<algorithm>-<hex>`, with what they hold. */
export const ATTACHED_TAGS: readonly { readonly suffix: string; readonly what: string }[] = [
  { suffix: '.sig', what: 'signature' },
  { suffix: '.att', what: 'attestation' },
  { suffix: '.sbom', what: 'SBOM' },
  { suffix: '', what: 'referrers index' },
];

/** An attached tag the upstream has, with the digest it points at. */
export interface AttachedTag {
  readonly suffix: string;
  readonly what: string;
  readonly upstream: string;
}

/** Asks the upstream for every attached tag of the image `digest` at once (most images have none). Never throws. */
export async function findAttached(ctx: TreeContext, digest: string): Promise<AttachedTag[]> {
  const base = digest.replace(':', '-');
  const found = await Promise.all(
    ATTACHED_TAGS.map(async (t) => ({
      ...t,
      upstream: await manifestDigest(ctx.source, ctx.from, `${base}${t.suffix}`).catch(() => undefined),
    })),
  );
  return found.filter((t): t is AttachedTag => t.upstream !== undefined);
}

/**
 * Copies the attached tags of the image `digest` (those `findAttached` found); returns one note per
 * tag copied or not copied. Never throws for one tag.
 */
export async function copyAttached(ctx: TreeContext, digest: string, found?: readonly AttachedTag[]): Promise<string[]> {
  const notes: string[] = [];
  const base = digest.replace(':', '-');
  for (const { suffix, what, upstream } of found ?? (await findAttached(ctx, digest))) {
    const tag = `${base}${suffix}`;
    try {
      if ((await manifestDigest(ctx.target, ctx.to, tag)) === upstream) continue;
      const top = await fetchManifest(ctx.source, ctx.from, upstream);
      const parsed = parseManifest(top.body, top.mediaType);
      if (parsed.kind === 'index') {
        await settleAll(parsed.manifests, 4, async (entry) => copyTree(ctx, await fetchManifest(ctx.source, ctx.from, entry.digest)));
        await putManifest(ctx.target, ctx.to, top.digest, top);
      } else {
        await copyTree(ctx, top);
      }
      await putManifest(ctx.target, ctx.to, tag, top);
      notes.push(`copied its ${what} ${tag}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      notes.push(`its ${what} ${tag} was not copied: ${ctx.target.redactor.redact(ctx.source.redactor.redact(message))}`);
    }
  }
  return notes;
}
