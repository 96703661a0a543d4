/**
 * The plan's view of the `copies` list for one environment: each entry's upstream, prefix,
 * credentials, platforms and schedule, and where each listed image will be pulled from, computed
 * by the same resolver as `ptc resolve` (so the plan and the routing agree).
 */
import type { CopyConfig } from '../config/copies-schema';
import { InvalidReferenceError } from '../errors';
import { createResolver } from '../image-ref/resolve';
import { renderCopyRepositories, type PlannedCopyRepositories } from './copy-repositories';

/** One copy entry as one environment gets it. */
export interface PlannedCopy {
  prefix: string;
  upstream: string;
  /** `secret <name>` or `anonymous`. */
  credentials: string;
  /** `every platform` or the list. */
  platforms: string;
  schedule: string;
  /** Each listed image and the URI workloads pull it from (`not copied: ...` when it cannot be). */
  images: { image: string; uri: string }[];
  /** What its repositories get: template, reconciler, lifecycle, grants, node access (`planCopyRepositories`). */
  repositories?: PlannedCopyRepositories;
}

/** The copies of a config for one registry; empty without copies. */
export function planCopies(
  config: { rules: Parameters<typeof createResolver>[0]['config']['rules']; copies: readonly CopyConfig[] },
  registryHost: string,
): PlannedCopy[] {
  if (config.copies.length === 0) return [];
  const resolve = createResolver({ config, registryHost });
  return config.copies.map((entry) => ({
    prefix: entry.prefix,
    upstream: entry.upstream,
    credentials: entry.credentials === undefined ? 'anonymous' : `secret ${entry.credentials.secretName}`,
    platforms: entry.platforms === undefined ? 'every platform' : entry.platforms.join(', '),
    schedule: entry.schedule,
    images: entry.images.map((image) => {
      try {
        const r = resolve(image);
        return { image, uri: r.status === 'resolved' ? r.output : `(stays upstream: ${r.reason ?? 'not copied'})` };
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
        return { image, uri: `(invalid: ${err.reason})` };
      }
    }),
  }));
}

/** The plan's lines for the copies of one environment. */
export function renderCopies(copies: readonly PlannedCopy[] | undefined): string[] {
  const lines: string[] = [];
  for (const c of copies ?? []) {
    lines.push(`  copy ${c.prefix} <- ${c.upstream} (${c.images.length} images, ${c.platforms}, ${c.schedule}, ${c.credentials})`);
    if (c.repositories !== undefined) lines.push(...renderCopyRepositories(c.repositories));
    lines.push(...c.images.map((i) => `    ${i.image} -> ${i.uri}`));
  }
  return lines;
}
