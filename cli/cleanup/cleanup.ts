/**
 * Finds and deletes cache repositories under the managed prefixes. A repository is a candidate
 * only when its name starts with `<prefix>/` for a managed prefix (so `docker-hub` never matches
 * `docker-hubx/...`); repositories tagged `ptc-autopilot:ignore=true` are kept; with an age limit,
 * only repositories without a pull or push for that many days go.
 */
import {
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
  RepositoryNotFoundException,
  type ECRClient,
  type Repository,
} from '@aws-sdk/client-ecr';
import { IGNORE_TAG_KEY } from '../../core';

/** What to look for. */
export interface CleanupQuery {
  /** The registry (account) to clean. Every call names it, so other credentials cannot redirect it. */
  readonly registryId: string;
  /** Managed prefixes to clean; repositories outside them are never candidates. */
  readonly prefixes: readonly string[];
  /** Keep repositories pulled or pushed within this many days. @default no age limit */
  readonly unusedDays?: number;
  /** The current time (injected for tests). */
  readonly now: Date;
  /** Repositories inspected at once. @default 8 */
  readonly concurrency?: number;
}

/** One repository under a managed prefix, and what cleanup does with it. */
export interface CleanupCandidate {
  readonly repositoryName: string;
  readonly prefix: string;
  readonly images: number;
  /** The last pull (`lastRecordedPullTime`) or push (`imagePushedAt`) of any image; creation time when empty. */
  readonly lastUsed?: Date;
  readonly action: 'delete' | 'keep';
  /** Why it is kept. */
  readonly reason?: string;
}

/** The outcome of deleting. */
export interface CleanupResult {
  readonly deleted: readonly CleanupCandidate[];
  readonly failed: readonly { readonly repositoryName: string; readonly message: string }[];
}

/**
 * The managed prefix whose namespace holds a repository name, matching whole path components.
 * @example
 * managedPrefixOf('docker-hub/library/nginx', ['docker-hub']) // 'docker-hub'
 * managedPrefixOf('docker-hubx/nginx', ['docker-hub'])        // undefined
 */
export function managedPrefixOf(repositoryName: string, prefixes: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const p of prefixes) {
    if (repositoryName.startsWith(`${p}/`) && (best === undefined || p.length > best.length)) best = p;
  }
  return best;
}

async function listRepositories(ecr: ECRClient, registryId: string): Promise<Repository[]> {
  const repositories: Repository[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecr.send(
      new DescribeRepositoriesCommand({ registryId, maxResults: 1000, ...(nextToken !== undefined ? { nextToken } : {}) }),
    );
    repositories.push(...(page.repositories ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return repositories;
}

async function usage(ecr: ECRClient, registryId: string, repositoryName: string): Promise<{ images: number; lastUsed?: Date }> {
  let images = 0;
  let lastUsed: Date | undefined;
  let nextToken: string | undefined;
  do {
    const page = await ecr.send(
      new DescribeImagesCommand({ registryId, repositoryName, maxResults: 1000, ...(nextToken !== undefined ? { nextToken } : {}) }),
    );
    for (const image of page.imageDetails ?? []) {
      images += 1;
      const used = image.lastRecordedPullTime ?? image.imagePushedAt;
      if (used !== undefined && (lastUsed === undefined || used > lastUsed)) lastUsed = used;
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return lastUsed === undefined ? { images } : { images, lastUsed };
}

async function ignored(ecr: ECRClient, repositoryArn: string | undefined): Promise<boolean> {
  if (repositoryArn === undefined) return false;
  const out = await ecr.send(new ListTagsForResourceCommand({ resourceArn: repositoryArn }));
  return (out.tags ?? []).some((t) => t.Key === IGNORE_TAG_KEY && t.Value === 'true');
}

/** Runs `fn` over `items` with at most `limit` running at once, keeping order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Lists the repositories under the prefixes and decides, for each, whether cleanup deletes it.
 * Reads only: `DescribeRepositories`, `ListTagsForResource`, `DescribeImages`. A repository
 * deleted between the listing and its inspection is left out.
 */
export async function planCleanup(ecr: ECRClient, query: CleanupQuery): Promise<CleanupCandidate[]> {
  const repositories = (await listRepositories(ecr, query.registryId))
    .map((r) => ({ repository: r, prefix: managedPrefixOf(r.repositoryName ?? '', query.prefixes) }))
    .filter((r): r is { repository: Repository; prefix: string } => r.prefix !== undefined)
    .sort((a, b) => (a.repository.repositoryName! < b.repository.repositoryName! ? -1 : 1));
  const cutoff = query.unusedDays === undefined ? undefined : new Date(query.now.getTime() - query.unusedDays * DAY_MS);
  const inspected = await mapLimit(
    repositories,
    query.concurrency ?? 8,
    async ({ repository, prefix }): Promise<CleanupCandidate | undefined> => {
      const repositoryName = repository.repositoryName!;
      let images: number;
      let imageUse: Date | undefined;
      let keep: boolean;
      try {
        ({ images, lastUsed: imageUse } = await usage(ecr, query.registryId, repositoryName));
        keep = await ignored(ecr, repository.repositoryArn);
      } catch (err) {
        // Deleted since the listing (another cleanup, a console user): nothing left to decide.
        if (err instanceof RepositoryNotFoundException) return undefined;
        throw err;
      }
      const lastUsed = imageUse ?? repository.createdAt;
      const base = { repositoryName, prefix, images, ...(lastUsed !== undefined ? { lastUsed } : {}) };
      if (keep) return { ...base, action: 'keep', reason: `tagged ${IGNORE_TAG_KEY}=true` };
      if (cutoff !== undefined && lastUsed !== undefined && lastUsed > cutoff) {
        const days = Math.floor((query.now.getTime() - lastUsed.getTime()) / DAY_MS);
        return { ...base, action: 'keep', reason: `used ${days === 0 ? 'today' : `${days} days ago`}` };
      }
      return { ...base, action: 'delete' };
    },
  );
  return inspected.filter((c): c is CleanupCandidate => c !== undefined);
}

/**
 * Deletes the candidates marked `delete`, with their images (`force`): a cache repository holds
 * only copies of upstream images, which the next pull through the cache fetches again.
 * A repository already gone counts as deleted; other failures are reported, not thrown.
 */
export async function executeCleanup(
  ecr: ECRClient,
  registryId: string,
  candidates: readonly CleanupCandidate[],
  concurrency = 4,
): Promise<CleanupResult> {
  const doomed = candidates.filter((c) => c.action === 'delete');
  const outcomes = await mapLimit(doomed, concurrency, async (c) => {
    try {
      await ecr.send(new DeleteRepositoryCommand({ registryId, repositoryName: c.repositoryName, force: true }));
      return { ok: true as const, candidate: c };
    } catch (err) {
      if (err instanceof RepositoryNotFoundException) return { ok: true as const, candidate: c };
      return { ok: false as const, candidate: c, message: err instanceof Error ? err.message : String(err) };
    }
  });
  return {
    deleted: outcomes.filter((o) => o.ok).map((o) => o.candidate),
    failed: outcomes.flatMap((o) => (o.ok ? [] : [{ repositoryName: o.candidate.repositoryName, message: o.message }])),
  };
}
