/**
 * Seeding pinned digests of pull-through upstreams (`rules[N].seeds`, core/copy/seeds.ts): the copy
 * engine copies each digest into its cache repository (every platform, byte for byte, nothing
 * attached: the cache repository belongs to the pull-through cache, whose refresh owns the
 * upstream's tags), then gives the seeded manifest and, for an index, each platform manifest its
 * reserved `ptc-seed-<hex>` tag, which the seed lifecycle rule keeps (core/policy/seed-rule.ts).
 * The tags are checked on every run, so a run cut off between the digest and its tag is completed
 * by the next one. A listed `name:tag@digest` is reported when its upstream tag has moved; the tag
 * itself is never written.
 */
import type { SeedJob } from '../../core/copy/seeds';
import { seedTag } from '../../core/image-ref/seeds';
import { mapLimit } from '../../core/prewarm/limits';
import { parseManifest } from '../../core/prewarm/manifest';
import { copyImages, type CopyOptions, type CopyResult } from './engine';
import { fetchManifest, manifestDigest, putManifest } from './manifests';
import type { RegistrySession } from '../../registry/session';

/** Gives `digest` in `repository` its seed tag unless it has it; true when a tag was written. */
async function tagSeed(target: RegistrySession, repository: string, digest: string): Promise<boolean> {
  const tag = seedTag(digest);
  if ((await manifestDigest(target, repository, tag)) === digest) return false;
  await putManifest(target, repository, tag, await fetchManifest(target, repository, digest));
  return true;
}

/** The seed tags of one seeded image (its platform manifests first, the top manifest last); how many were written. */
async function tagTree(target: RegistrySession, job: SeedJob): Promise<number> {
  const top = await fetchManifest(target, job.targetRepository, job.digest!);
  const parsed = parseManifest(top.body, top.mediaType);
  let written = 0;
  if (parsed.kind === 'index') {
    for (const entry of parsed.manifests) if (await tagSeed(target, job.targetRepository, entry.digest)) written++;
  }
  if (await tagSeed(target, job.targetRepository, job.digest!)) written++;
  return written;
}

/** The note on a listed `name:tag@digest` whose upstream tag has moved or gone, if it has. */
async function movedTagNote(source: RegistrySession, job: SeedJob): Promise<string | undefined> {
  if (job.listedTag === undefined) return undefined;
  const now = await manifestDigest(source, job.repository, job.listedTag).catch(() => undefined);
  if (now === undefined) return `upstream tag ${job.listedTag} is gone; the seed keeps ${job.digest}`;
  if (now !== job.digest) return `upstream tag ${job.listedTag} has moved to ${now}; the seed keeps the listed ${job.digest}`;
  return undefined;
}

/**
 * Seeds every job; results keep the jobs' order, one per job, never thrown for one image. A seed
 * already in the cache with its tags is `unchanged`; one whose digest the cache had (pulled by
 * tag before) but without its seed tag is `copied` once the tag is written.
 */
export async function seedImages(jobs: readonly SeedJob[], options: CopyOptions): Promise<CopyResult[]> {
  const copied = await copyImages(jobs, { ...options, attached: false });
  return mapLimit(
    copied.map((result, i) => ({ result, job: jobs[i]! })),
    options.concurrency ?? 4,
    async ({ result, job }): Promise<CopyResult> => {
      const source = options.source(job.upstream);
      const notes = [...result.notes];
      const moved = await movedTagNote(source, job);
      if (moved !== undefined) notes.push(moved);
      if (result.status === 'failed') return { ...result, notes };
      if (options.dryRun) {
        if ((await manifestDigest(options.target, job.targetRepository, job.seedTag).catch(() => undefined)) === job.digest)
          return { ...result, notes };
        return { ...result, status: 'copied', notes: [...notes, `dry run: would tag it ${job.seedTag}`] };
      }
      try {
        const written = await tagTree(options.target, job);
        if (written === 0) return { ...result, notes };
        return {
          ...result,
          status: 'copied',
          notes: [...notes, `tagged ${job.seedTag} (${written} seed tag${written === 1 ? '' : 's'} written)`],
        };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { ...result, status: 'failed', notes, reason: options.target.redactor.redact(source.redactor.redact(message)) };
      }
    },
  );
}
