/**
 * Custom events on the default bus: "Cache Repository Configured" after a repository changed, so
 * other automation can react, and the sweep's own continuation.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventNotPublishedError } from './errors';
import { CONFIGURED_DETAIL_TYPE, EVENT_SOURCE, SWEEP_CONTINUED_DETAIL_TYPE } from './events';
import type { ChangeSummary } from './plan';

/** The detail of a "Cache Repository Configured" event. */
export interface ConfiguredDetail {
  /** The repository name, as the contract spells the key. */
  readonly repository: string;
  /** The same name under ECR's own key, for rules written against ECR events. */
  readonly repositoryName: string;
  readonly prefix: string;
  readonly changes: readonly ChangeSummary[];
}

/** Puts one entry on the default bus; a refused entry throws EventNotPublishedError. */
export async function put(events: EventBridgeClient, entry: PutEventsRequestEntry): Promise<void> {
  const out = await events.send(new PutEventsCommand({ Entries: [entry] }));
  if ((out.FailedEntryCount ?? 0) > 0) {
    const failed = out.Entries?.find((e) => e.ErrorCode !== undefined);
    throw new EventNotPublishedError(
      entry.DetailType ?? '',
      `${failed?.ErrorCode ?? 'unknown error'}: ${failed?.ErrorMessage ?? ''}`.trim(),
    );
  }
}

/**
 * Puts `Cache Repository Configured` (source `ptc-autopilot`) with the repository, its prefix and
 * what changed; the repository ARN is the event's resource.
 */
export async function publishConfigured(events: EventBridgeClient, repositoryArn: string, detail: ConfiguredDetail): Promise<void> {
  await put(events, {
    Source: EVENT_SOURCE,
    DetailType: CONFIGURED_DETAIL_TYPE,
    Resources: [repositoryArn],
    Detail: JSON.stringify(detail),
  });
}

/**
 * Puts the event that makes the reconciler sweep on from `nextToken` in a fresh invocation,
 * trying the repositories in `retry` (which failed in this one) first.
 */
export async function publishSweepContinuation(events: EventBridgeClient, nextToken: string, retry: readonly string[] = []): Promise<void> {
  const detail = retry.length > 0 ? { nextToken, retry } : { nextToken };
  await put(events, { Source: EVENT_SOURCE, DetailType: SWEEP_CONTINUED_DETAIL_TYPE, Detail: JSON.stringify(detail) });
}
