/**
 * The sweep: every repository under the managed prefixes (the rules' and the copies'), page by page, a bounded number at a
 * time. It repairs drift and configures repositories that existed before ptc-autopilot. A
 * repository that fails with a transient error (throttling beyond the SDK's retries, a 5xx) is
 * tried again after the rest of its page, so a busy registry loses none.
 */
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { managedPrefixFor } from '../../core/policy/managed-prefixes';
import type { RepositoryListing } from './ecr-io';
import { errorName, isTransientError, SettingsRefusedError } from './errors';
import { reconcileRepository, type ReconcileDeps, type ReconcileOutcome } from './reconcile';

/** Options of a sweep. */
export interface SweepOptions {
  /** Repositories reconciled at once. */
  readonly concurrency: number;
  /** Continue a previous sweep from this DescribeRepositories token. @default the first page */
  readonly startToken?: string;
  /** Asked before each new page; `true` stops the sweep, which then reports where to continue. @default never stop */
  readonly shouldStop?: () => boolean;
  /** Extra rounds for repositories (and pages) that failed with a transient error. @default 3 */
  readonly retryRounds?: number;
  /** Pause before the first extra round, doubled each round. @default 1000 */
  readonly retryDelayMs?: number;
  /** DescribeRepositories page size (ECR allows up to 1000). @default 1000 */
  readonly pageSize?: number;
  /** Repositories to reconcile before the listing: those a previous invocation of this sweep could not. @default none */
  readonly retryFirst?: readonly string[];
  /** Called with every repository's outcome (the CLI prints them). */
  readonly onOutcome?: (outcome: ReconcileOutcome) => void;
  /** Waits; replaced in tests. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One repository the sweep could not reconcile. */
export interface SweepFailure {
  readonly repositoryName: string;
  /** The error's name, such as `AccessDeniedException`. */
  readonly error: string;
  readonly message: string;
}

/** What a sweep did. */
export interface SweepReport {
  /** Repositories listed, managed or not. */
  listed: number;
  /** Repositories under a managed prefix. */
  managed: number;
  configured: number;
  compliant: number;
  planned: number;
  ignored: number;
  notFound: number;
  /** Writes applied (or planned, in a dry run). */
  writes: number;
  /** How many repositories failed. */
  failedCount: number;
  /** The first 100 failures. */
  failures: SweepFailure[];
  /** Set when the sweep stopped early: continue from here. */
  nextToken?: string;
}

const MAX_FAILURES_KEPT = 100;
const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` on every item with at most `concurrency` running at once. */
export async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/** Retries a transient failure of `call` up to `rounds` times with doubling pauses. */
async function withTransientRetry<T>(
  call: () => Promise<T>,
  rounds: number,
  delayMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return await call();
    } catch (err) {
      if (round >= rounds || !isTransientError(err)) throw err;
      await sleep(delayMs * 2 ** round);
    }
  }
}

/**
 * Sweeps every repository under the managed prefixes.
 * @example
 * const report = await sweep(deps, { concurrency: 8 });
 * report.failedCount // 0 when every repository was reconciled
 */
export async function sweep(deps: ReconcileDeps, options: SweepOptions): Promise<SweepReport> {
  const { config, log, metrics } = deps;
  const rounds = options.retryRounds ?? 3;
  const delay = options.retryDelayMs ?? 1000;
  const sleep = options.sleep ?? timer;
  const report: SweepReport = {
    listed: 0,
    managed: 0,
    configured: 0,
    compliant: 0,
    planned: 0,
    ignored: 0,
    notFound: 0,
    writes: 0,
    failedCount: 0,
    failures: [],
  };

  const tally = (o: ReconcileOutcome) => {
    // A refused setting is a failure of its repository (the other settings were applied), so the sweep ends in the DLQ alarm.
    if (o.refused.length > 0 && !deps.dryRun) fail(o.repositoryName, new SettingsRefusedError(o.repositoryName, o.refused));
    if (o.status === 'configured') report.configured++;
    else if (o.status === 'compliant') report.compliant++;
    else if (o.status === 'planned') report.planned++;
    else if (o.status === 'ignored') report.ignored++;
    else if (o.status === 'not-found') report.notFound++;
    report.writes += o.writes.length;
    options.onOutcome?.(o);
  };
  const fail = (repositoryName: string, err: unknown) => {
    report.failedCount++;
    metrics.count('Failures');
    const failure = { repositoryName, error: errorName(err), message: err instanceof Error ? err.message : String(err) };
    if (report.failures.length < MAX_FAILURES_KEPT) report.failures.push(failure);
    log.error('repository not reconciled', {
      repositoryName,
      prefix: managedPrefixFor(config, repositoryName)?.prefix,
      error: failure.error,
      reason: failure.message,
    });
  };

  const reconcileAll = async (batch: readonly { name: string; listing?: RepositoryListing }[]) => {
    let pending = batch;
    for (let round = 0; pending.length > 0; round++) {
      const again: { name: string; listing?: RepositoryListing }[] = [];
      await runPool(pending, options.concurrency, async (item) => {
        try {
          tally(await reconcileRepository(deps, item.name, item.listing));
        } catch (err) {
          if (round < rounds && isTransientError(err)) again.push(item);
          else fail(item.name, err);
        }
      });
      if (again.length > 0) {
        log.warn('retrying repositories after transient errors', { count: again.length, round: round + 1 });
        await sleep(delay * 2 ** round);
      }
      pending = again;
    }
  };

  const carried = (options.retryFirst ?? []).filter((name) => managedPrefixFor(config, name) !== undefined);
  report.managed += carried.length;
  await reconcileAll(carried.map((name) => ({ name })));

  let token = options.startToken;
  let pages = 0;
  do {
    if (pages > 0 && options.shouldStop?.()) {
      report.nextToken = token;
      break;
    }
    const page = await withTransientRetry(
      () => deps.ecr.send(new DescribeRepositoriesCommand({ maxResults: options.pageSize ?? 1000, nextToken: token })),
      rounds,
      delay,
      sleep,
    );
    token = page.nextToken;
    pages++;
    const repositories = page.repositories ?? [];
    report.listed += repositories.length;
    const managed = repositories.filter(
      (r): r is RepositoryListing & { repositoryName: string; repositoryArn: string } =>
        r.repositoryName !== undefined && r.repositoryArn !== undefined && managedPrefixFor(config, r.repositoryName) !== undefined,
    );
    report.managed += managed.length;
    await reconcileAll(managed.map((listing) => ({ name: listing.repositoryName, listing })));
  } while (token !== undefined);
  return report;
}
