/**
 * Puts the event that continues an eviction pass in a new invocation
 * (core/lambda-contracts/evict-images/continuation.ts), on the default bus with the reconciler's
 * source and its `put`, as the reconciler's sweep continuation does.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVICTION_CONTINUED_DETAIL_TYPE, type EvictionContinuation } from '../../core/lambda-contracts/evict-images/continuation';
import { EVENT_SOURCE } from '../reconcile/events';
import { put } from '../reconcile/publish';

/**
 * Puts "Cache Eviction Pass Continued" with `detail`.
 * @throws EventNotPublishedError when EventBridge refuses the entry
 */
export async function publishEvictionContinuation(events: EventBridgeClient, detail: EvictionContinuation): Promise<void> {
  await put(events, { Source: EVENT_SOURCE, DetailType: EVICTION_CONTINUED_DETAIL_TYPE, Detail: JSON.stringify(detail) });
}
