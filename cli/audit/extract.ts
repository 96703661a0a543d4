/**
 * Finds every container image in Kubernetes input: `kubectl get pods -A -o json` output (a `List`
 * of pods), single objects, or rendered manifests (YAML, several documents), of any workload kind
 * that holds a pod template.
 */
import { parseAllDocuments } from 'yaml';
import { PtcError } from '../../core';

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

/** Workload kinds whose `spec.template.spec` is a pod spec. */
const TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController']);

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
      return [JSON.parse(text)];
    } catch (err) {
      throw new AuditInputError(`${source}: not valid JSON (${(err as Error).message})`);
    }
  }
  const documents = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const values: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const line = error.linePos?.[0]?.line;
      throw new AuditInputError(`${source}: not valid YAML${line !== undefined ? ` (line ${line})` : ''}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
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
      const st = Array.isArray(statuses) ? statuses.find((s) => at(s, 'name') === container) : undefined;
      const runningDigest = digestOf(text(at(st, 'imageID')));
      uses.push({ image, owner, container, containerKind, ...(runningDigest !== undefined ? { runningDigest } : {}) });
    }
  }
  return uses;
}

/**
 * Every image use in a parsed document: pods (with the digests from their status), pod
 * templates of workloads and CronJobs, and everything inside `List`-like `items`.
 * @example
 * imageUses({ kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } })
 * // [{ image: 'nginx:1.27', owner: 'shop/web', container: 'nginx', containerKind: 'container' }]
 */
export function imageUses(document: unknown): ImageUse[] {
  if (Array.isArray(document)) return document.flatMap(imageUses);
  const doc = record(document);
  if (doc === undefined) return [];
  const items = doc.items;
  if (Array.isArray(items)) return items.flatMap(imageUses);
  const kind = text(doc.kind);
  const name = text(at(doc, 'metadata', 'name')) ?? '(unnamed)';
  const namespace = text(at(doc, 'metadata', 'namespace')) ?? 'default';
  if (kind === 'Pod') return podSpecUses(doc.spec, doc.status, `${namespace}/${name}`);
  const owner = `${kind} ${namespace}/${name}`;
  if (kind !== undefined && TEMPLATE_KINDS.has(kind)) return podSpecUses(at(doc, 'spec', 'template', 'spec'), undefined, owner);
  if (kind === 'CronJob') return podSpecUses(at(doc, 'spec', 'jobTemplate', 'spec', 'template', 'spec'), undefined, owner);
  if (kind === 'PodTemplate') return podSpecUses(at(doc, 'template', 'spec'), undefined, owner);
  return [];
}
