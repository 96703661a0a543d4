/**
 * Each values source of a GitOps resource read as the values document Helm gets from it: a
 * values tree (`spec.values`, `valuesObject`) as the subtree it is, a values string as its inner
 * document, parameters as the tree they imply. Each comes with the image sites the Helm-values
 * logic recognizes in it (cli/rewrite/helm/recognize.ts), and the `--set` paths it sets, so that
 * an image whose keys two sources of one chart both set is reported rather than guessed.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type YAMLMap } from 'yaml';
import { recognize, type Recognized } from '../helm/recognize';
import { baseOf, deref, type Base } from '../helm/tree';
import { parameterTree } from './parameters';
import type { ValuesGroup, ValuesSource } from './sources';
import { innerText, type InnerText } from './values-string';

/** One values source, read. */
export interface Form {
  readonly source: Exclude<ValuesSource, { form: 'external' }>;
  /** The values document (its scalars' ranges point into `base.text`). */
  readonly base: Base;
  /** What the Helm-values logic recognizes in it. */
  readonly recognized: Recognized;
  /** The `--set` paths it sets. */
  readonly names: readonly string[];
  /** A values string: how its edits map into the file, or why they cannot. */
  readonly inner?: InnerText | string;
}

/** A values source that is not valid YAML, or otherwise not read. */
export interface Unread {
  readonly source: ValuesSource;
  readonly message: string;
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

/** The image scalars of the pod specs (maps with a `containers` list) under a node. */
function podSpecImages(node: unknown, doc: Document, out: Set<unknown>, depth = 0): Set<unknown> {
  const target = deref(node, doc);
  if (depth > 64) return out;
  if (isMap(target)) {
    const list = (key: string): unknown => deref(target.items.find((p) => isScalar(p.key) && p.key.value === key)?.value, doc);
    if (isSeq(list('containers'))) {
      for (const key of CONTAINER_LISTS) {
        const items = list(key);
        if (!isSeq(items)) continue;
        for (const c of items.items) {
          const container = deref(c, doc);
          if (isMap(container)) out.add(deref(container.items.find((p) => isScalar(p.key) && p.key.value === 'image')?.value, doc));
        }
      }
    }
    for (const pair of target.items) podSpecImages(pair.value, doc, out, depth + 1);
  } else if (isSeq(target)) for (const item of target.items) podSpecImages(item, doc, out, depth + 1);
  return out;
}

/**
 * What the Helm-values logic recognizes in a values document; for a values tree the manifests walk
 * also reads (`walked`), without the images of pod specs written inside it (a map with a
 * `containers` list): those are the walk's, as in any manifest.
 */
function recognizeValues(base: Base, walked = false): Recognized {
  const recognized = recognize({ context: [base], rest: [] });
  if (!walked) return recognized;
  const inPodSpec = podSpecImages(base.doc.contents, base.doc, new Set());
  return { ...recognized, sites: recognized.sites.filter((site) => site.name.node === undefined || !inPodSpec.has(site.name.node)) };
}

/** A view of `doc` whose contents is `map`: aliases resolve to anchors inside the map. */
function subDocument(doc: Document, map: YAMLMap): Document {
  return Object.create(doc, { contents: { value: map, enumerable: true } }) as Document;
}

function leafNames(node: unknown, doc: Document, at: string, out: string[], depth = 0): string[] {
  const target = deref(node, doc);
  if (depth > 64) return out;
  if (isMap(target)) {
    for (const pair of target.items) {
      const key = deref(pair.key, doc);
      if (isScalar(key)) leafNames(pair.value, doc, at === '' ? String(key.value) : `${at}.${String(key.value)}`, out, depth + 1);
    }
  } else if (at !== '') out.push(at);
  return out;
}

/** Keys whose value takes part in an image (the keys cli/rewrite/helm/recognize.ts composes from). */
const IMAGE_PART = /image|repository|registry|hub|tag|digest|^sha$/i;

/**
 * The aliases inside `map` at image keys whose anchor is outside it (they resolve in the
 * document, not in the view); an alias elsewhere (`existingClaim: *app`) does not matter here.
 */
function outsideAliases(map: YAMLMap, view: Document): string[] {
  const out: string[] = [];
  visit(map, {
    Alias: (_key, alias, path) => {
      const pair = path[path.length - 1];
      const key = isPair(pair) && isScalar(pair.key) ? String(pair.key.value) : '';
      if (IMAGE_PART.test(key) && alias.resolve(view) === undefined) out.push(alias.source);
    },
  });
  return out;
}

const YAML_MESSAGE = (message: string): string => message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');

/**
 * Reads every values source of a group; `doc` is the document (parsed without merge keys) and
 * `text`, `offset` its text and where that text starts in the file.
 */
export function readForms(group: ValuesGroup, doc: Document, text: string, offset: number): { forms: Form[]; unread: Unread[] } {
  const forms: Form[] = [];
  const unread: Unread[] = [];
  for (const source of group.sources) {
    if (source.form === 'object') {
      const view = subDocument(doc, source.map);
      for (const alias of outsideAliases(source.map, view)) {
        unread.push({
          source,
          message: `${source.path} uses *${alias}, an anchor written outside it; ptc reads the values alone, so the value is not checked (write it inside ${source.path})`,
        });
      }
      const base = baseOf(view, text, offset);
      forms.push({ source, base, recognized: recognizeValues(base, true), names: leafNames(source.map, doc, '', []) });
    } else if (source.form === 'parameters') {
      const tree = parameterTree(source.seq, doc);
      const base = baseOf(tree.doc, text, offset);
      const recognized = recognizeValues(base);
      recognized.unsupported.push(...tree.unsupported);
      forms.push({ source, base, recognized, names: tree.names });
    } else if (source.form === 'string') {
      const value = String(source.scalar.value);
      // An ApplicationSet fills `{{ … }}` in before Helm reads the string; read unquoted, YAML would take it
      // for a flow map. `$( … )_` has the same length and is a template to the Helm-values logic too (skipped).
      const readable = value.replace(/\{\{/g, '$(').replace(/\}\}/g, ')_');
      const inner = parseDocument(readable);
      const error = inner.errors[0];
      if (error !== undefined) {
        unread.push({
          source,
          message: `${source.path} is not valid YAML (line ${error.linePos?.[0]?.line ?? '?'} of the string): ${YAML_MESSAGE(error.message)}`,
        });
        continue;
      }
      const base = baseOf(inner, readable, 0);
      forms.push({
        source,
        base,
        recognized: recognizeValues(base),
        names: leafNames(inner.contents, inner, '', []),
        inner: innerText(source.scalar, text),
      });
    }
  }
  return { forms, unread };
}

/**
 * The `--set` path another source sets that takes part in the image at `path`: a key of the
 * image that composes it (not `image.pullPolicy`), the image itself, or a chart-wide registry.
 */
export function overlaps(path: string, names: readonly string[]): string | undefined {
  const composes = (n: string): boolean => IMAGE_PART.test(n.slice(n.lastIndexOf('.') + 1)) || /(^|\.)name$/.test(n);
  return names.find(
    (n) =>
      n === path ||
      path.startsWith(`${n}.`) ||
      (n.startsWith(`${path}.`) && composes(n)) ||
      (n.startsWith('global.') && /registry|hub/i.test(n)),
  );
}
