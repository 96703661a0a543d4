/**
 * What a copy-images schedule sends: one EventBridge rule per distinct `copies[N].schedule`, whose
 * event names the prefixes of the entries on that schedule (`{"prefixes": ["gcr", "nvidia"]}`).
 * The construct builds the rules from `copySchedules`; the Lambda reads the event back with
 * `entriesOfEvent`. `{}` (an invocation by hand) means every entry.
 */
import type { CopyConfig } from '../../config/copies-schema';
import { PtcError } from '../../errors';
import { quote, truncate } from '../../quote';

/** An invocation payload that is neither `{}` nor `{"prefixes": [...]}` of known prefixes. */
export class CopyRequestError extends PtcError {}

/** One schedule and the prefixes of its entries, in config order. */
export interface CopySchedule {
  readonly schedule: string;
  readonly prefixes: readonly string[];
}

/**
 * The distinct schedules of the entries, each with its entries' prefixes, in order of first appearance.
 * @example
 * copySchedules([{ prefix: 'gcr', schedule: 'rate(1 day)', ... }, { prefix: 'nv', schedule: 'rate(1 day)', ... }])
 * // [{ schedule: 'rate(1 day)', prefixes: ['gcr', 'nv'] }]
 */
export function copySchedules(copies: readonly Pick<CopyConfig, 'prefix' | 'schedule'>[]): CopySchedule[] {
  const bySchedule = new Map<string, string[]>();
  for (const entry of copies) bySchedule.set(entry.schedule, [...(bySchedule.get(entry.schedule) ?? []), entry.prefix]);
  return [...bySchedule].map(([schedule, prefixes]) => ({ schedule, prefixes }));
}

/**
 * The entries an invocation asks for: those its `prefixes` name, or every entry for `{}`.
 * @throws CopyRequestError for any other payload, or a prefix no entry has
 */
export function entriesOfEvent<E extends Pick<CopyConfig, 'prefix'>>(event: unknown, copies: readonly E[]): E[] {
  if (event === null || typeof event !== 'object' || Array.isArray(event))
    throw new CopyRequestError('the payload must be {} or {"prefixes": ["<copies prefix>", ...]}');
  const prefixes = (event as { prefixes?: unknown }).prefixes;
  if (prefixes === undefined) return [...copies];
  if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.some((p) => typeof p !== 'string'))
    throw new CopyRequestError('"prefixes" must be a non-empty list of copies prefixes, such as {"prefixes": ["gcr"]}');
  const unknown = (prefixes as string[]).filter((p) => !copies.some((c) => c.prefix === p));
  if (unknown.length > 0)
    throw new CopyRequestError(
      `no copies entry has prefix ${truncate(unknown.map((p) => quote(p)).join(', '), 200)}; redeploy, or name a configured prefix`,
    );
  return copies.filter((c) => (prefixes as string[]).includes(c.prefix));
}
