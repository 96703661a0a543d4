/**
 * Rewrites the images of a Helm values file, following the common chart conventions:
 * - `image: "ref"` (any key named `image` or ending in `Image`, at any depth);
 * - `image: {registry, repository, tag, digest}` (Bitnami style; `global.imageRegistry`, when
 *   set, overrides every such `registry`);
 * - `image: {registry, image, tag, digest}` (ingress-nginx style);
 * - `image: {repository, tag}` at any depth, the repository holding the host, if any.
 * Tags and digests stay as they are; only registries and repositories change. The direction is
 * the resolver's: to the cache (`createResolver`) or back upstream (`createReverser`).
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type Scalar, type YAMLMap } from 'yaml';
import { parseReference, type Resolution } from '../../core';
import { applyEdits } from './edits';
import { RewriteCollector, scalarOf, stringOf } from './collector';
import { ManifestSyntaxError } from './manifests';
import type { Resolve, RewriteResult } from './types';

/** Keys whose value is an image (a reference string or an image map). */
const IMAGE_KEY = /^image$|Image$/;

/** An image map whose registry is `global.imageRegistry`: all of them change together, or none. */
interface GlobalImage {
  repositoryNode: Scalar;
  reference: string;
  location: string;
  resolution: Resolution | undefined;
}

interface Walk {
  doc: Document;
  source: string;
  collector: RewriteCollector;
  /** `global.imageRegistry`, when it is set to a non-empty string. */
  globalRegistry?: { node: Scalar; value: string };
  /** The image maps `global.imageRegistry` serves, decided once the document is walked. */
  globalImages: GlobalImage[];
}

/** The output reference's name without tag and digest: what a `repository` holding the host gets. */
function nameOf(output: string): string {
  const at = output.indexOf('@');
  const name = at < 0 ? output : output.slice(0, at);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

function rewriteImageMap(map: YAMLMap, path: string, w: Walk): void {
  const hasRegistry = map.has('registry');
  let repositoryNode = scalarOf(map.get('repository', true), w.doc);
  if (stringOf(repositoryNode) === undefined && hasRegistry) repositoryNode = scalarOf(map.get('image', true), w.doc);
  const repository = stringOf(repositoryNode);
  if (repositoryNode === undefined || repository === undefined) return;
  const registryNode = hasRegistry ? scalarOf(map.get('registry', true), w.doc) : undefined;
  const ownRegistry = stringOf(registryNode);
  const viaGlobal = hasRegistry && w.globalRegistry !== undefined;
  const registry = viaGlobal ? w.globalRegistry!.value : ownRegistry;
  const reference = registry === undefined ? repository : `${registry}/${repository}`;
  const location = path;
  const resolution = w.collector.lookup(reference, location);
  if (viaGlobal) {
    w.globalImages.push({ repositoryNode, reference, location, resolution });
    return;
  }
  if (resolution?.status !== 'resolved') return;
  if (registry !== undefined) {
    const target = parseReference(resolution.output);
    w.collector.set(registryNode!, target.host, w.source, 0);
    w.collector.set(repositoryNode, target.repository, w.source, 0, { location, from: reference, to: `${target.host}/${target.repository}` });
  } else {
    const to = nameOf(resolution.output);
    w.collector.set(repositoryNode, to, w.source, 0, { location, from: reference, to });
  }
}

/**
 * `global.imageRegistry` overrides the registry of every Bitnami image map, so it can only move
 * when every image it serves moves to the same registry; otherwise nothing it serves changes.
 */
function rewriteGlobalImages(w: Walk): void {
  const global = w.globalRegistry;
  const resolved = w.globalImages.filter((g) => g.resolution?.status === 'resolved');
  if (global === undefined || resolved.length === 0) return;
  const targets = resolved.map((g) => parseReference(g.resolution!.output));
  const host = targets[0]!.host;
  const blocker = w.globalImages.find((g) => g.resolution?.status !== 'resolved') ??
    resolved.find((_, i) => targets[i]!.host !== host);
  if (blocker !== undefined) {
    const why = (other: GlobalImage): string => {
      const r = other.resolution;
      if (r === undefined) return 'is not a valid reference';
      if (r.status === 'resolved') return `moves to another registry (${parseReference(r.output).host})`;
      return r.status === 'uncovered' ? 'no rule covers' : 'already points there';
    };
    for (const g of resolved) {
      // A blocker that moves elsewhere is held back by the first image, and says so too.
      const other = g === blocker ? resolved[0]! : blocker;
      w.collector.findings.push({
        location: g.location,
        reference: g.reference,
        reason: 'blocked',
        message: `${g.reference} left unchanged: global.imageRegistry ("${global.value}") also serves ${other.location} (${other.reference}), which ${why(other)}`,
      });
    }
    return;
  }
  w.collector.set(global.node, host, w.source, 0, { location: 'global.imageRegistry', from: global.value, to: host });
  resolved.forEach((g, i) => {
    const to = `${host}/${targets[i]!.repository}`;
    w.collector.set(g.repositoryNode, targets[i]!.repository, w.source, 0, { location: g.location, from: g.reference, to });
  });
}

function walk(node: unknown, path: string, w: Walk): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const here = path === '' ? key : `${path}.${key}`;
      if (IMAGE_KEY.test(key)) {
        const scalar = scalarOf(pair.value, w.doc);
        const reference = stringOf(scalar);
        if (scalar !== undefined && reference !== undefined) {
          const resolution = w.collector.lookup(reference, here);
          if (resolution?.status === 'resolved') {
            w.collector.set(scalar, resolution.output, w.source, 0, { location: here, from: reference, to: resolution.output });
          }
          continue;
        }
        if (isMap(pair.value) && (pair.value.has('repository') || (pair.value.has('registry') && pair.value.has('image')))) {
          rewriteImageMap(pair.value, here, w);
          continue;
        }
      }
      walk(pair.value, here, w);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => walk(item, `${path}[${index}]`, w));
  }
}

function globalRegistryOf(doc: Document): Walk['globalRegistry'] {
  const global = isMap(doc.contents) ? doc.contents.get('global', true) : undefined;
  if (!isMap(global)) return undefined;
  const node = scalarOf(global.get('imageRegistry', true), doc);
  const value = stringOf(node);
  return node === undefined || value === undefined ? undefined : { node, value };
}

/**
 * Rewrites the images of a Helm values file with `resolve`: to the cache registry with
 * `createResolver`, back to the upstream registries with `createReverser`.
 * @throws ManifestSyntaxError naming the line of the first YAML error.
 * @example
 * rewriteHelmValues(text, createResolver(ctx), 'values.yaml').text
 */
export function rewriteHelmValues(source: string, resolve: Resolve, file = '<stdin>'): RewriteResult {
  const collector = new RewriteCollector(resolve);
  for (const doc of parseAllDocuments(source)) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const line = source.slice(0, error.pos[0]).split('\n').length;
      throw new ManifestSyntaxError(`${file}: YAML error at line ${line}: ${error.message.split('\n')[0]}`);
    }
    const w: Walk = { doc, source, collector, globalImages: [] };
    const globalRegistry = globalRegistryOf(doc);
    if (globalRegistry !== undefined) w.globalRegistry = globalRegistry;
    walk(doc.contents, '', w);
    rewriteGlobalImages(w);
  }
  return { text: applyEdits(source, collector.edits), changes: collector.changes, findings: collector.findings };
}
