/**
 * A pass over many repositories can outlast Lambda's 15 minutes. As the reconciler's sweep does
 * ("Cache Repository Sweep Continued"), the eviction Lambda then stops taking repositories before
 * its time runs out and puts an event (source `ptc-autopilot`) that starts the next part where it
 * stopped: the cursor, the pass's clock and the totals so far, so that the last part publishes the
 * metrics of the whole pass. A pass has at most `MAX_EVICTION_PARTS` parts and a continuation older
 * than a day is dropped. Constants and the event's check only: no SDK, so the construct imports it.
 */
import type { PrefixTotals } from '../../eviction/types';

/** The detail-type of the event that continues an eviction pass in a new invocation. */
export const EVICTION_CONTINUED_DETAIL_TYPE = 'Cache Eviction Pass Continued';

/** The most invocations one pass takes (12 x 15 minutes: 3 hours, well inside a daily schedule). */
export const MAX_EVICTION_PARTS = 12;

/** A continuation whose pass started longer ago than this is dropped: the next scheduled pass covers it. */
export const MAX_PASS_AGE_MS = 24 * 60 * 60 * 1000;

/** Where a pass stopped: the DescribeRepositories page it was in, and the first repository of it not handled. */
export interface EvictionCursor {
  /** The `nextToken` that lists the page (absent: the first page). */
  readonly pageToken?: string;
  /** The first repository of that page not handled (absent: the whole page). */
  readonly nextRepository?: string;
}

/** The event's detail. */
export interface EvictionContinuation {
  /** When part 1 started (ISO): every part decides with this clock. */
  readonly passStartedAt: string;
  /** The number of the part this event starts (2 for the first continuation). */
  readonly part: number;
  readonly cursor: EvictionCursor;
  /** The per-prefix totals of the parts so far. */
  readonly totals: readonly PrefixTotals[];
  /** Deletions that failed in the parts so far (each was logged there). */
  readonly failedCount: number;
}

/** What woke the eviction Lambda. */
export type EvictionTrigger =
  | { readonly kind: 'start' }
  | { readonly kind: 'continue'; readonly continuation: EvictionContinuation }
  | { readonly kind: 'drop'; readonly reason: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const COUNTS = [
  'repositories',
  'ignored',
  'images',
  'storedBytes',
  'evictableGroups',
  'evictableImages',
  'evictableBytes',
  'evictedImages',
  'evictedBytes',
  'failedImages',
] as const;

function readTotals(v: unknown): PrefixTotals[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: PrefixTotals[] = [];
  for (const t of v) {
    if (!isObject(t) || typeof t.prefix !== 'string' || (t.mode !== 'report' && t.mode !== 'delete')) return undefined;
    if (!COUNTS.every((k) => isCount(t[k]))) return undefined;
    const counts = Object.fromEntries(COUNTS.map((k) => [k, t[k] as number])) as Record<(typeof COUNTS)[number], number>;
    out.push({ prefix: t.prefix, mode: t.mode, ...counts });
  }
  return out;
}

/**
 * Classifies an invocation's event: the continuation event starts the next part; a malformed one, a
 * part beyond `MAX_EVICTION_PARTS` or one of a pass older than a day is dropped with a reason; any
 * other event (the schedule, a direct invocation) starts a pass.
 * @example
 * parseEvictionTrigger({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, new Date()) // { kind: 'start' }
 */
export function parseEvictionTrigger(event: unknown, now: Date, eventSource: string): EvictionTrigger {
  if (!isObject(event) || event['detail-type'] !== EVICTION_CONTINUED_DETAIL_TYPE || event.source !== eventSource) return { kind: 'start' };
  const d = event.detail;
  const drop = (reason: string): EvictionTrigger => ({ kind: 'drop', reason: `eviction continuation ${reason}` });
  if (!isObject(d)) return drop('without a detail object');
  const startedAt = typeof d.passStartedAt === 'string' ? d.passStartedAt : '';
  const started = Date.parse(startedAt);
  if (Number.isNaN(started)) return drop('without an ISO detail.passStartedAt');
  if (!isCount(d.part) || d.part < 2) return drop('detail.part is not a part number above 1');
  if (d.part > MAX_EVICTION_PARTS) return drop(`part ${d.part} is beyond the ${MAX_EVICTION_PARTS} a pass may take`);
  if (now.getTime() - started > MAX_PASS_AGE_MS) return drop(`of a pass started at ${startedAt}, more than a day ago`);
  const c = d.cursor;
  if (!isObject(c) || (c.pageToken !== undefined && typeof c.pageToken !== 'string'))
    return drop('detail.cursor is not { pageToken?, nextRepository? }');
  if (c.nextRepository !== undefined && typeof c.nextRepository !== 'string') return drop('detail.cursor.nextRepository is not a string');
  const totals = readTotals(d.totals);
  if (totals === undefined) return drop('detail.totals is not a list of per-prefix totals');
  if (!isCount(d.failedCount)) return drop('detail.failedCount is not a count');
  const cursor: EvictionCursor = {
    ...(typeof c.pageToken === 'string' ? { pageToken: c.pageToken } : {}),
    ...(typeof c.nextRepository === 'string' ? { nextRepository: c.nextRepository } : {}),
  };
  return {
    kind: 'continue',
    continuation: { passStartedAt: new Date(started).toISOString(), part: d.part, cursor, totals, failedCount: d.failedCount },
  };
}
