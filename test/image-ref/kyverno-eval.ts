/**
 * A small evaluator for the generated Kyverno policy: it reads the policy's YAML, recognises the
 * exact expressions the generator writes (`regex_match`, `regex_replace_all` on `element.image`)
 * and evaluates them with Go's semantics (RE2 patterns in the common subset with JavaScript, and
 * `Regexp.ReplaceAll`'s `$1` / `${1}` template expansion), the way Kyverno would at admission.
 */

/** Kyverno's variable syntax: `{{ ... }}` holding no nested braces deeper than one level. */
export const KYVERNO_VARIABLE = /^\{\{(?:\{[^{}]*\}|[^{}])*\}\}$/;

const MATCH = /^\{\{ regex_match\('([^']*)', element\.image\) \}\}$/;
const REPLACE = /^\{\{ regex_replace_all\('([^']*)', element\.image, '([^']*)'\) \}\}$/;
const LENGTH = /^\{\{ length\(regex_replace_all\('([^']*)', element\.image, '([^']*)'\)\) \}\}$/;

/** Compiles a pattern after checking it only uses what RE2 and JavaScript read the same way. */
export function compilePortable(source: string): RegExp {
  if (source.includes('\\')) throw new Error(`pattern uses a backslash: ${source}`);
  if (/\(\?[=!<]/.test(source)) throw new Error(`pattern uses look-around or named groups: ${source}`);
  if (/\[\]|\[\^\]/.test(source)) throw new Error(`pattern has a class that JavaScript and RE2 read differently: ${source}`);
  return new RegExp(source);
}

/** Go's `Regexp.Expand`: `$$`, `${name}` and `$name` (the longest run of letters, digits and `_`). */
export function goExpand(template: string, groups: readonly (string | undefined)[]): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch !== '$' || i === template.length - 1) {
      out += ch;
      continue;
    }
    const next = template[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      if (close < 0) {
        out += ch;
        continue;
      }
      name = template.slice(i + 2, close);
      i = close;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (m === null) {
        out += ch;
        continue;
      }
      name = m[0];
      i += name.length;
    }
    if (/^\d+$/.test(name)) out += groups[Number(name)] ?? '';
  }
  return out;
}

/** Kyverno's `regex_match(pattern, value)`. */
export function regexMatch(pattern: string, value: string): boolean {
  return compilePortable(pattern).test(value);
}

/** Kyverno's `regex_replace_all(pattern, value, replacement)`: Go's `ReplaceAll` with template expansion. */
export function regexReplaceAll(pattern: string, value: string, replacement: string): string {
  const re = new RegExp(compilePortable(pattern).source, 'g');
  return value.replace(re, (...args: unknown[]) => {
    // args: the match, each group, the offset and the whole string (no named groups are used).
    return goExpand(replacement, args.slice(0, -2) as (string | undefined)[]);
  });
}

interface Condition {
  key: string;
  operator: string;
  value: unknown;
}

interface ForeachEntry {
  list: string;
  preconditions: { all: Condition[] };
  patchStrategicMerge: { spec: Record<string, { name: string; image: string }[]> };
}

/** The part of a ClusterPolicy rule the evaluator reads. */
export interface PolicyRule {
  name: string;
  match: { any: { resources: { kinds: string[] } }[] };
  preconditions: { all: { key: string; operator: string; value: unknown }[] };
  mutate: { foreach: ForeachEntry[] };
}

function evaluateCondition(condition: Condition, image: string): boolean {
  const l = LENGTH.exec(condition.key);
  if (l !== null && condition.operator === 'LessThanOrEquals' && typeof condition.value === 'number') {
    // JMESPath length() of a string counts its code points.
    return [...regexReplaceAll(l[1]!, image, l[2]!)].length <= condition.value;
  }
  const m = MATCH.exec(condition.key);
  if (m === null || condition.operator !== 'Equals' || typeof condition.value !== 'boolean') {
    throw new Error(`the evaluator does not know the condition ${JSON.stringify(condition)}`);
  }
  return regexMatch(m[1]!, image) === condition.value;
}

/** What a rule does to one container's image: the new image and how many entries applied. */
export interface Evaluation {
  image: string;
  applied: number;
}

/**
 * Applies one rule's `foreach` entries, in order, to a container of its list, as Kyverno does:
 * an entry whose preconditions all hold patches the image with its `regex_replace_all`.
 */
export function evaluateRule(rule: PolicyRule, list: string, image: string): Evaluation {
  let current = image;
  let applied = 0;
  for (const entry of rule.mutate.foreach) {
    if (entry.list !== `request.object.spec.${list}`) throw new Error(`entry of rule ${rule.name} iterates ${entry.list}, not ${list}`);
    if (!entry.preconditions.all.every((c) => evaluateCondition(c, current))) continue;
    const patch = entry.patchStrategicMerge.spec[list];
    if (patch?.length !== 1 || patch[0]!.name !== '{{ element.name }}')
      throw new Error(`entry of rule ${rule.name} does not patch ${list} by element name`);
    const r = REPLACE.exec(patch[0]!.image);
    if (r === null) throw new Error(`the evaluator does not know the expression ${patch[0]!.image}`);
    current = regexReplaceAll(r[1]!, current, r[2]!);
    applied++;
  }
  return { image: current, applied };
}

/** Every string in a policy that Kyverno substitutes (`{{ ... }}`). */
export function templatedStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && value.includes('{{')) out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => templatedStrings(v, out));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => templatedStrings(v, out));
  return out;
}
