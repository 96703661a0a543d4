/**
 * Merging what ptc-autopilot owns into what a repository already has, without losing anything
 * that someone else put there. Pure functions: the reconciler reads a repository, asks these
 * functions what to write, and writes exactly that.
 *
 * Ownership is explicit:
 * - repository policy statements are ours when their `Sid` is one of `OWNED_SIDS` (exact match;
 *   `PtcAutopilotSomethingElse` is someone else's);
 * - lifecycle policies are ours when every rule's description starts with `ptc-autopilot:`;
 * - tags are ours when their key is listed in the `ptc-autopilot:owned-tags` marker tag (as short
 *   fingerprints, because a tag value holds at most 256 characters) or is `ptc-autopilot:managed`.
 */
import { createHash } from 'node:crypto';
import { PtcError } from '../errors';
import { canonicalJson, type LifecyclePolicy } from './lifecycle';
import { isOwnedStatement, type PolicyStatement } from './repository-policy';
import { MANAGED_TAG_KEY } from './desired-state';

/** The marker tag listing the fingerprints of the tag keys ptc-autopilot set on a repository. */
export const OWNED_TAGS_TAG_KEY = 'ptc-autopilot:owned-tags';

/** Every lifecycle rule ptc-autopilot writes has a description starting with this. */
export const LIFECYCLE_DESCRIPTION_PREFIX = 'ptc-autopilot:';

/** A policy document we cannot read, so we cannot merge into it without risking someone else's statements. */
export class UnreadablePolicyError extends PtcError {
  constructor(
    /** Which policy: `repository policy` or `lifecycle policy`. */
    readonly policy: string,
    /** Why it could not be read. */
    readonly reason: string,
  ) {
    super(`the existing ${policy} cannot be read (${reason}); left untouched`);
  }
}

// ---------------------------------------------------------------- comparison

/**
 * Whether two policy fragments mean the same: key order, white space, array order of strings and
 * `"x"` versus `["x"]` do not matter. Used so that a compliant repository costs no write, whatever
 * form ECR returns a document in.
 */
export function semanticallyEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(normalize(a)) === canonicalJson(normalize(b));
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.every((v) => typeof v === 'string') ? [...new Set(value)].sort() : value.map(normalize);
    return items.length === 1 ? items[0] : items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

function parseDocument(text: string, policy: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UnreadablePolicyError(policy, `not JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UnreadablePolicyError(policy, 'not a JSON object');
  return parsed as Record<string, unknown>;
}

// ---------------------------------------------------------------- repository policy

/** What to do with a repository policy. `policyText` is set for `set`. */
export interface RepositoryPolicyMerge {
  readonly action: 'none' | 'set' | 'delete';
  /** The merged document, for `set`. */
  readonly policyText?: string;
  /** The statements of the merged policy, in order (foreign ones are the very objects read). */
  readonly statements: readonly unknown[];
}

/** The statements of a policy document, whether `Statement` is an array, one object or absent. */
export function policyStatements(text: string | undefined): { document: Record<string, unknown> | undefined; statements: unknown[] } {
  if (text === undefined || text.trim() === '') return { document: undefined, statements: [] };
  const document = parseDocument(text, 'repository policy');
  const raw = document.Statement;
  if (raw === undefined) return { document, statements: [] };
  if (Array.isArray(raw)) return { document, statements: raw };
  if (raw !== null && typeof raw === 'object') return { document, statements: [raw] };
  throw new UnreadablePolicyError('repository policy', '"Statement" is neither an object nor an array');
}

/**
 * Merges our statements into an existing repository policy. Every statement whose Sid is not one of
 * ours stays, unchanged and in place; our statements are replaced in place, added at the end, or
 * dropped when no longer wanted. Applying the result and merging again gives `none`.
 * @example
 * mergeRepositoryPolicy(undefined, pullStatements(settings)).action // 'set'
 * mergeRepositoryPolicy('{"Version":"2012-10-17","Statement":[{"Sid":"Theirs",...}]}', []).action // 'none'
 */
export function mergeRepositoryPolicy(existingText: string | undefined, owned: readonly PolicyStatement[]): RepositoryPolicyMerge {
  const { document, statements } = policyStatements(existingText);
  const wanted = new Map(owned.map((s) => [s.Sid, s] as const));
  const placed = new Set<string | undefined>();
  const merged: unknown[] = [];
  for (const statement of statements) {
    if (statement === null || typeof statement !== 'object' || !isOwnedStatement(statement)) {
      merged.push(statement);
      continue;
    }
    const sid = (statement as { Sid: string }).Sid;
    if (placed.has(sid)) continue; // a duplicate of one of our statements
    const replacement = wanted.get(sid);
    if (replacement !== undefined) {
      merged.push(semanticallyEqual(statement, replacement) ? statement : replacement);
      placed.add(sid);
    }
  }
  for (const statement of owned) if (!placed.has(statement.Sid)) merged.push(statement);

  const unchanged = merged.length === statements.length && merged.every((s, i) => s === statements[i]);
  if (unchanged) return { action: 'none', statements: merged };
  if (merged.length === 0) return { action: 'delete', statements: merged };
  const { Version, Statement: _replaced, ...rest } = document ?? {};
  const policy = { Version: typeof Version === 'string' ? Version : '2012-10-17', ...rest, Statement: merged };
  return { action: 'set', policyText: JSON.stringify(policy), statements: merged };
}

// ---------------------------------------------------------------- lifecycle policy

/** What to do with a lifecycle policy. */
export type LifecyclePlan =
  | { readonly action: 'none' }
  | { readonly action: 'put'; readonly policyText: string }
  /** The policy holds rules someone else wrote; it is kept as it is. */
  | { readonly action: 'keep-foreign'; readonly reason: string };

/**
 * Decides whether to write our lifecycle policy. A missing policy or one made only of our rules is
 * (re)written when it differs; a policy with any rule we did not write is left alone, because a
 * lifecycle policy is one document and its rules interact.
 */
export function planLifecyclePolicy(existingText: string | undefined, desired: LifecyclePolicy): LifecyclePlan {
  const policyText = canonicalJson(desired);
  if (existingText === undefined || existingText.trim() === '') return { action: 'put', policyText };
  const existing = parseDocument(existingText, 'lifecycle policy');
  if (semanticallyEqual(existing, desired)) return { action: 'none' };
  const rules = Array.isArray(existing.rules) ? (existing.rules as unknown[]) : [];
  const foreign = rules.filter((r) => {
    const description = (r as { description?: unknown } | null)?.description;
    return typeof description !== 'string' || !description.startsWith(LIFECYCLE_DESCRIPTION_PREFIX);
  });
  if (rules.length > 0 && foreign.length === 0) return { action: 'put', policyText };
  return {
    action: 'keep-foreign',
    reason: `${foreign.length} of ${rules.length} lifecycle rules were not written by ptc-autopilot`,
  };
}

// ---------------------------------------------------------------- tags

/** A short fingerprint of a tag key (4 characters of base64url SHA-256), as listed in the marker tag. */
export function tagKeyFingerprint(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest().subarray(0, 3).toString('base64url');
}

/**
 * The value of the `ptc-autopilot:owned-tags` marker that claims `keys` as ours (our managed tag and
 * the marker itself are ours by name and never listed). Creation templates carry it, so a
 * repository born from one already marks the tags it got from us.
 * @example
 * ownedTagsMarker(['team', 'ptc-autopilot:managed']) // one 4-character fingerprint: the one of 'team'
 */
export function ownedTagsMarker(keys: Iterable<string>): string {
  const listed = [...keys].filter((k) => k !== MANAGED_TAG_KEY && k !== OWNED_TAGS_TAG_KEY).map(tagKeyFingerprint);
  return [...new Set(listed)].sort().join(' ');
}

/**
 * The tags a repository creation template gives a new repository: the desired tags and, when any of
 * them is ours to list, the marker claiming them, so the reconciler finds the tags already in order.
 */
export function creationTemplateTags(desiredTags: Readonly<Record<string, string>>): Record<string, string> {
  const marker = ownedTagsMarker(Object.keys(desiredTags));
  return marker === '' ? { ...desiredTags } : { ...desiredTags, [OWNED_TAGS_TAG_KEY]: marker };
}

/** The tag changes that bring a repository to its desired tags, touching only tags we own. */
export interface TagDiff {
  /** Tags to add or overwrite (ours only), the marker tag included when it changes. */
  readonly set: Readonly<Record<string, string>>;
  /** Keys to remove: tags we set earlier that the config no longer wants. */
  readonly remove: readonly string[];
  /** Desired keys held by someone else with another value; left as they are. */
  readonly conflicts: readonly string[];
}

/** Whether a diff changes nothing. */
export function isEmptyTagDiff(diff: TagDiff): boolean {
  return Object.keys(diff.set).length === 0 && diff.remove.length === 0;
}

/**
 * Computes the tag changes. A key is ours when the marker tag lists its fingerprint; on a
 * repository that carries `ptc-autopilot:managed=true` but no marker yet (born from our creation
 * template), a tag whose value already equals the desired one is adopted as ours. Tags that are not
 * ours are never removed nor overwritten.
 * @example
 * diffRepositoryTags({ team: 'data' }, { team: 'platform', 'ptc-autopilot:managed': 'true' })
 * // { set: { 'ptc-autopilot:managed': 'true', 'ptc-autopilot:owned-tags': '' }, remove: [], conflicts: ['team'] }
 */
export function diffRepositoryTags(current: Readonly<Record<string, string>>, desired: Readonly<Record<string, string>>): TagDiff {
  const marker = current[OWNED_TAGS_TAG_KEY];
  const markedFingerprints = marker === undefined ? undefined : new Set(marker.split(' ').filter(Boolean));
  const adopting = markedFingerprints === undefined && current[MANAGED_TAG_KEY] === 'true';
  const isMarked = (key: string) => markedFingerprints?.has(tagKeyFingerprint(key)) ?? false;

  const set: Record<string, string> = {};
  const conflicts: string[] = [];
  const owned = new Set<string>();
  for (const [key, value] of Object.entries(desired)) {
    if (key === OWNED_TAGS_TAG_KEY) continue;
    const reserved = key === MANAGED_TAG_KEY;
    const now = current[key];
    if (now === value) {
      if (reserved || isMarked(key) || adopting) owned.add(key);
    } else if (now === undefined || reserved || isMarked(key)) {
      set[key] = value;
      owned.add(key);
    } else {
      conflicts.push(key);
    }
  }
  const remove = Object.keys(current).filter(
    (key) => key !== MANAGED_TAG_KEY && key !== OWNED_TAGS_TAG_KEY && !(key in desired) && isMarked(key),
  );
  const fingerprints = ownedTagsMarker(owned);
  if (marker !== fingerprints) set[OWNED_TAGS_TAG_KEY] = fingerprints;
  return { set, remove: remove.sort(), conflicts: conflicts.sort() };
}

/** The tags a repository has after a diff is applied (what TagResource and UntagResource do). */
export function applyTagDiff(current: Readonly<Record<string, string>>, diff: TagDiff): Record<string, string> {
  const next: Record<string, string> = { ...current, ...diff.set };
  for (const key of diff.remove) delete next[key];
  return next;
}
