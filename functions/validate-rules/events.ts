/**
 * The events rule validation reads and writes: the schedule (or a direct invocation) asks for a
 * validation; `ECR Pull Through Cache Action` events report sync results; a failed rule puts
 * `Pull Through Cache Rule Validation Failed` on the default bus.
 */

/** The `source` of every event ptc-autopilot puts on the default bus. */
export const EVENT_SOURCE = 'ptc-autopilot';
/** The detail-type of the event put for each rule that failed validation. */
export const VALIDATION_FAILED_DETAIL_TYPE = 'Pull Through Cache Rule Validation Failed';
/** The detail-type of ECR's pull through cache sync events. */
export const SYNC_ACTION_DETAIL_TYPE = 'ECR Pull Through Cache Action';

/** The detail of a `Pull Through Cache Rule Validation Failed` event. */
export interface ValidationFailedDetail {
  prefix: string;
  upstream: string;
  /** The upstream registry URL of the rule, when ECR described it. */
  upstreamRegistryUrl?: string;
  /** Why the rule failed, in words. */
  failure: string;
}

/** What an invocation asks for. */
export type ValidationTrigger =
  | { kind: 'validate'; source: 'schedule' | 'invoke' }
  | { kind: 'sync'; detail: Record<string, unknown> }
  | { kind: 'drop'; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Classifies an invocation: the schedule, a direct invocation, a sync event, or something to drop. */
export function classifyEvent(event: unknown): ValidationTrigger {
  if (!isObject(event)) return { kind: 'validate', source: 'invoke' };
  const detailType = event['detail-type'];
  if (detailType === undefined && event.source === undefined) return { kind: 'validate', source: 'invoke' };
  if (detailType === 'Scheduled Event' && event.source === 'aws.events') return { kind: 'validate', source: 'schedule' };
  if (detailType === SYNC_ACTION_DETAIL_TYPE && event.source === 'aws.ecr') {
    if (!isObject(event.detail)) return { kind: 'drop', reason: `${SYNC_ACTION_DETAIL_TYPE} event without a detail object` };
    return { kind: 'sync', detail: event.detail };
  }
  return { kind: 'drop', reason: `unexpected event ${String(event.source)} / ${String(detailType)}` };
}
