/**
 * The configuration reference of the README, generated from the config's JSON Schema (itself
 * generated from the zod schema): one table row per key, with its path, type, default and the
 * description the schema carries. `npm run generate` writes it between the markers below; a test
 * fails when the README's copy is stale.
 */
import type { JsonSchema } from './json-schema';

/** The README line before the generated reference. */
export const REFERENCE_START = '<!-- config-reference:start -->';
/** The README line after the generated reference. */
export const REFERENCE_END = '<!-- config-reference:end -->';

type Node = JsonSchema & {
  type?: string;
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  enum?: unknown[];
  required?: string[];
  additionalProperties?: Node | boolean;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
};

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (value: unknown): string => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

/** How a type reads in the table: `string`, `integer (1 to 64)`, `"AES256" \| "KMS"`, `list of string`. */
function typeOf(node: Node): string {
  if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.anyOf !== undefined) return node.anyOf.map(typeOf).join(' or ');
  switch (node.type) {
    case 'integer':
    case 'number':
      return node.minimum !== undefined && node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER
        ? `${node.type} (${node.minimum} to ${node.maximum})`
        : node.type;
    case 'array':
      return node.items === undefined ? 'list' : `list of ${node.items.type === 'object' ? 'objects' : typeOf(node.items)}`;
    case 'object':
      return node.properties === undefined && typeof node.additionalProperties === 'object'
        ? `map of ${typeOf(node.additionalProperties)}`
        : 'object';
    default:
      return node.type ?? 'any';
  }
}

/** The rows of an object's keys and of everything under them, in schema order. */
function rows(node: Node, path: string): string[] {
  const out: string[] = [];
  const required = new Set(node.required ?? []);
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const at = path === '' ? key : `${path}.${key}`;
    const given = child.default !== undefined ? code(child.default) : required.has(key) ? 'required' : '';
    out.push(`| \`${at}\` | ${cell(typeOf(child))} | ${cell(given)} | ${cell(child.description ?? '')} |`);
    out.push(...below(child, at));
  }
  return out;
}

/** The rows under one key: an object's keys, a list's items' keys, each alternative's. */
function below(node: Node, at: string): string[] {
  if (node.anyOf !== undefined) return node.anyOf.flatMap((alternative) => below(alternative, at));
  if (node.type === 'object' && node.properties !== undefined) return rows(node, at);
  if (node.type === 'array' && node.items?.type === 'object' && node.items.properties !== undefined) return rows(node.items, `${at}[]`);
  return [];
}

/**
 * The Markdown reference of every configuration key, without the markers.
 * @example
 * configReferenceMarkdown(configJsonSchema()) // '| key | type | default | meaning |\n| --- | ...'
 */
export function configReferenceMarkdown(schema: JsonSchema): string {
  return [
    '<!-- Generated from the config schema (core/config/schema.ts) by `npm run generate`; edit the schema, not this table. -->',
    '',
    'Editors complete and check these keys from the JSON Schema `ptc schema` prints (committed as',
    '[`schema/ptc-config.schema.json`](schema/ptc-config.schema.json)): start a config with',
    '`# yaml-language-server: $schema=<path or URL of that file>`, as `config/example.yaml` does. The',
    'JSON Schema checks each key on its own; `ptc validate-config` also runs the checks across keys.',
    '',
    '| key | type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows(schema, ''),
  ].join('\n');
}

/**
 * `readme` with the text between the markers replaced by `reference`.
 * @throws Error when the README lacks the markers, in order
 */
export function withReference(readme: string, reference: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`the README has no "${REFERENCE_START}" ... "${REFERENCE_END}" region`);
  return `${readme.slice(0, start + REFERENCE_START.length)}\n${reference}\n${readme.slice(end)}`;
}
