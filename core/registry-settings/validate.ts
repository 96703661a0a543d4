/**
 * A small validator for the registry-settings custom resource properties, in place of zod (whose
 * 450 KB would otherwise be most of the Lambda bundle). Each check returns the first problem with
 * its path, in the order the shape lists its keys; messages read like zod's, which the properties
 * used before. Unknown keys are dropped, as zod's `object` does.
 */

/** The first problem found: where, and what. */
export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A check of one value: its parsed value, or the first issue. */
export type Check<T> = (input: unknown, path: readonly (string | number)[]) => { ok: true; value: T } | { ok: false; issue: ValidationIssue };

const fail = (path: readonly (string | number)[], message: string) => ({ ok: false as const, issue: { path, message } });

/** The type name of a value as zod reports it ("received number"). */
function typeName(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  return typeof input;
}

/** A string, optionally with extra checks run in order (each returns a message or undefined). */
export function string(...checks: ((value: string) => string | undefined)[]): Check<string> {
  return (input, path) => {
    if (typeof input !== 'string') return fail(path, `Invalid input: expected string, received ${typeName(input)}`);
    for (const check of checks) {
      const message = check(input);
      if (message !== undefined) return fail(path, message);
    }
    return { ok: true, value: input };
  };
}

/** A string check: matches `pattern`, else `message`. */
export const matches = (pattern: RegExp, message: string) => (value: string) => (pattern.test(value) ? undefined : message);

/** A string check on its length, worded as zod words it. */
export const lengthBetween = (min: number, max: number) => (value: string) =>
  value.length < min ? `Too small: expected string to have >=${min} characters` : value.length > max ? `Too big: expected string to have <=${max} characters` : undefined;

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  return (input, path) =>
    typeof input === 'string' && (values as readonly string[]).includes(input)
      ? { ok: true, value: input as T }
      : fail(path, `Invalid option: expected one of ${values.map((v) => `"${v}"`).join('|')}`);
}

/** An array whose items all pass `item`, with at least `min` items. */
export function array<T>(item: Check<T>, min = 0): Check<T[]> {
  return (input, path) => {
    if (!Array.isArray(input)) return fail(path, `Invalid input: expected array, received ${typeName(input)}`);
    const out: T[] = [];
    for (let i = 0; i < input.length; i++) {
      const r = item(input[i], [...path, i]);
      if (!r.ok) return r;
      out.push(r.value);
    }
    if (out.length < min) return fail(path, `Too small: expected array to have >=${min} items`);
    return { ok: true, value: out };
  };
}

/** Marks a key of a shape as optional: absent (undefined) is accepted and left out. */
export interface Optional<T> {
  readonly optional: Check<T>;
}

/** An optional key. */
export const optional = <T>(check: Check<T>): Optional<T> => ({ optional: check });

type Shape = Record<string, Check<unknown> | Optional<unknown>>;
type Parsed<S extends Shape> = { -readonly [K in keyof S as S[K] extends Optional<unknown> ? never : K]: S[K] extends Check<infer T> ? T : never } & {
  -readonly [K in keyof S as S[K] extends Optional<unknown> ? K : never]?: S[K] extends Optional<infer T> ? T : never;
};

/** An object with these keys, checked in the order written; other keys are dropped. */
export function object<S extends Shape>(shape: S): Check<Parsed<S>> {
  return (input, path) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail(path, `Invalid input: expected object, received ${typeName(input)}`);
    const record = input as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const value = record[key];
      if ('optional' in check) {
        if (value === undefined) continue;
        const r = check.optional(value, [...path, key]);
        if (!r.ok) return r;
        out[key] = r.value;
      } else {
        const r = check(value, [...path, key]);
        if (!r.ok) return r;
        out[key] = r.value;
      }
    }
    return { ok: true, value: out as Parsed<S> };
  };
}
