/**
 * The eviction decision for one repository: per image group, evict or keep and why, which
 * digests go, in which order, and the bytes involved. Pure: the engine (engines/evict) lists
 * the images and deletes what this returns.
 *
 * The safety invariant: a digest is deleted only when every group that reaches it is evicted,
 * so nothing kept ever refers to a deleted manifest (test/eviction/plan.property.test.ts).
 */
import { buildGraph, memberBytes } from './graph';
import { protectedBy, type ProtectMatcher } from './patterns';
import type { GroupDecision, ImageRecord, PinnedImages, RepositoryImages, RepositoryPlan } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The margin added to `unpulledDays`: ECR refreshes `lastRecordedPullTime` "at least once every
 * 24 hours" (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html), so
 * a pull can be up to a day older in the record than in reality.
 */
export const PULL_RECORD_LAG_MS = DAY_MS;

/** What the decision needs besides the images. */
export interface PlanOptions {
  readonly unpulledDays: number;
  readonly protect: readonly ProtectMatcher[];
  readonly pins: PinnedImages;
  readonly now: Date;
  /** Digests that changed since they were listed: every group reaching one is kept. @default none */
  readonly changed?: ReadonlySet<string>;
}

function latest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

function days(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** Why a group is kept whatever its age, or undefined. */
function keptBecause(
  repository: string,
  root: ImageRecord,
  members: readonly string[],
  options: PlanOptions,
  protect: readonly ProtectMatcher[],
): string | undefined {
  if (options.changed !== undefined && members.some((m) => options.changed!.has(m)))
    return 'changed since it was listed (tagged, re-tagged or pulled in between)';
  const tags = root.imageTags ?? [];
  const pattern = protectedBy(protect, repository, tags);
  if (pattern !== undefined) return `protected by "${pattern}"`;
  for (const tag of tags) {
    const key = `${repository}:${tag}`;
    if (options.pins.tags.has(key)) return `pinned by ${options.pins.sources.get(key) ?? 'a pinned image'} (${key})`;
  }
  for (const digest of members) {
    const key = `${repository}@${digest}`;
    if (options.pins.digests.has(key)) return `pinned by ${options.pins.sources.get(key) ?? 'a pinned image'} (${key})`;
  }
  return undefined;
}

/**
 * Decides every group of a repository.
 * @example
 * const plan = planRepository(repo, { unpulledDays: 90, protect: compileProtect(['*:latest']), pins: NO_PINS, now: new Date() });
 * plan.rounds.flat() // the digests to delete, referrers and indexes first
 */
export function planRepository(repo: RepositoryImages, options: PlanOptions): RepositoryPlan {
  const graph = buildGraph(repo);
  const limitMs = options.unpulledDays * DAY_MS + PULL_RECORD_LAG_MS;
  const decided: {
    root: string;
    members: readonly string[];
    evict: boolean;
    reason: string;
    lastPull: Date | undefined;
    lastUse: Date;
    bytes: number;
  }[] = [];
  for (const [root, members] of graph.groups) {
    const rootImage = graph.images.get(root)!;
    let lastPull: Date | undefined;
    let lastPush: Date | undefined;
    let bytes = 0;
    for (const m of members) {
      const image = graph.images.get(m)!;
      lastPull = latest(lastPull, image.lastRecordedPullTime);
      lastPush = latest(lastPush, image.imagePushedAt);
      bytes += memberBytes(image);
    }
    // Never pulled: counted from the push. An image pushed after its last pull (the cache's refresh) counts from the push.
    const lastUse = latest(lastPull, lastPush) ?? new Date(0);
    const age = options.now.getTime() - lastUse.getTime();
    const kept = keptBecause(repo.repositoryName, rootImage, members, options, options.protect);
    const ago = days(age) === 1 ? '1 day ago' : `${days(age)} days ago`;
    const clock = lastPull === undefined || (lastPush !== undefined && lastPush > lastPull) ? `pushed ${ago}` : `pulled ${ago}`;
    const what = lastPull === undefined ? `never pulled, ${clock}` : clock;
    const evict = kept === undefined && age > limitMs;
    const reason = kept ?? `${what} (limit ${options.unpulledDays} days)`;
    decided.push({ root, members, evict, reason, lastPull, lastUse, bytes });
  }

  // A digest goes only when every group reaching it is evicted.
  const keptDigests = new Set<string>();
  for (const d of decided) if (!d.evict) for (const m of d.members) keptDigests.add(m);
  const counted = new Set<string>();
  const groups: GroupDecision[] = decided.map((d) => {
    const rootImage = graph.images.get(d.root)!;
    const deletes = d.evict ? d.members.filter((m) => !keptDigests.has(m)) : [];
    let freedBytes = 0;
    for (const m of deletes) {
      if (counted.has(m)) continue;
      counted.add(m);
      freedBytes += memberBytes(graph.images.get(m)!);
    }
    const shared = d.evict ? d.members.length - deletes.length : 0;
    return {
      repository: repo.repositoryName,
      tags: [...(rootImage.imageTags ?? [])],
      digests: [...d.members],
      lastPull: d.lastPull,
      lastUse: d.lastUse,
      bytes: d.bytes,
      action: d.evict ? 'evict' : 'keep',
      reason: shared > 0 ? `${d.reason}; ${shared} member(s) stay, shared with a kept group` : d.reason,
      deletes,
      freedBytes,
    };
  });

  const storedBytes = [...graph.images.values()].reduce((n, image) => n + memberBytes(image), 0);
  return {
    repositoryName: repo.repositoryName,
    groups,
    ...deletionRounds(counted, graph.refersTo),
    storedBytes,
    images: graph.images.size,
  };
}

/**
 * Orders deletions: a digest comes in a round after every doomed digest that refers to it
 * (Kahn's algorithm over `refersTo`). A loop (possible only between indexes of unknown children)
 * and what hangs below it are `unordered`.
 */
function deletionRounds(
  doomed: ReadonlySet<string>,
  refersTo: ReadonlyMap<string, readonly string[]>,
): { rounds: string[][]; unordered: string[] } {
  const incoming = new Map<string, number>();
  for (const d of doomed) incoming.set(d, 0);
  for (const d of doomed) for (const t of refersTo.get(d) ?? []) if (doomed.has(t)) incoming.set(t, incoming.get(t)! + 1);
  const rounds: string[][] = [];
  let current = [...doomed].filter((d) => incoming.get(d) === 0);
  const placed = new Set<string>();
  while (current.length > 0) {
    rounds.push(current);
    for (const d of current) placed.add(d);
    const next: string[] = [];
    for (const d of current) {
      for (const t of refersTo.get(d) ?? []) {
        if (!doomed.has(t)) continue;
        const left = incoming.get(t)! - 1;
        incoming.set(t, left);
        if (left === 0) next.push(t);
      }
    }
    current = next;
  }
  return { rounds, unordered: [...doomed].filter((d) => !placed.has(d)) };
}
