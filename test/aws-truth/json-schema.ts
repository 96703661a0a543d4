/**
 * The subset of JSON Schema (draft-07) the CloudFormation registry schemas use, as a validator of
 * resource properties: `$ref` (local), `type`, `properties`, `required`, `additionalProperties`,
 * `patternProperties`, `items`, `enum`, `const`, `pattern`, `minLength`/`maxLength`,
 * `minItems`/`maxItems`, `uniqueItems`, `minimum`/`maximum`, `oneOf`/`anyOf`/`allOf`, `dependencies`.
 *
 * CloudFormation resolves intrinsic functions before the schema applies, so an intrinsic (an object
 * whose one key is `Ref` or `Fn::...`) is accepted wherever a value is expected; literal values must
 * satisfy every constraint. CloudFormation also converts scalars (a number or boolean given where a
 * string is declared, and the reverse for strings holding one), which is accepted as it does.
 */

export type JsonSchema = Record<string, unknown>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Whether a value is a CloudFormation intrinsic function (resolved at deploy time). */
export function isIntrinsic(value: unknown): boolean {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'));
}

const regexCache = new Map<string, RegExp | string>();
function compile(pattern: string): RegExp | string {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      try {
        re = new RegExp(pattern);
      } catch (err) {
        re = `pattern ${JSON.stringify(pattern)} is not a JavaScript regular expression (${(err as Error).message})`;
      }
    }
    regexCache.set(pattern, re);
  }
  return re;
}

function typeOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(declared: string, value: Json): boolean {
  const actual = typeOf(value);
  if (declared === actual) return true;
  if (declared === 'number' && actual === 'integer') return true;
  // CloudFormation's scalar conversion.
  if (declared === 'string' && (actual === 'integer' || actual === 'number' || actual === 'boolean')) return true;
  if ((declared === 'integer' || declared === 'number') && actual === 'string')
    return /^-?\d+(\.\d+)?$/.test(value as string) && (declared === 'number' || !(value as string).includes('.'));
  if (declared === 'boolean' && actual === 'string') return value === 'true' || value === 'false';
  return false;
}

/** Validates `value` against `schema`; returns one line per violation, naming the path. */
export function validate(value: Json, schema: JsonSchema, root: JsonSchema, at: string): string[] {
  if (isIntrinsic(value)) return [];
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (!ref.startsWith('#/')) return [`${at}: $ref ${ref} is not local`];
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = isObject(target) ? target[part] : undefined;
    if (!isObject(target)) return [`${at}: $ref ${ref} not found`];
    const { $ref: _ignored, ...rest } = schema;
    return [...validate(value, target, root, at), ...(Object.keys(rest).length > 0 ? validate(value, rest, root, at) : [])];
  }
  const out: string[] = [];
  if (schema.type !== undefined) {
    const declared = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!declared.some((t) => typeMatches(t, value)))
      return [`${at}: ${JSON.stringify(value).slice(0, 80)} is not of type ${declared.join(' | ')}`];
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((e) => e === value || (isScalar(e) && isScalar(value) && String(e) === String(value)))
  ) {
    out.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (schema.const !== undefined && schema.const !== value)
    out.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value);
    if (typeof schema.pattern === 'string') {
      const re = compile(schema.pattern);
      if (typeof re === 'string') out.push(`${at}: ${re}`);
      else if (!re.test(text)) out.push(`${at}: ${JSON.stringify(text).slice(0, 120)} does not match ${schema.pattern}`);
    }
    if (typeof schema.minLength === 'number' && [...text].length < schema.minLength)
      out.push(`${at}: length ${[...text].length} is below minLength ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && [...text].length > schema.maxLength)
      out.push(`${at}: length ${[...text].length} is above maxLength ${schema.maxLength}`);
    const n = Number(value);
    if (typeof schema.minimum === 'number' && typeof value !== 'boolean' && !Number.isNaN(n) && n < schema.minimum)
      out.push(`${at}: ${n} is below minimum ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && typeof value !== 'boolean' && !Number.isNaN(n) && n > schema.maximum)
      out.push(`${at}: ${n} is above maximum ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      out.push(`${at}: ${value.length} items, below minItems ${schema.minItems}`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      out.push(`${at}: ${value.length} items, above maxItems ${schema.maxItems}`);
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
      out.push(`${at}: items are not unique`);
    if (isObject(schema.items)) value.forEach((item, i) => out.push(...validate(item, schema.items as JsonSchema, root, `${at}[${i}]`)));
  }
  if (isObject(value)) {
    const props = (isObject(schema.properties) ? schema.properties : {}) as Record<string, JsonSchema>;
    const patternProps = (isObject(schema.patternProperties) ? schema.patternProperties : {}) as Record<string, JsonSchema>;
    for (const key of (schema.required as string[] | undefined) ?? [])
      if (!(key in value)) out.push(`${at}: required property ${key} is missing`);
    for (const [key, v] of Object.entries(value)) {
      const here = `${at}.${key}`;
      let known = false;
      if (props[key]) {
        known = true;
        out.push(...validate(v, props[key], root, here));
      }
      for (const [p, sub] of Object.entries(patternProps)) {
        const re = compile(p);
        if (typeof re !== 'string' && re.test(key)) {
          known = true;
          out.push(...validate(v, sub, root, here));
        }
      }
      if (!known) {
        if (schema.additionalProperties === false) out.push(`${here}: not a property of this schema`);
        else if (isObject(schema.additionalProperties)) out.push(...validate(v, schema.additionalProperties, root, here));
      }
    }
    if (isObject(schema.dependencies)) {
      for (const [key, needs] of Object.entries(schema.dependencies)) {
        if (key in value && Array.isArray(needs))
          for (const n of needs as string[]) if (!(n in value)) out.push(`${at}: ${key} requires ${n}`);
      }
    }
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const subs = schema[keyword];
    if (!Array.isArray(subs)) continue;
    const results = subs.map((s) => validate(value, s as JsonSchema, root, at));
    const passing = results.filter((r) => r.length === 0).length;
    if (keyword === 'allOf') out.push(...results.flat());
    else if (keyword === 'anyOf' && passing === 0) out.push(`${at}: matches none of anyOf (${results.map((r) => r[0]).join('; ')})`);
    else if (keyword === 'oneOf' && passing !== 1)
      out.push(`${at}: matches ${passing} of oneOf, not exactly one${passing === 0 ? ` (${results.map((r) => r[0]).join('; ')})` : ''}`);
  }
  if (isObject(schema.not) && validate(value, schema.not, root, at).length === 0) out.push(`${at}: matches a "not" schema`);
  return out;
}
