/**
 * Argo CD's `helm.parameters` (`- name: image.repository`, `value: nats`) are Helm `--set`
 * values: the tree they imply is built here with the parameters' own `value` scalars as its
 * leaves, so the Helm-values logic reads it like a values file and its edits land on the
 * `value` scalars of the file. Names use `--set` syntax: `.` separates keys, `\.` is a dot in
 * a key. A name with a list index (`a[0].b`) or several assignments (`a=1,b=2`) is not read:
 * when it looks like an image key it is reported.
 */
import { Document, Pair, Scalar, YAMLMap, isAlias, isMap, isScalar, type YAMLSeq } from 'yaml';
import { deref } from '../helm/tree';
import type { Unsupported } from '../helm/sites';

/** The values tree parameters imply. */
export interface ParameterTree {
  /** A document whose contents is the tree; its leaves are the parameters' `value` scalars. */
  readonly doc: Document;
  /** The `--set` paths the parameters set (for overlaps with the other values of the chart). */
  readonly names: string[];
  /** Parameters ptc does not read that may name an image. */
  readonly unsupported: Unsupported[];
}

const IMAGE_LIKE = /image|repository|registry|hub/i;

/** Splits a `--set` name at its unescaped dots; undefined for names with indices or several assignments. */
export function splitName(name: string): string[] | undefined {
  if (/[[\],=]/.test(name)) return undefined;
  const keys: string[] = [];
  let key = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && name[i + 1] === '.') {
      key += '.';
      i++;
    } else if (c === '.') {
      keys.push(key);
      key = '';
    } else key += c;
  }
  keys.push(key);
  return keys.some((k) => k === '') ? undefined : keys;
}

function field(map: YAMLMap, key: string): unknown {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key)?.value;
}

function setIn(root: YAMLMap, keys: readonly string[], value: Scalar): void {
  let map = root;
  for (const key of keys.slice(0, -1)) {
    let next = field(map, key);
    if (!isMap(next)) {
      next = new YAMLMap();
      map.items = map.items.filter((p) => !(isScalar(p.key) && p.key.value === key));
      map.items.push(new Pair(new Scalar(key), next));
    }
    map = next as YAMLMap;
  }
  const last = keys[keys.length - 1]!;
  map.items = map.items.filter((p) => !(isScalar(p.key) && p.key.value === last));
  map.items.push(new Pair(new Scalar(last), value));
}

/**
 * The values tree of a parameters list; `doc` is the document the list is in. A later parameter
 * overrides an earlier one, as with `--set`.
 */
export function parameterTree(seq: YAMLSeq, doc: Document): ParameterTree {
  const root = new YAMLMap();
  const names: string[] = [];
  const unsupported: Unsupported[] = [];
  seq.items.forEach((item) => {
    const entry = deref(item, doc);
    if (!isMap(entry)) return;
    const nameNode = deref(field(entry, 'name'), doc);
    const name = isScalar(nameNode) && typeof nameNode.value === 'string' ? nameNode.value : undefined;
    if (name === undefined) return;
    const raw = field(entry, 'value');
    const keys = splitName(name);
    if (keys === undefined || isAlias(raw)) {
      if (IMAGE_LIKE.test(name)) {
        const why = keys === undefined ? 'a name with a list index or several assignments' : 'a value given by a YAML alias';
        unsupported.push({ path: name, message: `${name}: ${why} is not read by ptc; check what the chart renders from it` });
      }
      return;
    }
    names.push(keys.join('.'));
    if (isScalar(raw)) setIn(root, keys, raw);
  });
  const tree = new Document();
  tree.contents = root;
  return { doc: tree, names, unsupported };
}
