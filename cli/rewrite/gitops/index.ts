/**
 * The values Flux `HelmRelease`s and Argo CD `Application`s / `ApplicationSet`s hand to their
 * charts, rewritten in the manifests path of `ptc rewrite` with the same Helm-values logic as
 * `--helm-values` (recognize, compose, prove against the resolver, report what cannot be
 * proven) and in place: only the scalars of the image values change. Values the resource names
 * but does not hold (`valuesFrom`, `valueFiles`) are reported as not seen (reason `unseen`,
 * which does not change the exit code). See docs/helm-and-kustomize.md, "GitOps resources".
 */
import { parseAllDocuments, parseDocument, stringify, type Document, type Scalar } from 'yaml';
import type { RewriteCollector } from '../collector';
import { applyEdits, scalarEdit, type SourceEdit } from '../edits';
import { HelmPlanner } from '../helm/plan';
import { compose } from '../helm/sites';
import type { Source } from '../helm/tree';
import type { ImageChange, Resolve } from '../types';
import { overlaps, readForms, type Form } from './forms';
import { gitOpsKind, valuesGroups, type PathKey } from './sources';

export { gitOpsKind } from './sources';

const TEMPLATE = /\{\{|\$[({]/;

/** Text that may hold a HelmRelease, Application or ApplicationSet (whose values may name images without the word "image"). */
export const MAY_BE_GITOPS = /HelmRelease|Application/;

/** Where a value of a form is, for reports: `spec.values.image`, `spec.source.helm.values (image)`. */
function locate(form: Form, path: string): string {
  return form.source.form === 'object' ? `${form.source.path}.${path}` : `${form.source.path} (${path})`;
}

/** The document of `text` that starts where `doc` starts, read again without merge keys. */
function plainDocument(text: string, start: number): Document | undefined {
  return parseAllDocuments(text).find((d) => d.range[0] === start);
}

function stringAt(text: string, start: number, keys: readonly PathKey[]): unknown {
  return plainDocument(text, start)?.getIn(keys);
}

type Planned = ReadonlyMap<Scalar, { value: string; base: Source }>;

interface Segment {
  readonly text: string;
  readonly offset: number;
}

/** Plans one form; returns its planned values and changes, findings going to the collector. */
function plan(
  form: Form,
  others: readonly string[],
  renamedBy: string | undefined,
  label: string,
  collector: RewriteCollector,
  resolve: Resolve,
): { values: Planned; changes: ImageChange[] } {
  const rec = form.recognized;
  const sites = rec.sites.filter((site) => {
    if (renamedBy !== undefined) {
      rec.unsupported.push({
        path: site.path,
        message: `${renamedBy} may change this image after the chart renders it; ptc cannot prove what is deployed`,
      });
      return false;
    }
    const other = overlaps(site.path, others);
    if (other !== undefined)
      rec.unsupported.push({
        path: site.path,
        message: `${other} is also set by another values source of this chart; ptc reads each source alone, so it cannot prove what the chart renders`,
      });
    return other === undefined;
  });
  const mark = collector.findings.length;
  const planner = new HelmPlanner(collector, resolve);
  planner.plan({ ...rec, sites });
  for (const f of collector.findings.slice(mark)) f.location = `${label} ${locate(form, f.location)}`;
  const changes = planner.planned.changes.map((c) => ({ ...c, location: `${label} ${locate(form, c.location)}` }));
  return { values: planner.planned.values, changes };
}

/** Reports the planned changes of a form as left alone, with why. */
function refuse(changes: readonly ImageChange[], why: string, collector: RewriteCollector): void {
  for (const c of changes)
    collector.findings.push({
      location: c.location,
      reference: c.from,
      reason: 'unsupported',
      message: `${c.from} left unchanged: ${why}`,
    });
}

/** Carries the edits of a values string into the file, proven by reading the string back. */
function stringEdits(form: Form, values: Planned, segment: Segment, start: number): SourceEdit[] | string {
  const inner = form.inner!;
  if (typeof inner === 'string') return `${form.source.path} is ${inner}, which ptc does not edit inside`;
  const edits: SourceEdit[] = [];
  const innerEdits: SourceEdit[] = [];
  for (const [node, { value }] of values) {
    const edit = scalarEdit(node, value, inner.text);
    const outer = inner.toOuter(edit);
    if (typeof outer === 'string') return `in ${form.source.path}, ${outer}`;
    innerEdits.push(edit);
    edits.push(outer);
  }
  const expected = applyEdits(inner.text, innerEdits);
  if (stringAt(applyEdits(segment.text, edits), start, form.source.keys) !== expected)
    return `${form.source.path} does not read back as the rewritten values`;
  return edits.map((e) => ({ ...e, start: e.start + segment.offset, end: e.end + segment.offset }));
}

/**
 * Rewrites the chart values of one document, when it is a HelmRelease, an Application or an
 * ApplicationSet (anything else is left to the manifests walk). `doc` is the document as the
 * manifests path parsed it, `segment` the text it was parsed from, `label` how reports name it.
 */
export function rewriteGitOpsValues(doc: Document, segment: Segment, label: string, collector: RewriteCollector, resolve: Resolve): void {
  const root = doc.contents as { get?: (key: string) => unknown } | null;
  if (root?.get === undefined || gitOpsKind(root.get('apiVersion'), root.get('kind')) === undefined) return;
  const start = doc.range?.[0] ?? 0;
  const plain = plainDocument(segment.text, start);
  if (plain === undefined) return;
  for (const group of valuesGroups(plain)) {
    for (const source of group.sources) {
      if (source.form !== 'external') continue;
      const message = `${source.reference} is not read by ptc: the images it sets (or the registries it puts in front of the images here) are not checked`;
      collector.findings.push({ location: `${label} ${source.path}`, reference: source.reference, reason: 'unseen', message });
    }
    const { forms, unread } = readForms(group, plain, segment.text, segment.offset);
    for (const u of unread)
      collector.findings.push({
        location: `${label} ${u.source.path}`,
        reference: u.source.path,
        reason: 'unsupported',
        message: u.message,
      });
    for (const form of forms) {
      const others = forms.filter((f) => f !== form).flatMap((f) => f.names);
      const { values, changes } = plan(form, others, group.renamedBy, label, collector, resolve);
      if (values.size === 0) {
        collector.changes.push(...changes);
        continue;
      }
      if (form.source.form === 'string') {
        const edits = stringEdits(form, values, segment, start);
        if (typeof edits === 'string') refuse(changes, edits, collector);
        else {
          collector.edits.push(...edits);
          collector.changes.push(...changes);
        }
        continue;
      }
      for (const [node, { value, base }] of values) collector.set(node, value, base.text, base.offset);
      collector.changes.push(...changes);
    }
  }
}

/** One image a GitOps resource's values give its chart, for `ptc audit`. */
export interface ValuesImage {
  /** The image the chart renders, composed from the values. */
  readonly image: string;
  /** Where it is written: `spec.values.container.image`. */
  readonly path: string;
}

/**
 * The images the values of a HelmRelease, Application or ApplicationSet (given as parsed JSON or
 * YAML) hand to its chart, composed the way `ptc rewrite` composes them; empty for other kinds.
 * @example
 * valuesImages({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', spec: { values: { image: { repository: 'nats', tag: '2.10' } } } })
 * // [{ image: 'nats:2.10', path: 'spec.values.image' }]
 */
export function valuesImages(resource: Record<string, unknown>): ValuesImage[] {
  if (gitOpsKind(resource.apiVersion, resource.kind) === undefined) return [];
  const text = stringify(resource);
  const doc = parseDocument(text);
  const out: ValuesImage[] = [];
  for (const group of valuesGroups(doc)) {
    for (const form of readForms(group, doc, text, 0).forms) {
      for (const site of form.recognized.sites) {
        const image = compose(site, (s) => s?.value);
        if (image !== undefined && !TEMPLATE.test(image)) out.push({ image, path: locate(form, site.path) });
      }
    }
  }
  return out;
}
