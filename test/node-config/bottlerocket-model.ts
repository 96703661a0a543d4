/**
 * Bottlerocket's settings model, read from its Rust sources (copies with provenance in
 * test/fixtures/node-config/SOURCE), as a checker for the settings ptc-autopilot writes: every key
 * must be a field of the model's struct (kebab-case, as `#[model]` renames them and denies unknown
 * fields: sources/models/model-derive/src/lib.rs) and every value must have the field's type.
 * Types checked: `bool`, `SingleLineString`, `Url`, `Identifier` (a string here),
 * `KubernetesDurationValue` (its own regex, read from the source), `Vec<T>`, `Option<T>`,
 * `HashMap<K, V>`, type aliases and structs of the same files.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'node-config');
const SOURCES = [
  'bottlerocket-models-lib.rs.txt',
  'bottlerocket-modeled-types-kubernetes.rs.txt',
  'bottlerocket-container-registry-settings.rs.txt',
].map((f) => readFileSync(path.join(FIXTURES, f), 'utf8'));

/** The fields (`name: Type`) of a struct, found in any of the sources. */
export function structFields(name: string): Map<string, string> {
  for (const source of SOURCES) {
    const body = new RegExp(`struct ${name} \\{([\\s\\S]*?)\\n\\}`).exec(source)?.[1];
    if (body === undefined) continue;
    const fields = [...body.matchAll(/^\s*(?:pub )?(\w+): ([^\n]+),\s*$/gm)].map((m) => [m[1]!, m[2]!] as const);
    return new Map(fields);
  }
  throw new Error(`no struct ${name} in the Bottlerocket sources`);
}

/** The name of the struct that has field `field` (as the model's settings structs are found). */
export function structWithField(field: string): string {
  for (const source of SOURCES) {
    for (const m of source.matchAll(/struct (\w+) \{([\s\S]*?)\n\}/g))
      if (new RegExp(`^\\s*(?:pub )?${field}:`, 'm').test(m[2]!)) return m[1]!;
  }
  throw new Error(`no struct has ${field}`);
}

const alias = (name: string): string | undefined => {
  for (const source of SOURCES) {
    const found = new RegExp(`^type ${name} = ([^;]+);`, 'm').exec(source)?.[1];
    if (found !== undefined) return found;
  }
  return undefined;
};

const DURATION = new RegExp(/KUBERNETES_DURATION_VALUE: Regex = Regex::new\(\s*r"([^"]+)"/.exec(SOURCES[1]!)![1]!);

/** Splits `A, B<C, D>` at its top-level commas. */
function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of args) {
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
      continue;
    }
    if (ch === '<') depth++;
    if (ch === '>') depth--;
    current += ch;
  }
  return [...out, current.trim()];
}

const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const kebab = (snake: string): string => snake.replace(/_/g, '-');

/** Every way `value` is not of Rust type `type`, as `path: problem` lines. */
export function modelErrors(value: unknown, type: string, at: string): string[] {
  const generic = /^(\w+)<(.+)>$/.exec(type.trim());
  if (generic !== null) {
    const [, outer, inner] = generic;
    const args = splitArgs(inner!);
    if (outer === 'Option') return modelErrors(value, args[0]!, at);
    if (outer === 'Vec')
      return Array.isArray(value)
        ? value.flatMap((v, i) => modelErrors(v, args[0]!, `${at}[${i}]`))
        : [`${at}: expected an array (${type})`];
    if (outer === 'HashMap') {
      if (!isTable(value)) return [`${at}: expected a table (${type})`];
      return Object.entries(value).flatMap(([k, v]) => [
        ...modelErrors(k, args[0]!, `${at} key ${k}`),
        ...modelErrors(v, args[1]!, `${at}.${k}`),
      ]);
    }
    return [`${at}: type ${type} is not checked here`];
  }
  switch (type) {
    case 'bool':
      return typeof value === 'boolean' ? [] : [`${at}: expected a boolean`];
    case 'SingleLineString':
    case 'Identifier':
      return typeof value === 'string' && !/[\n\r]/.test(value) ? [] : [`${at}: expected a single-line string`];
    case 'Url':
      return typeof value === 'string' && URL.canParse(value) ? [] : [`${at}: expected a URL`];
    case 'KubernetesDurationValue':
      return typeof value === 'string' && value !== '' && DURATION.test(value)
        ? []
        : [`${at}: ${JSON.stringify(value)} is not a KubernetesDurationValue`];
  }
  const aliased = alias(type);
  if (aliased !== undefined) return modelErrors(value, aliased, at);
  if (!isTable(value)) return [`${at}: expected a table (${type})`];
  const fields = structFields(type);
  return Object.entries(value).flatMap(([k, v]) => {
    const field = [...fields.keys()].find((f) => kebab(f) === k);
    return field === undefined ? [`${at}: ${type} has no field ${k}`] : modelErrors(v, fields.get(field)!, `${at}.${k}`);
  });
}
