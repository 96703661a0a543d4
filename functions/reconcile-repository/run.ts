/**
 * One invocation of the reconciler, whatever woke it: classify the event, then reconcile one
 * repository, sweep, or drop the event with a reason.
 */
import { errorName, SettingsRefusedError, SweepIncompleteError } from '../../engines/reconcile/errors';
import { parseTrigger } from '../../engines/reconcile/events';
import { publishSweepContinuation } from '../../engines/reconcile/publish';
import { reconcileRepository, type ReconcileDeps, type ReconcileStatus } from '../../engines/reconcile/reconcile';
import { sweep, type SweepReport } from '../../engines/reconcile/sweep';

/** Invocation-wide settings besides the reconcile dependencies. */
export interface InvocationDeps extends ReconcileDeps {
  /** Repositories a sweep reconciles at once. */
  readonly concurrency: number;
  /** Milliseconds left before Lambda stops the invocation. @default unlimited */
  readonly remainingTimeMs?: () => number;
  /** Sweep page size. @default 250 */
  readonly pageSize?: number;
  /** Pause before a sweep's retry rounds. @default 1000 */
  readonly retryDelayMs?: number;
}

/** A sweep stops taking new pages when less than this is left, and continues in a new invocation. */
export const SWEEP_STOP_MARGIN_MS = 4 * 60 * 1000;

/** What an invocation did (the Lambda's return value, visible on direct invocations). */
export type InvocationResult =
  | { readonly status: 'dropped'; readonly reason: string }
  | { readonly status: ReconcileStatus; readonly repositoryName: string; readonly writes: number }
  | { readonly status: 'swept'; readonly report: SweepReport; readonly continued: boolean };

/**
 * Handles one event. Bad or irrelevant input is dropped (logged, counted in EventsDropped);
 * transient failures of a single-repository reconcile are thrown so Lambda retries and the DLQ
 * catches what still fails.
 */
export async function handleEvent(event: unknown, deps: InvocationDeps): Promise<InvocationResult> {
  const { log, metrics } = deps;
  const trigger = parseTrigger(event, deps.config);

  if (trigger.kind === 'drop') {
    metrics.count('EventsDropped');
    log.warn('event dropped', {
      reason: trigger.reason,
      ...(trigger.repositoryName === undefined ? {} : { repositoryName: trigger.repositoryName }),
    });
    return { status: 'dropped', reason: trigger.reason };
  }

  if (trigger.kind === 'repository') {
    const { repositoryName, prefix } = trigger;
    try {
      const outcome = await reconcileRepository(deps, repositoryName);
      if (outcome.refused.length > 0) throw new SettingsRefusedError(repositoryName, outcome.refused);
      return { status: outcome.status, repositoryName, writes: outcome.writes.length };
    } catch (err) {
      metrics.count('Failures');
      log.error('repository not reconciled; Lambda will retry the event', {
        repositoryName,
        prefix,
        trigger: trigger.source,
        error: errorName(err),
        reason: (err as Error).message,
      });
      throw err;
    }
  }

  log.info('sweep started', { trigger: trigger.source, continuation: trigger.nextToken !== undefined });
  const remaining = deps.remainingTimeMs;
  const report = await sweep(deps, {
    concurrency: deps.concurrency,
    startToken: trigger.nextToken,
    retryFirst: trigger.retry,
    pageSize: deps.pageSize ?? 250,
    retryDelayMs: deps.retryDelayMs,
    shouldStop: remaining === undefined ? undefined : () => remaining() < SWEEP_STOP_MARGIN_MS,
  });
  const { failures, ...counts } = report;
  log.info('sweep finished', { ...counts, failures: failures.slice(0, 10) });
  const failedNames = report.failures.map((f) => f.repositoryName);
  if (report.nextToken !== undefined) {
    // Failures travel with the continuation, so that only the last invocation of a sweep throws
    // (a retried middle invocation would start a second chain).
    await publishSweepContinuation(deps.events, report.nextToken, failedNames);
    log.info('sweep continues in a new invocation', { carriedFailures: failedNames.length });
    return { status: 'swept', report, continued: true };
  }
  if (report.failedCount > 0) throw new SweepIncompleteError(report.failedCount, failedNames);
  return { status: 'swept', report, continued: false };
}
