/**
 * What a copy run does, decided from the config alone: one job per listed image (each entry's
 * `images`, plus images given at run time, such as `ptc copy --images FILE` or a prewarm-style
 * manifest source), with its upstream repository, its tag and/or digest, and its target
 * repository `<prefix>/<path>` (the same mapping as core/image-ref/copy-routes.ts).
 */
import type { CopyConfig } from '../config/copies-schema';
import { InvalidReferenceError } from '../errors';
import { formatReference, parseReference } from '../image-ref/parse';
import { quote, truncate } from '../quote';

/** One image to copy. */
export interface CopyJob {
  /** The image as listed. */
  readonly image: string;
  /** The `copies` entry it belongs to. */
  readonly entryIndex: number;
  /** The upstream registry `host[:port]`. */
  readonly upstream: string;
  /** The upstream repository path. */
  readonly repository: string;
  /** The tag to write in the target (listed `name:tag` or `name:tag@digest`). */
  readonly tag?: string;
  /** The digest to copy (listed `name@digest` or `name:tag@digest`); absent: whatever the tag points at. */
  readonly digest?: string;
  /** `<prefix>/<path>` in the target registry. */
  readonly targetRepository: string;
  /** The entry's platforms subset; absent: every platform. */
  readonly platforms?: readonly string[];
}

/** An image that cannot become a job, with the reason. */
export interface RejectedImage {
  readonly image: string;
  readonly reason: string;
}

/**
 * The jobs of a run: every image of every entry, then `extra` images (each must lie on a copy
 * upstream), each normalized reference once, in that order.
 * @example
 * copyJobs({ copies: [{ prefix: 'gcr', upstream: 'gcr.io', images: ['gcr.io/distroless/static:nonroot'], schedule: 'rate(1 day)' }] }).jobs[0]
 * // { image: 'gcr.io/distroless/static:nonroot', entryIndex: 0, upstream: 'gcr.io', repository: 'distroless/static', tag: 'nonroot', targetRepository: 'gcr/distroless/static' }
 */
export function copyJobs(
  config: { readonly copies: readonly CopyConfig[] },
  extra: readonly string[] = [],
): { jobs: CopyJob[]; rejected: RejectedImage[] } {
  const jobs: CopyJob[] = [];
  const rejected: RejectedImage[] = [];
  const seen = new Set<string>();
  const listed = config.copies.flatMap((entry) => entry.images);
  for (const image of [...listed, ...extra]) {
    let reference;
    try {
      reference = parseReference(image);
    } catch (err) {
      if (!(err instanceof InvalidReferenceError)) throw err;
      rejected.push({ image, reason: `not a valid image reference: ${truncate(err.reason, 200)}` });
      continue;
    }
    const entryIndex = config.copies.findIndex((c) => c.upstream === reference.host);
    if (entryIndex < 0) {
      rejected.push({
        image,
        reason: `no copies entry has upstream ${quote(reference.host)}; add one (or a rule, for a registry the pull-through cache serves)`,
      });
      continue;
    }
    const key = formatReference(reference);
    if (seen.has(key)) continue;
    seen.add(key);
    const entry = config.copies[entryIndex]!;
    jobs.push({
      image,
      entryIndex,
      upstream: entry.upstream,
      repository: reference.repository,
      ...(reference.tag !== undefined ? { tag: reference.tag } : {}),
      ...(reference.digest !== undefined ? { digest: reference.digest } : {}),
      targetRepository: `${entry.prefix}/${reference.repository}`,
      ...(entry.platforms !== undefined ? { platforms: entry.platforms } : {}),
    });
  }
  return { jobs, rejected };
}
