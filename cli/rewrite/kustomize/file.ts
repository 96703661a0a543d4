/**
 * One kustomization file (a Kustomization or a Component): its `resources` and `components`, its `images:` entries (with the source nodes the
 * rewrite edits) and what in it ptc cannot follow. Lines ptc adds carry a marker comment, so
 * `--reverse` removes exactly them.
 */
import { isMap, isScalar, isSeq, parse, parseDocument, type Document, type Scalar, type YAMLMap } from 'yaml';
import type { ImageEntry } from './image';
import { SAFE_NAME } from './image';

/** The comment on every line ptc adds to a kustomization. */
export const MARK = '# added by ptc rewrite';

/** One `images:` entry and where it is written. */
export interface EntryNode {
  index: number;
  entry: ImageEntry;
  map: YAMLMap;
  nameNode: Scalar;
  newNameNode?: Scalar;
  /** The whole entry was added by ptc (its `name` line carries the marker). */
  marked: boolean;
  /** Its `newName` line was added by ptc. */
  newNameMarked: boolean;
}

/** Something in a kustomization ptc cannot follow, with its YAML path. */
export interface Unsupported {
  path: string;
  message: string;
}

/** A parsed kustomization. */
export interface KustomizationFile {
  file: string;
  text: string;
  doc: Document;
  kind: string;
  resources: { path: string; value: string }[];
  /** The `components:` it applies, in order (directories holding a `kind: Component`). */
  components: { path: string; value: string }[];
  entries: EntryNode[];
  /** The `images` sequence (undefined when the key is absent). */
  images?: { seq: unknown; key: Scalar };
  /** The images key was added by ptc. */
  imagesMarked: boolean;
  unsupported: Unsupported[];
  /** Patch files it names (relative to its directory), which the loader reads for `image`. */
  patchFiles: { path: string; file: string }[];
}

const NEVER = ['generators', 'transformers', 'validators', 'helmCharts', 'helmChartInflationGenerator', 'helmGlobals', 'configurations'];
const PATCHES = ['patches', 'patchesStrategicMerge', 'patchesJson6902', 'replacements'];

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** The offset of the end of the line holding `at` (its newline, or the end of the text). */
export function lineEnd(text: string, at: number): number {
  const i = text.indexOf('\n', at);
  return i < 0 ? text.length : i;
}

/** Whether the line holding `at` ends with the marker comment. */
export function markedLine(text: string, at: number): boolean {
  return text.slice(lineStart(text, at), lineEnd(text, at)).trimEnd().endsWith(MARK);
}

/** The column of an offset. */
export function columnOf(text: string, at: number): number {
  return at - lineStart(text, at);
}

function str(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

function readEntries(k: KustomizationFile, seq: unknown): void {
  if (seq === null || (isScalar(seq) && seq.value === null)) {
    k.unsupported.push({ path: 'images', message: 'empty; ptc edits only a block list of entries' });
    return;
  }
  if (!isSeq(seq) || seq.flow === true) {
    k.unsupported.push({ path: 'images', message: 'not a block list; ptc edits only block lists (- name: ...)' });
    return;
  }
  seq.items.forEach((item, index) => {
    const path = `images[${index}]`;
    if (!isMap(item) || item.flow === true) {
      k.unsupported.push({ path, message: 'not a block mapping; ptc edits only block entries' });
      return;
    }
    const entry: Partial<ImageEntry> = {};
    let nameNode: Scalar | undefined;
    let newNameNode: Scalar | undefined;
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (key !== 'name' && key !== 'newName' && key !== 'newTag' && key !== 'digest' && key !== 'tagSuffix') {
        k.unsupported.push({ path: `${path}.${String(key)}`, message: 'not an images field ptc knows' });
        continue;
      }
      const value = str(pair.value);
      if (value === undefined || !isScalar(pair.value)) {
        k.unsupported.push({ path: `${path}.${key}`, message: 'not a string (quote it)' });
        continue;
      }
      entry[key] = value;
      if (key === 'name') nameNode = pair.value;
      if (key === 'newName') newNameNode = pair.value;
    }
    if (nameNode === undefined || entry.name === undefined || !SAFE_NAME.test(entry.name)) {
      k.unsupported.push({ path: `${path}.name`, message: 'the name is missing or not a plain image name' });
      return;
    }
    k.entries.push({
      index,
      entry: entry as ImageEntry,
      map: item,
      nameNode,
      ...(newNameNode !== undefined ? { newNameNode } : {}),
      marked: markedLine(k.text, nameNode.range![0]),
      newNameMarked: newNameNode !== undefined && markedLine(k.text, newNameNode.range![0]),
    });
  });
}

/** A remote resource (`github.com/org/repo//dir?ref=v1`, `https://...`, `git@...`) or a local path. */
export function isRemote(value: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ||
    value.startsWith('git@') ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(value) ||
    value.includes('?ref=')
  );
}

/** An `image` key or path segment (`imagePullPolicy` is not one). */
export const IMAGE_KEY = /\bimage\b/;

function mentionsImage(node: unknown): boolean {
  return IMAGE_KEY.test(JSON.stringify(node ?? null));
}

/**
 * Parses a kustomization file.
 * @returns the parsed file, or a string naming the YAML error.
 */
export function parseKustomization(file: string, text: string): KustomizationFile | string {
  const doc = parseDocument(text);
  // More than one document: refused below (kustomize reads one), not reported as a YAML error.
  const multiple = doc.errors.some((e) => e.code === 'MULTIPLE_DOCS');
  const error = doc.errors.find((e) => e.code !== 'MULTIPLE_DOCS');
  if (error !== undefined) return `YAML error: ${error.message.split('\n')[0]}`;
  const root = doc.contents;
  const k: KustomizationFile = {
    file,
    text,
    doc,
    kind: 'Kustomization',
    resources: [],
    components: [],
    entries: [],
    imagesMarked: false,
    unsupported: [],
    patchFiles: [],
  };
  // One document, which may open with a `---` marker (the norm in Flux fleet repositories; kustomize
  // reads it): node ranges are offsets into the whole text, so edits land right after the marker too.
  // A `...` end marker is refused: entries ptc appends at the end of the text would fall outside it.
  if (multiple || doc.directives.docEnd || !isMap(root) || root.flow === true || columnOf(text, root.range[0]) !== 0) {
    k.unsupported.push({ path: '', message: 'not a single block mapping document' });
    return k;
  }
  const kind = str(root.get('kind', true));
  if (kind !== undefined) k.kind = kind;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value: unknown = pair.value;
    if (NEVER.includes(key)) k.unsupported.push({ path: key, message: 'ptc cannot tell what images it renders' });
    if (key === 'resources' || key === 'bases' || key === 'components') {
      if (!isSeq(value)) continue;
      value.items.forEach((item, i) => {
        const v = str(item);
        if (v === undefined) k.unsupported.push({ path: `${key}[${i}]`, message: 'not a string' });
        else (key === 'components' ? k.components : k.resources).push({ path: `${key}[${i}]`, value: v });
      });
    }
    if (PATCHES.includes(key) && isSeq(value)) {
      value.items.forEach((item, i) => {
        const js: unknown = isScalar(item) ? item.value : (item as { toJSON(): unknown }).toJSON();
        // A patchesStrategicMerge string is a file path, or the patch itself when it spans lines.
        const filePath =
          typeof js === 'string'
            ? js.includes('\n')
              ? undefined
              : js
            : js !== null && typeof js === 'object'
              ? (js as { path?: unknown }).path
              : undefined;
        const inline = typeof js === 'string' ? (js.includes('\n') ? { patch: js } : undefined) : js;
        if (typeof filePath === 'string') k.patchFiles.push({ path: `${key}[${i}]`, file: filePath });
        if (inline !== undefined && mentionsImage(key === 'replacements' ? inline : (inline as { patch?: unknown })?.patch)) {
          k.unsupported.push({ path: `${key}[${i}]`, message: 'touches an image field; ptc cannot prove what it renders' });
        }
      });
    }
    if (key === 'images') {
      k.images = { seq: value, key: pair.key as Scalar };
      k.imagesMarked = markedLine(text, (pair.key as Scalar).range![0]);
      readEntries(k, value);
    }
  }
  return k;
}

/** A value as a YAML plain scalar when it reads back as the same string, else double-quoted. */
export function yamlValue(value: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_./:@-]*$/.test(value) && parse(value) === value ? value : JSON.stringify(value);
}

/** The `- ` column and the key column of a block images list, from its first entry. */
export function entryColumns(k: KustomizationFile): { dash: number; key: number } {
  const first = k.entries[0];
  if (first === undefined) return { dash: 0, key: 2 };
  const keyStart = first.map.range![0];
  const key = columnOf(k.text, keyStart);
  const dash = k.text.lastIndexOf('-', keyStart);
  return { dash: columnOf(k.text, dash), key };
}

export { lineStart };
