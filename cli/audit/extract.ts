/**
 * Finds every container image in Kubernetes input: `kubectl get pods -A -o json` output (a `List`
 * of pods), single objects, or rendered manifests (YAML, several documents). It reads the same
 * documents `ptc rewrite` does: a pod spec is any mapping with a `containers` list, wherever it
 * is (workloads, `List` items, custom resources that embed a pod template), the chart values of
 * Flux HelmReleases and Argo CD Applications (cli/rewrite/gitops), and YAML merge keys are
 * merged, as Kubernetes' YAML decoder does.
 */
import { parseAllDocuments } from 'yaml';
import { PtcError } from '../../core';
import { kindClass } from '../rewrite/kinds';
import { valuesImages } from '../rewrite/gitops';

/** Which list of the pod spec a container comes from. */
export type ContainerKind = 'container' | 'initContainer' | 'ephemeralContainer';

/** One container of one pod (or pod template) and the image it uses. */
export interface ImageUse {
  /** The image as written in the pod spec. */
  readonly image: string;
  /** The pod or workload it belongs to: `namespace/name` for a pod, `Kind namespace/name` for a template. */
  readonly owner: string;
  readonly container: string;
  readonly containerKind: ContainerKind;
  /** The digest the node actually pulled, from `status.*ContainerStatuses[].imageID` (pods only). */
  readonly runningDigest?: string;
}

/** The audit input could not be read as JSON or YAML; the message names the source and the line. */
export class AuditInputError extends PtcError {}

const CONTAINER_LISTS: readonly [ContainerKind, string, string][] = [
  ['initContainer', 'initContainers', 'initContainerStatuses'],
  ['container', 'containers', 'containerStatuses'],
  ['ephemeralContainer', 'ephemeralContainers', 'ephemeralContainerStatuses'],
];

/**
 * Parses the text of one input into its documents: JSON when it is JSON, YAML (several
 * documents) otherwise.
 * @throws AuditInputError naming the source and where it failed.
 */
export function parseDocuments(text: string, source: string): unknown[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return [JSON.parse(trimmed)];
    } catch (err) {
      throw new AuditInputError(`${source}: not valid JSON (${(err as Error).message})`);
    }
  }
  const documents = parseAllDocuments(text, { prettyErrors: true, merge: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const values: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const line = error.linePos?.[0]?.line;
      throw new AuditInputError(
        `${source}: not valid YAML${line !== undefined ? ` (line ${line})` : ''}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    }
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = record(current)?.[key];
  return current;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The digest in an `imageID` (`docker.io/library/nginx@sha256:…`, `docker-pullable://…@sha256:…`, or `sha256:…`). */
export function digestOf(imageId: string | undefined): string | undefined {
  return imageId === undefined ? undefined : /(sha256:[a-f0-9]{64})/.exec(imageId)?.[1];
}

function podSpecUses(spec: unknown, status: unknown, owner: string): ImageUse[] {
  const uses: ImageUse[] = [];
  for (const [containerKind, listKey, statusKey] of CONTAINER_LISTS) {
    const containers = at(spec, listKey);
    if (!Array.isArray(containers)) continue;
    const statuses = at(status, statusKey);
    for (const c of containers) {
      const image = text(at(c, 'image'));
      const container = text(at(c, 'name')) ?? '(unnamed)';
      if (image === undefined) continue;
      const st: unknown = Array.isArray(statuses) ? statuses.find((s) => at(s, 'name') === container) : undefined;
      const runningDigest = digestOf(text(at(st, 'imageID')));
      uses.push({ image, owner, container, containerKind, ...(runningDigest !== undefined ? { runningDigest } : {}) });
    }
  }
  return uses;
}

/** The owner label of a Kubernetes object: `namespace/name` for a Pod, `Kind namespace/name` otherwise. */
function ownerOf(doc: Record<string, unknown>, kind: string): string {
  const name = text(at(doc, 'metadata', 'name')) ?? '(unnamed)';
  const namespace = text(at(doc, 'metadata', 'namespace')) ?? 'default';
  return kind === 'Pod' ? `${namespace}/${name}` : `${kind} ${namespace}/${name}`;
}

function walk(value: unknown, owner: { label: string; pod?: Record<string, unknown> }, uses: ImageUse[], depth: number): void {
  if (depth > 64) return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, owner, uses, depth + 1);
    return;
  }
  const map = record(value);
  if (map === undefined) return;
  const kind = text(map.kind);
  // Policies and schemas (Kyverno, Gatekeeper, admission policies, CRDs) hold patterns, never workloads.
  if (typeof map.apiVersion === 'string' && kindClass(map.apiVersion) === 'policy') return;
  const here =
    kind !== undefined && record(map.metadata) !== undefined
      ? { label: ownerOf(map, kind), ...(kind === 'Pod' ? { pod: map } : {}) }
      : owner;
  // The chart values of a HelmRelease, Application or ApplicationSet, composed as `ptc rewrite` does.
  if (kind !== undefined && here !== owner) {
    for (const v of valuesImages(map)) uses.push({ image: v.image, owner: here.label, container: v.path, containerKind: 'container' });
  }
  if (Array.isArray(map.containers)) {
    // The pod's own spec gets the digests of its container statuses.
    const status = here.pod !== undefined && here.pod.spec === map ? here.pod.status : undefined;
    uses.push(...podSpecUses(map, status, here.label));
  }
  for (const [key, child] of Object.entries(map)) {
    if (key === 'containers' || key === 'initContainers' || key === 'ephemeralContainers' || key === 'status') continue;
    if (typeof child === 'object' && child !== null) walk(child, here, uses, depth + 1);
  }
}

/**
 * Every image use in a parsed document: every pod spec in it (a mapping with a `containers`
 * list), owned by the nearest enclosing object (`Kind namespace/name`, or `namespace/name` for a
 * Pod, whose container statuses give the digests the nodes run).
 * @example
 * imageUses({ kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } })
 * // [{ image: 'nginx:1.27', owner: 'shop/web', container: 'nginx', containerKind: 'container' }]
 */
export function imageUses(document: unknown): ImageUse[] {
  const uses: ImageUse[] = [];
  walk(document, { label: '(unnamed)' }, uses, 0);
  return uses;
}
