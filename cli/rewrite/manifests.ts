/**
 * Rewrites the images of Kubernetes manifests: every pod spec anywhere in a document (Pod,
 * Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController,
 * PodTemplate, List items, custom resources that embed a pod template) and its three container
 * lists, and the chart values of Flux HelmReleases and Argo CD Applications (cli/rewrite/gitops).
 * Only the image scalars change; every other byte stays.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Scalar, type YAMLMap } from 'yaml';
import { PtcError } from '../../core';
import { applyEdits } from './edits';
import { RewriteCollector, scalarOf, stringOf } from './collector';
import { MAY_BE_GITOPS, rewriteGitOpsValues } from './gitops';
import { splitDocuments } from './segments';
import { kindClass } from './kinds';
import type { ImageFinding, Resolve, RewriteResult } from './types';

/** The container lists of a pod spec. */
export const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** A document that is not valid YAML. */
export class ManifestSyntaxError extends PtcError {}

/**
 * Documents that cannot hold an image field are parsed (for syntax) but never walked. A key Kubernetes reads as `image`
 * is spelled with the letters "image" somewhere in the document (plain, quoted, `? image`, a
 * block scalar key, an anchor a merge key brings in), or with a YAML/JSON escape, which needs a
 * backslash (`"im\u0061ge"`, `"ima\<newline>ge"`); anything else is never walked. The parsed AST,
 * not this test, decides what is an image.
 */
const MAY_HAVE_IMAGE = /image|\\/i;

/** Parse options: YAML merge keys (`<<: *base`) are merged, as Kubernetes' YAML decoder does. */
export const PARSE_OPTIONS = { merge: true } as const;
/** A line that is neither blank nor a comment. */
const HAS_CONTENT = /^[ \t]*[^\s#]/m;

function describeDocument(doc: Document): string {
  const root = doc.contents;
  if (!isMap(root)) return 'document';
  const kind = root.get('kind');
  const metadata = root.get('metadata');
  const name = isMap(metadata) ? metadata.get('name') : undefined;
  const namespace = isMap(metadata) ? metadata.get('namespace') : undefined;
  const id = typeof name === 'string' ? (typeof namespace === 'string' ? `${namespace}/${name}` : name) : undefined;
  return [typeof kind === 'string' ? kind : 'document', id].filter((s) => s !== undefined).join(' ');
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

interface Walk {
  doc: Document;
  source: string;
  offset: number;
  label: string;
  collector: RewriteCollector;
  /** The kind and apiVersion of the custom resource being walked (`Workflow (argoproj.io/v1alpha1)`), if any. */
  custom?: string;
}

/** A node, or what an alias points at. */
function deref(node: unknown, doc: Document): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** A merge key: `<<` (a Symbol when the document is parsed with `merge: true`). */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (key.value === '<<' || typeof key.value === 'symbol');
}

/**
 * The value of `key` in a mapping, whatever the key's spelling: plain, quoted, escaped, tagged, or
 * an alias of a scalar (`*k : value`). Undefined when the mapping has no such key.
 */
export function valueOf(map: YAMLMap, key: string, doc: Document): unknown {
  for (const pair of map.items) {
    const k = deref(pair.key, doc);
    if (isScalar(k) && k.value === key) return pair.value;
  }
  return undefined;
}

/** Whether a mapping has `key`, whatever its spelling. */
function hasKey(map: YAMLMap, key: string, doc: Document): boolean {
  return map.items.some((pair) => {
    const k = deref(pair.key, doc);
    return isScalar(k) && k.value === key;
  });
}

/**
 * The scalar a container's `image` is, following merge keys the way Kubernetes' YAML decoder
 * does: the container's own key first, then each merged map in order (depth-bounded against
 * alias cycles).
 */
export function imageNodeOf(container: YAMLMap, doc: Document, depth = 0): Scalar | undefined {
  if (hasKey(container, 'image', doc)) return scalarOf(valueOf(container, 'image', doc), doc);
  if (depth > 16) return undefined;
  for (const pair of container.items) {
    if (!isMergeKey(pair.key)) continue;
    const value = deref(pair.value, doc);
    for (const source of isSeq(value) ? value.items : [value]) {
      const map = deref(source, doc);
      const found = isMap(map) ? imageNodeOf(map, doc, depth + 1) : undefined;
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function rewritePodSpec(spec: YAMLMap, path: string, w: Walk): void {
  for (const list of CONTAINER_LISTS) {
    const containers = deref(valueOf(spec, list, w.doc), w.doc);
    if (!isSeq(containers)) continue;
    containers.items.forEach((item, index) => {
      const container = deref(item, w.doc);
      if (!isMap(container)) return;
      const node = imageNodeOf(container, w.doc);
      const image = stringOf(node);
      if (node === undefined || image === undefined) return;
      const name = container.get('name');
      const location = `${w.label} ${path}${list}[${index}]${typeof name === 'string' ? ` (${name})` : ''}`;
      // In an operator's or pipeline's own kind, what is not a reference is skipped, not failed.
      const custom = w.custom;
      const onInvalid =
        custom === undefined
          ? undefined
          : (message: string): ImageFinding => ({
              location,
              reference: image,
              reason: 'skipped',
              message: `${image} skipped: not an image reference in a ${custom} (${message.replace(/^invalid image reference "[^]*?": /, '')})`,
            });
      const resolution = w.collector.lookup(image, location, onInvalid);
      if (resolution?.status !== 'resolved') return;
      w.collector.set(node, resolution.output, w.source, w.offset, { location, from: image, to: resolution.output });
    });
  }
}

function walk(node: unknown, path: string, w: Walk): void {
  if (isMap(node)) {
    // A document or List item: policies and schemas are never walked; other kinds than
    // Kubernetes' own workloads are walked as custom resources.
    const apiVersion = deref(valueOf(node, 'apiVersion', w.doc), w.doc);
    if (isScalar(apiVersion) && typeof apiVersion.value === 'string') {
      const kind = deref(valueOf(node, 'kind', w.doc), w.doc);
      const cls = kindClass(apiVersion.value);
      if (cls === 'policy') return;
      const custom =
        cls === 'custom'
          ? `${isScalar(kind) && typeof kind.value === 'string' ? kind.value : 'resource'} (${apiVersion.value})`
          : undefined;
      if (custom !== w.custom) w = { ...w, ...(custom === undefined ? { custom: undefined } : { custom }) };
    }
    if (isSeq(deref(valueOf(node, 'containers', w.doc), w.doc))) rewritePodSpec(node, path, w);
    for (const pair of node.items) {
      const key = (pair.key as { value?: unknown } | null)?.value;
      if (typeof key === 'string' && (CONTAINER_LISTS as readonly string[]).includes(key)) continue;
      if (isMap(pair.value) || isSeq(pair.value)) walk(pair.value, `${path}${String(key)}.`, w);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      if (isMap(item) || isSeq(item)) walk(item, `${path.slice(0, -1)}[${index}].`, w);
    });
  }
}

/** What `rewriteManifests` reads. */
export interface ManifestsOptions {
  /**
   * Rewrite pod specs; false reads only the chart values of GitOps resources (in a file a
   * kustomization owns, whose pod specs are its `images:` entries' business).
   * @default true
   */
  podSpecs?: boolean;
}

/**
 * Rewrites every container image of a multi-document manifest stream to its cache URI.
 * @throws ManifestSyntaxError naming the line of the first YAML error.
 * @example
 * rewriteManifests(text, createResolver(ctx), 'deploy.yaml').text
 */
export function rewriteManifests(source: string, resolve: Resolve, file = '<stdin>', options: ManifestsOptions = {}): RewriteResult {
  const collector = new RewriteCollector(resolve);
  let index = 0;
  for (const segment of splitDocuments(source)) {
    // Every document is parsed, so a broken one is said even when it holds no image; only
    // documents that may hold an image field are walked.
    const walkable = MAY_HAVE_IMAGE.test(segment.text) || MAY_BE_GITOPS.test(segment.text);
    if (!walkable && !segment.text.startsWith('---') && !HAS_CONTENT.test(segment.text)) continue;
    for (const doc of parseAllDocuments(segment.text, PARSE_OPTIONS)) {
      const error = doc.errors[0];
      if (error !== undefined) {
        // The line in the file (the parser's own "at line" counts from the document); an error at
        // the end of the text (an unclosed quote) is said at the last line that holds anything.
        const at = segment.offset + Math.min(error.pos[0], segment.text.trimEnd().length);
        throw new ManifestSyntaxError(
          `${file}: YAML error at line ${lineOf(source, at)}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        );
      }
      if (!walkable) {
        index++;
        continue;
      }
      const label = `${describeDocument(doc)} [doc ${index + 1}]`;
      if (options.podSpecs !== false) walk(doc.contents, '', { doc, source: segment.text, offset: segment.offset, label, collector });
      rewriteGitOpsValues(doc, segment, label, collector, resolve);
      index++;
    }
  }
  return { text: applyEdits(source, collector.edits), changes: collector.changes, findings: collector.findings };
}
