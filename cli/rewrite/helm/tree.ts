/**
 * Reading a Helm values document the way Helm does: YAML merge keys (`<<: *base`) are followed
 * (Helm's YAML library honours them), aliases resolve to their anchors, and every value keeps the
 * scalar node it came from, so a rewrite edits the text where the value is written.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Pair, type Scalar, type YAMLMap } from 'yaml';

/** The text a node's range points into, and where that text starts in the file. */
export interface Source {
  readonly text: string;
  readonly offset: number;
}

/** A parsed part of the file. Slots keep only its `source`, so the tree can go once it is walked. */
export interface Base extends Source {
  readonly doc: Document;
  readonly source: Source;
}

/** A parsed part, for `entries` and `fieldsOf`. */
export function baseOf(doc: Document, text: string, offset: number): Base {
  return { doc, text, offset, source: { text, offset } };
}

/** One value in the file: the scalar that holds it (when the key is there) and its text. */
export interface Slot {
  /** YAML path of the value, such as `controller.image.registry`. */
  readonly path: string;
  /** The scalar to edit; undefined when the key is absent. */
  readonly node?: Scalar;
  /** The value as a string: undefined for an absent key, null, `~` or an empty string. */
  readonly value?: string;
  /** Reached through an alias or a merge key: editing it changes every place that shares it. */
  readonly shared: boolean;
  /** Where the node's range points; absent for a value that is not in the file (a probe). */
  readonly base?: Source;
}

/** The merge key of YAML 1.1, which Helm's parser follows. */
const MERGE_KEY = '<<';

/** Follows an alias to the node it names. */
export function deref(node: unknown, doc: Document): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** A map entry as Helm sees it: own keys first, then the maps merged in with `<<`. */
export interface Entry {
  key: string;
  value: unknown;
  /** True when the entry comes from a merged map (it belongs to the anchor's text). */
  merged: boolean;
  /** The parsed text the value belongs to. */
  base: Base;
}

/**
 * The entries of a map after merge keys: an own key wins over a merged one, and among merged
 * maps the first listed wins (YAML 1.1 merge semantics).
 */
export function entries(map: YAMLMap, base: Base, seen: Set<YAMLMap> = new Set()): Entry[] {
  const doc = base.doc;
  if (seen.has(map)) return [];
  seen.add(map);
  const own: Entry[] = [];
  const merged: Entry[] = [];
  for (const pair of map.items) {
    const key = keyOf(pair);
    if (key === undefined) continue;
    if (key === MERGE_KEY) {
      const value = deref(pair.value, doc);
      const sources = isSeq(value) ? value.items.map((i) => deref(i, doc)) : [value];
      for (const source of sources) {
        if (isMap(source)) for (const e of entries(source, base, seen)) merged.push({ ...e, merged: true });
      }
      continue;
    }
    own.push({ key, value: pair.value, merged: false, base });
  }
  const out = [...own];
  const keys = new Set(own.map((e) => e.key));
  for (const e of merged) {
    if (keys.has(e.key)) continue;
    keys.add(e.key);
    out.push(e);
  }
  return out;
}

/** A map's entries by key (after merge keys). */
export type Fields = ReadonlyMap<string, Entry>;

/** The entries of a map, by key. */
export function fieldsOf(map: YAMLMap, base: Base): Fields {
  return new Map(entries(map, base).map((e) => [e.key, e]));
}

/** The string a scalar holds (numbers and booleans as written), or undefined for null and "". */
function textOf(node: Scalar): string | undefined {
  const v = node.value;
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return node.source !== undefined && node.source !== '' ? node.source : String(v);
  return undefined;
}

/**
 * The slot of `key` in a map's fields: its scalar and text; `kind: 'other'` when the value is a
 * map or a list (not a plain value), `absent` when the key is missing.
 */
export function slotOf(fields: Fields, key: string, path: string): Slot | 'other' | undefined {
  const entry = fields.get(key);
  const here = path === '' ? key : `${path}.${key}`;
  if (entry === undefined) return undefined;
  const base = entry.base.source;
  const shared = entry.merged || isAlias(entry.value);
  const target = deref(entry.value, entry.base.doc);
  if (target === null || target === undefined) return { path: here, shared, base };
  if (!isScalar(target)) return 'other';
  if (target.range === undefined || target.range === null) return { path: here, shared, base };
  const value = textOf(target);
  return value === undefined ? { path: here, node: target, shared, base } : { path: here, node: target, value, shared, base };
}

/** A plain value of a map, or undefined when absent, empty, or not a scalar. */
export function stringSlot(fields: Fields, key: string, path: string): Slot | undefined {
  const slot = slotOf(fields, key, path);
  return slot === 'other' ? undefined : slot;
}
