/**
 * EventBridge event-pattern matching, written from the EventBridge User Guide ("Creating event
 * patterns" and "Comparison operators for use in event patterns",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html), so the
 * harness can say which rules of a synthesized template a documented event fires.
 *
 * Semantics implemented:
 * - every field of the pattern must match; event fields the pattern does not name are ignored;
 * - a pattern leaf is an array of alternatives; an event array matches when any element matches any alternative;
 * - a nested pattern object needs an event object at that field;
 * - literal strings, numbers, booleans and `null` match exactly (strings are case-sensitive);
 * - `prefix`, `suffix` (each optionally `{ equals-ignore-case }`), `equals-ignore-case`, `wildcard`
 *   (`*` any run of characters, `\*` a literal star), `numeric` (`<`, `<=`, `=`, `>=`, `>` pairs),
 *   `anything-but` (a value, a list, or `prefix`/`suffix`/`wildcard`/`equals-ignore-case`), `cidr`, `exists`;
 * - a field missing from the event matches only `{ exists: false }` (anything-but needs the field);
 * - `$or` at any level: any of its sub-patterns.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Matcher = Record<string, unknown>;

/** A pattern EventBridge would refuse (the harness treats it as a defect). */
export class InvalidPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPatternError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function wildcardRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && pattern[i + 1] === '*') {
      out += '\\*';
      i++;
    } else if (c === '*') out += '.*';
    else out += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

function stringTest(spec: unknown, value: string, how: 'prefix' | 'suffix'): boolean {
  if (typeof spec === 'string') return how === 'prefix' ? value.startsWith(spec) : value.endsWith(spec);
  if (isObject(spec) && typeof spec['equals-ignore-case'] === 'string') {
    const s = spec['equals-ignore-case'].toLowerCase();
    return how === 'prefix' ? value.toLowerCase().startsWith(s) : value.toLowerCase().endsWith(s);
  }
  throw new InvalidPatternError(`${how} takes a string or { equals-ignore-case }, got ${JSON.stringify(spec)}`);
}

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function numericTest(spec: unknown, value: Json): boolean {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0)
    throw new InvalidPatternError(`numeric takes operator/number pairs, got ${JSON.stringify(spec)}`);
  if (typeof value !== 'number') return false;
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const n = spec[i + 1];
    if (typeof n !== 'number') throw new InvalidPatternError(`numeric ${String(op)} needs a number, got ${JSON.stringify(n)}`);
    const ok =
      op === '<'
        ? value < n
        : op === '<='
          ? value <= n
          : op === '='
            ? value === n
            : op === '>='
              ? value >= n
              : op === '>'
                ? value > n
                : undefined;
    if (ok === undefined) throw new InvalidPatternError(`numeric operator ${JSON.stringify(op)} is not one of < <= = >= >`);
    if (!ok) return false;
  }
  return true;
}

/** Whether one present, non-array event value matches one alternative. */
function matchesAlternative(alt: unknown, value: Json): boolean {
  if (alt === null || typeof alt !== 'object') return alt === value;
  if (Array.isArray(alt)) throw new InvalidPatternError(`an alternative cannot be a list: ${JSON.stringify(alt)}`);
  const m = alt as Matcher;
  const keys = Object.keys(m);
  if (keys.length !== 1) throw new InvalidPatternError(`a matcher has exactly one operator, got ${JSON.stringify(alt)}`);
  const [op] = keys as [string];
  const spec = m[op];
  switch (op) {
    case 'prefix':
      return typeof value === 'string' && stringTest(spec, value, 'prefix');
    case 'suffix':
      return typeof value === 'string' && stringTest(spec, value, 'suffix');
    case 'equals-ignore-case':
      if (typeof spec !== 'string') throw new InvalidPatternError('equals-ignore-case takes a string');
      return typeof value === 'string' && value.toLowerCase() === spec.toLowerCase();
    case 'wildcard':
      if (typeof spec !== 'string') throw new InvalidPatternError('wildcard takes a string');
      return typeof value === 'string' && wildcardRegExp(spec).test(value);
    case 'numeric':
      return numericTest(spec, value);
    case 'cidr': {
      if (typeof spec !== 'string' || !/^[\d.]+\/\d{1,2}$/.test(spec))
        throw new InvalidPatternError(`cidr takes an IPv4 block, got ${JSON.stringify(spec)}`);
      const [base, bits] = spec.split('/') as [string, string];
      const b = ipv4(base);
      const v = typeof value === 'string' ? ipv4(value) : undefined;
      if (b === undefined || v === undefined) return false;
      const size = 2 ** (32 - Number(bits));
      return Math.floor(v / size) === Math.floor(b / size);
    }
    case 'anything-but': {
      if (Array.isArray(spec)) return !spec.some((s) => matchesAlternative(s, value));
      if (isObject(spec)) return !matchesAlternative(spec, value);
      return spec !== value;
    }
    case 'exists':
      if (typeof spec !== 'boolean') throw new InvalidPatternError('exists takes true or false');
      return spec; // the field is present here; a missing field is decided by the caller
    default:
      throw new InvalidPatternError(`unknown matcher ${JSON.stringify(op)}`);
  }
}

function matchesLeaf(alternatives: unknown, value: Json | undefined, present: boolean): boolean {
  if (!Array.isArray(alternatives)) throw new InvalidPatternError(`a pattern leaf must be a list, got ${JSON.stringify(alternatives)}`);
  if (alternatives.length === 0) throw new InvalidPatternError('a pattern leaf cannot be an empty list');
  if (!present) return alternatives.some((a) => isObject(a) && a.exists === false);
  const values: Json[] = Array.isArray(value) ? value : [value as Json];
  return values.some((v) => alternatives.some((a) => !(isObject(a) && a.exists === false) && matchesAlternative(a, v)));
}

/** Whether `event` matches `pattern` (an EventBridge `EventPattern`, as in a CloudFormation template). */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new InvalidPatternError(`a pattern is an object, got ${JSON.stringify(pattern)}`);
  if (!isObject(event)) return false;
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2) throw new InvalidPatternError('$or takes at least two patterns');
      if (!sub.some((p) => matchesPattern(p, event))) return false;
      continue;
    }
    const present = Object.prototype.hasOwnProperty.call(event, key);
    const value = event[key] as Json | undefined;
    if (isObject(sub)) {
      const inner = Array.isArray(value) ? value : [value];
      if (!present || !inner.some((v) => isObject(v) && matchesPattern(sub, v))) {
        // A nested pattern whose leaves are all `exists: false` matches a missing object.
        if (!present && allExistsFalse(sub)) continue;
        return false;
      }
      continue;
    }
    if (!matchesLeaf(sub, value, present)) return false;
  }
  return true;
}

function allExistsFalse(pattern: Record<string, unknown>): boolean {
  return Object.values(pattern).every((sub) =>
    isObject(sub) ? allExistsFalse(sub) : Array.isArray(sub) && sub.some((a) => isObject(a) && a.exists === false),
  );
}
