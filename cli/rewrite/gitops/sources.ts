/**
 * Where a GitOps resource writes the values it hands to a Helm chart:
 * - Flux `HelmRelease` (`helm.toolkit.fluxcd.io`, any version): `spec.values`, plus the values it
 *   names but does not hold (`spec.valuesFrom` ConfigMaps and Secrets, `spec.chart.spec.valuesFiles`);
 * - Argo CD `Application` (`spec.source`, `spec.sources[]`) and `ApplicationSet`
 *   (`spec.template.spec.source(s)`): `helm.valuesObject`, else `helm.values` (a YAML string;
 *   Argo CD reads the string only when there is no `valuesObject`), `helm.parameters`, and the
 *   `helm.valueFiles` it names.
 * The document is read without merge-key expansion, so `<<` stays a key the Helm tree follows
 * (cli/rewrite/helm/tree.ts).
 */
import { isMap, isScalar, isSeq, type Document, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { deref } from '../helm/tree';

/** A key of a YAML path: a map key or a list index. */
export type PathKey = string | number;

/** One place values come from. `keys` is its YAML path in the document, `path` the same, printed. */
export type ValuesSource =
  /** A values tree written as YAML (`spec.values`, `helm.valuesObject`). */
  | { readonly form: 'object'; readonly keys: readonly PathKey[]; readonly path: string; readonly map: YAMLMap }
  /** A values document written as a YAML string (`helm.values`). */
  | { readonly form: 'string'; readonly keys: readonly PathKey[]; readonly path: string; readonly scalar: Scalar }
  /** `--set`-style parameters (`helm.parameters`: `name`, `value`). */
  | { readonly form: 'parameters'; readonly keys: readonly PathKey[]; readonly path: string; readonly seq: YAMLSeq }
  /** Values the resource names but does not hold: a ConfigMap, a Secret, a file. */
  | { readonly form: 'external'; readonly keys: readonly PathKey[]; readonly path: string; readonly reference: string };

/** The values one chart gets: one HelmRelease, or one source of an Application. */
export interface ValuesGroup {
  /** The values sources in Helm's order of precedence, lowest first (parameters last). */
  readonly sources: ValuesSource[];
  /**
   * What changes the images after the chart renders (a Flux post-renderer's kustomize `images`
   * or a patch naming an image): with one, what the values render is not what is deployed.
   */
  readonly renamedBy?: string;
}

const FLUX_GROUP = 'helm.toolkit.fluxcd.io/';
const ARGO_GROUP = 'argoproj.io/';

/** Prints a YAML path: `spec.sources[1].helm`. */
export function printPath(keys: readonly PathKey[]): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

function get(map: unknown, key: string, doc: Document): unknown {
  const m = deref(map, doc);
  if (!isMap(m)) return undefined;
  for (const pair of m.items) {
    const k = deref(pair.key, doc);
    if (isScalar(k) && k.value === key) return deref(pair.value, doc);
  }
  return undefined;
}

function text(node: unknown): string | undefined {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : undefined;
}

/** The kind and apiVersion of a document, when it is a resource whose values ptc reads. */
export function gitOpsKind(apiVersion: unknown, kind: unknown): 'HelmRelease' | 'Application' | 'ApplicationSet' | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  if (apiVersion.startsWith(FLUX_GROUP) && kind === 'HelmRelease') return kind;
  if (apiVersion.startsWith(ARGO_GROUP) && (kind === 'Application' || kind === 'ApplicationSet')) return kind;
  return undefined;
}

function helmRelease(spec: unknown, doc: Document): ValuesGroup {
  const sources: ValuesSource[] = [];
  const files = get(get(get(spec, 'chart', doc), 'spec', doc), 'valuesFiles', doc);
  if (isSeq(files)) {
    files.items.forEach((item, i) => {
      const file = text(deref(item, doc));
      if (file !== undefined)
        sources.push({
          form: 'external',
          keys: ['spec', 'chart', 'spec', 'valuesFiles', i],
          path: `spec.chart.spec.valuesFiles[${i}]`,
          reference: `file ${file} (of the chart's source)`,
        });
    });
  }
  const from = get(spec, 'valuesFrom', doc);
  if (isSeq(from)) {
    from.items.forEach((item, i) => {
      const kind = text(get(item, 'kind', doc)) ?? 'ConfigMap';
      const name = text(get(item, 'name', doc)) ?? '(unnamed)';
      const key = text(get(item, 'valuesKey', doc)) ?? 'values.yaml';
      const target = text(get(item, 'targetPath', doc));
      const reference = `${kind} ${name} key ${key}${target !== undefined ? ` (targetPath ${target})` : ''}`;
      sources.push({ form: 'external', keys: ['spec', 'valuesFrom', i], path: `spec.valuesFrom[${i}]`, reference });
    });
  }
  const values = get(spec, 'values', doc);
  if (isMap(values)) sources.push({ form: 'object', keys: ['spec', 'values'], path: 'spec.values', map: values });
  const renamedBy = postRendered(get(spec, 'postRenderers', doc), doc);
  return renamedBy === undefined ? { sources } : { sources, renamedBy };
}

/** The first Flux post-renderer that may change an image: kustomize `images`, or a patch naming an `image`. */
function postRendered(renderers: unknown, doc: Document): string | undefined {
  if (!isSeq(renderers)) return undefined;
  for (const [i, item] of renderers.items.entries()) {
    const kustomize = get(item, 'kustomize', doc);
    const images = get(kustomize, 'images', doc);
    if (isSeq(images) && images.items.length > 0) return `spec.postRenderers[${i}].kustomize.images`;
    const patches = get(kustomize, 'patches', doc);
    if (isSeq(patches) && /\bimage\b/.test(String(patches))) return `spec.postRenderers[${i}].kustomize.patches`;
  }
  return undefined;
}

function argoHelm(helm: unknown, at: readonly PathKey[], doc: Document): ValuesGroup {
  const sources: ValuesSource[] = [];
  const files = get(helm, 'valueFiles', doc);
  if (isSeq(files)) {
    files.items.forEach((item, i) => {
      const file = text(deref(item, doc));
      const keys = [...at, 'valueFiles', i];
      if (file !== undefined) sources.push({ form: 'external', keys, path: printPath(keys), reference: `file ${file}` });
    });
  }
  const object = get(helm, 'valuesObject', doc);
  const string = get(helm, 'values', doc);
  if (isMap(object)) {
    const keys = [...at, 'valuesObject'];
    sources.push({ form: 'object', keys, path: printPath(keys), map: object });
  } else if (isScalar(string) && typeof string.value === 'string' && string.value.trim() !== '') {
    const keys = [...at, 'values'];
    sources.push({ form: 'string', keys, path: printPath(keys), scalar: string });
  }
  const parameters = get(helm, 'parameters', doc);
  if (isSeq(parameters)) {
    const keys = [...at, 'parameters'];
    sources.push({ form: 'parameters', keys, path: printPath(keys), seq: parameters });
  }
  return { sources };
}

function argoSpec(spec: unknown, at: readonly PathKey[], doc: Document): ValuesGroup[] {
  const groups: ValuesGroup[] = [];
  const source = get(spec, 'source', doc);
  const helm = get(source, 'helm', doc);
  if (helm !== undefined) groups.push(argoHelm(helm, [...at, 'source', 'helm'], doc));
  const list = get(spec, 'sources', doc);
  if (isSeq(list)) {
    list.items.forEach((item, i) => {
      const h = get(item, 'helm', doc);
      if (h !== undefined) groups.push(argoHelm(h, [...at, 'sources', i, 'helm'], doc));
    });
  }
  return groups;
}

/**
 * The values groups of a document (empty for any other kind).
 * @example
 * valuesGroups(parseDocument(helmReleaseText)) // [{ sources: [{ form: 'object', path: 'spec.values', ... }] }]
 */
export function valuesGroups(doc: Document): ValuesGroup[] {
  const root = deref(doc.contents, doc);
  const kind = gitOpsKind(text(get(root, 'apiVersion', doc)), text(get(root, 'kind', doc)));
  const spec = get(root, 'spec', doc);
  if (kind === 'HelmRelease') return [helmRelease(spec, doc)];
  if (kind === 'Application') return argoSpec(spec, ['spec'], doc);
  if (kind === 'ApplicationSet') return argoSpec(get(get(spec, 'template', doc), 'spec', doc), ['spec', 'template', 'spec'], doc);
  return [];
}
