/**
 * Rewrites the images of a Helm values file, following the common chart conventions:
 * - `image: "ref"` (any key named `image` or ending in `Image`, at any depth);
 * - `image: {registry, repository, tag, digest}` (Bitnami style; `global.imageRegistry`, when
 *   set, overrides every such `registry`);
 * - `image: {registry, image, tag, digest}` (ingress-nginx style);
 * - `image: {repository, tag}` at any depth, the repository holding the host, if any.
 * Tags and digests stay as they are; only registries and repositories change.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type Scalar, type YAMLMap } from 'yaml';
import { applyEdits } from './edits';
import { RewriteCollector, scalarOf, stringOf } from './collector';
import { ManifestSyntaxError } from './manifests';
import type { Resolve, RewriteResult } from './types';

/** Keys whose value is an image (a reference string or an image map). */
const IMAGE_KEY = /^image$|Image$/;

interface Walk {
  doc: Document;
  source: string;
  collector: RewriteCollector;
  registryHost: string;
  /** `global.imageRegistry`, when it is set to a non-empty string. */
  globalRegistry?: { node: Scalar; value: string; changed: boolean };
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
  if (resolution?.status !== 'resolved') return;
  const cacheRepository = resolution.cacheRepository!;
  if (viaGlobal) {
    const global = w.globalRegistry!;
    if (!global.changed) {
      global.changed = true;
      w.collector.set(global.node, w.registryHost, w.source, 0, { location: 'global.imageRegistry', from: global.value, to: w.registryHost });
    }
    w.collector.set(repositoryNode, cacheRepository, w.source, 0, { location, from: reference, to: `${w.registryHost}/${cacheRepository}` });
  } else if (registry !== undefined) {
    w.collector.set(registryNode!, w.registryHost, w.source, 0);
    w.collector.set(repositoryNode, cacheRepository, w.source, 0, { location, from: reference, to: `${w.registryHost}/${cacheRepository}` });
  } else {
    const to = `${w.registryHost}/${cacheRepository}`;
    w.collector.set(repositoryNode, to, w.source, 0, { location, from: reference, to });
  }
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
  return node === undefined || value === undefined ? undefined : { node, value, changed: false };
}

/**
 * Rewrites the images of a Helm values file to the cache registry.
 * @throws ManifestSyntaxError naming the line of the first YAML error.
 * @example
 * rewriteHelmValues(text, createResolver(ctx), ctx.registryHost, 'values.yaml').text
 */
export function rewriteHelmValues(source: string, resolve: Resolve, registryHost: string, file = '<stdin>'): RewriteResult {
  const collector = new RewriteCollector(resolve);
  for (const doc of parseAllDocuments(source)) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const line = source.slice(0, error.pos[0]).split('\n').length;
      throw new ManifestSyntaxError(`${file}: YAML error at line ${line}: ${error.message.split('\n')[0]}`);
    }
    const w: Walk = { doc, source, collector, registryHost };
    const globalRegistry = globalRegistryOf(doc);
    if (globalRegistry !== undefined) w.globalRegistry = globalRegistry;
    walk(doc.contents, '', w);
  }
  return { text: applyEdits(source, collector.edits), changes: collector.changes, findings: collector.findings };
}
