/**
 * The eviction pass: every repository under a managed prefix whose eviction is on, except those
 * tagged `ptc-autopilot:ignore=true`; its images listed, grouped and decided (core/eviction), and
 * in delete mode what the decision frees deleted after a second listing shows it unchanged.
 * Repositories outside the managed prefixes are never described. Memory stays flat in the number
 * of repositories: each is reported through `onRepository` and only totals are kept.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { PtcConfig } from '../../core/config/schema';
import {
  compileProtect,
  effectiveEviction,
  evictionEnabled,
  isIndex,
  memberBytes,
  planRepository,
  type GroupDecision,
  type ImageRecord,
  type PinnedImages,
  type PrefixTotals,
  type RepositoryPlan,
} from '../../core/eviction';
import { errorName } from '../../core/aws-errors';
import { optedOut } from '../../core/policy/desired-state';
import { ruleForRepository } from '../../core/policy/settings';
import { deleteDigests, type DeletionFailure } from './delete';
import { describeAll, readChildren, repositories, repositoryTags } from './ecr-reads';
import type { RetryOptions } from './retry';
import type { EvictionCursor } from '../../core/lambda-contracts/evict-images/continuation';

/** What a pass needs. */
export interface EvictOptions {
  readonly ecr: ECRClient;
  readonly config: Pick<PtcConfig, 'rules' | 'repositories'>;
  /** Prewarm and copies images, never evicted (core/eviction/pins.ts). */
  readonly pins: PinnedImages;
  /** @default the time the pass starts */
  readonly now?: Date;
  /** The registry (account) to walk. @default the caller's */
  readonly registryId?: string;
  /** Read index manifests with BatchGetImage (only for a role registered as a pull-time update exclusion). */
  readonly readManifests: boolean;
  /** Report, whatever the mode. @default false */
  readonly dryRun?: boolean;
  /** Repositories handled at once. @default 4 */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  /** Called with each repository's result, in completion order. */
  readonly onRepository?: (result: RepositoryResult) => void;
  /** Asked before each repository is started; `true` ends the pass early, with `cursor` saying where to go on. @default never */
  readonly shouldStop?: () => boolean;
  /** Continue a pass stopped early: from its cursor, adding to its totals and failure count. @default a pass from the start */
  readonly resume?: { readonly cursor: EvictionCursor; readonly totals: readonly PrefixTotals[]; readonly failedCount: number };
}

/** One repository's result. */
export interface RepositoryResult {
  readonly prefix: string;
  /** The mode applied: `report` in a dry run. */
  readonly mode: 'report' | 'delete';
  readonly plan: RepositoryPlan;
  /** Digests deleted (delete mode). */
  readonly deleted: readonly string[];
  readonly failures: readonly DeletionFailure[];
}

/** What a pass did. */
export interface EvictReport {
  readonly prefixes: PrefixTotals[];
  /** The first 100 failures. */
  readonly failures: DeletionFailure[];
  failedCount: number;
  /** Set when the pass stopped early (`shouldStop`): where the next part continues. */
  cursor?: EvictionCursor;
}

const MAX_FAILURES_KEPT = 100;

/**
 * Runs `work` over `items`, `concurrency` at a time; once `stop()` says so no item is started any
 * more. Returns the index of the first item not started (`items.length` when all ran).
 */
async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  let stoppedAt: number | undefined;
  const worker = async () => {
    while (next < items.length && stoppedAt === undefined) {
      if (stop()) stoppedAt = next;
      else await work(items[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return stoppedAt ?? items.length;
}

const same = (a: ImageRecord, b: ImageRecord): boolean =>
  [...(a.imageTags ?? [])].sort().join(',') === [...(b.imageTags ?? [])].sort().join(',') &&
  a.lastRecordedPullTime?.getTime() === b.lastRecordedPullTime?.getTime() &&
  a.imagePushedAt?.getTime() === b.imagePushedAt?.getTime();

/** A group the second listing still evicts, but the first did not: kept this time. */
function onlyFirstListing(group: GroupDecision, doomed: ReadonlySet<string>): GroupDecision {
  if (group.action === 'keep' || group.deletes.some((d) => doomed.has(d)))
    return { ...group, deletes: group.deletes.filter((d) => doomed.has(d)) };
  return { ...group, action: 'keep', reason: 'became evictable during this pass; the next pass decides', deletes: [], freedBytes: 0 };
}

/**
 * Runs one pass.
 * @example
 * const report = await evict({ ecr, config, pins, readManifests: true });
 * report.failedCount // 0 when every deletion went through
 */
export async function evict(options: EvictOptions): Promise<EvictReport> {
  const { ecr, config, registryId } = options;
  const retry = options.retry ?? {};
  const now = options.now ?? new Date();
  const totals = new Map<string, PrefixTotals>((options.resume?.totals ?? []).map((t) => [t.prefix, { ...t }]));
  const report: EvictReport = { prefixes: [], failures: [], failedCount: options.resume?.failedCount ?? 0 };
  // A continued pass skips, in the page it resumes, the repositories before the cursor's (all of the page when it is gone).
  let skipUntil = options.resume?.cursor.nextRepository;
  const protectByPrefix = new Map<string, ReturnType<typeof compileProtect>>();

  const handle = async (repositoryName: string, repositoryArn: string | undefined, prefix: string) => {
    const settings = effectiveEviction(config, prefix)!;
    const mode = options.dryRun ? 'report' : settings.mode;
    const t = totals.get(prefix)!;
    if (repositoryArn !== undefined && optedOut(await repositoryTags(ecr, repositoryArn, retry))) {
      t.ignored++;
      return;
    }
    let protect = protectByPrefix.get(prefix);
    if (protect === undefined) protectByPrefix.set(prefix, (protect = compileProtect(settings.protect)));
    const decide = { unpulledDays: settings.unpulledDays, protect, pins: options.pins, now };
    const images = await describeAll(ecr, registryId, repositoryName, retry);
    const children = options.readManifests
      ? await readChildren(ecr, registryId, repositoryName, images, retry)
      : new Map<string, string[]>();
    let plan = planRepository({ repositoryName, images, children }, decide);
    let deleted: string[] = [];
    let failures: DeletionFailure[] = [];
    const doomed = new Set([...plan.rounds.flat(), ...plan.unordered]);
    if (mode === 'delete' && doomed.size > 0) {
      // List again: an image changed since (re-tagged, pulled) keeps its group; an image new since (an index listing a doomed child) is decided too.
      const again = await describeAll(ecr, registryId, repositoryName, retry);
      const before = new Map(images.map((i) => [i.imageDigest, i]));
      const changed = new Set(
        again.filter((i) => doomed.has(i.imageDigest) && !same(before.get(i.imageDigest)!, i)).map((i) => i.imageDigest),
      );
      const fresh = again.filter((i) => !before.has(i.imageDigest));
      const moreChildren =
        options.readManifests && fresh.some(isIndex)
          ? await readChildren(ecr, registryId, repositoryName, fresh, retry)
          : new Map<string, string[]>();
      const second = planRepository(
        { repositoryName, images: again, children: new Map([...children, ...moreChildren]) },
        { ...decide, changed },
      );
      plan = { ...second, groups: second.groups.map((g) => onlyFirstListing(g, doomed)) };
      const rounds = second.rounds.map((r) => r.filter((d) => doomed.has(d))).filter((r) => r.length > 0);
      const outcome = await deleteDigests(
        ecr,
        registryId,
        repositoryName,
        rounds,
        second.unordered.filter((d) => doomed.has(d)),
        retry,
      );
      deleted = [...outcome.deleted];
      failures = outcome.failures;
      const records = new Map(again.map((i) => [i.imageDigest, i]));
      t.evictedImages += deleted.length;
      t.evictedBytes += deleted.reduce((n, d) => n + (records.has(d) ? memberBytes(records.get(d)!) : 0), 0);
      t.failedImages += failures.length;
      report.failedCount += failures.length;
      for (const f of failures) if (report.failures.length < MAX_FAILURES_KEPT) report.failures.push(f);
    }
    t.repositories++;
    t.images += plan.images;
    t.storedBytes += plan.storedBytes;
    for (const g of plan.groups) {
      if (g.action !== 'evict') continue;
      t.evictableGroups++;
      t.evictableImages += g.deletes.length;
      t.evictableBytes += g.freedBytes;
    }
    options.onRepository?.({ prefix, mode, plan, deleted, failures });
  };

  // Eviction off everywhere: nothing to list.
  if (!evictionEnabled(config)) return report;
  for await (const { repositories: listed, token } of repositories(ecr, registryId, retry, options.resume?.cursor.pageToken)) {
    let page = listed;
    if (skipUntil !== undefined) {
      const at = page.findIndex((r) => r.repositoryName === skipUntil);
      if (at > 0) page = page.slice(at);
      skipUntil = undefined;
    }
    const work: { name: string; arn: string | undefined; prefix: string }[] = [];
    for (const repo of page) {
      const name = repo.repositoryName;
      if (name === undefined) continue;
      const prefix = ruleForRepository(config, name)?.prefix;
      if (prefix === undefined) continue;
      const settings = effectiveEviction(config, prefix);
      if (settings === undefined) continue;
      if (!totals.has(prefix)) {
        totals.set(prefix, {
          prefix,
          mode: options.dryRun ? 'report' : settings.mode,
          repositories: 0,
          ignored: 0,
          images: 0,
          storedBytes: 0,
          evictableGroups: 0,
          evictableImages: 0,
          evictableBytes: 0,
          evictedImages: 0,
          evictedBytes: 0,
          failedImages: 0,
        });
      }
      work.push({ name, arn: repo.repositoryArn, prefix });
    }
    const started = await runPool(
      work,
      options.concurrency ?? 4,
      async (w) => {
        try {
          await handle(w.name, w.arn, w.prefix);
        } catch (err) {
          // Deleted since the listing: nothing to evict. Anything else fails this repository only; the pass goes on.
          if (err instanceof Error && err.name === 'RepositoryNotFoundException') return;
          report.failedCount++;
          const failure = {
            repository: w.name,
            digest: '',
            code: errorName(err),
            reason: err instanceof Error ? err.message : String(err),
          };
          if (report.failures.length < MAX_FAILURES_KEPT) report.failures.push(failure);
          totals.get(w.prefix)!.failedImages++;
          options.onRepository?.({
            prefix: w.prefix,
            mode: options.dryRun ? 'report' : effectiveEviction(config, w.prefix)!.mode,
            plan: { repositoryName: w.name, groups: [], rounds: [], unordered: [], storedBytes: 0, images: 0 },
            deleted: [],
            failures: [failure],
          });
        }
      },
      options.shouldStop,
    );
    if (started < work.length) {
      report.cursor = { ...(token !== undefined ? { pageToken: token } : {}), nextRepository: work[started]!.name };
      break;
    }
  }
  report.prefixes.push(...[...totals.values()].sort((a, b) => a.prefix.localeCompare(b.prefix)));
  return report;
}
