/**
 * `ptc rewrite` on kustomization trees. Kustomize's `images:` transformer matches by the name
 * an image has when it reaches a kustomization, so rewriting a base's manifests would stop its
 * overlays' entries from applying. Instead, every kustomization is made to render the cache:
 * bases first, each kustomization's `images:` entries are edited (`name` to what now reaches it,
 * `newName` to the cache name, tags and digests kept) or added, and the result is proven by
 * rendering it again. Manifests a kustomization owns are never edited. What ptc cannot follow
 * (remote bases, components, generators, Helm charts, patches or replacements touching an image)
 * is reported and left alone, with every kustomization whose rendering depends on it.
 */
import * as path from 'node:path';
import { PtcError, truncate } from '../../../core';
import { applyEdits } from '../edits';
import { RewriteCollector } from '../collector';
import type { InputFile } from '../../io';
import type { ImageFinding, Resolve, RewriteResult } from '../types';
import { render, planKustomization, type NodePlan } from './plan';
import { findKustomizations, KUSTOMIZATION_NAMES, loadTree, type KNode } from './load';
import type { ImageSlot } from './image';

export { KUSTOMIZATION_NAMES } from './load';

/** What the rewrite did to one kustomization file. */
export interface KustomizationOutcome {
  file: string;
  /** The file, absolute. */
  path: string;
  read?: InputFile;
  result: RewriteResult;
}

/** Whether a path names a kustomization file. */
export function isKustomizationFile(file: string): boolean {
  return (KUSTOMIZATION_NAMES as readonly string[]).includes(path.basename(file));
}

/** A directory given to `ptc rewrite` holds no kustomization. */
export class NoKustomizationError extends PtcError {}

const subs = (n: KNode): KNode[] => n.resources.flatMap((r) => (r.kind === 'kustomization' ? [r.node] : []));

function descendants(n: KNode, out: Set<KNode>): Set<KNode> {
  for (const s of subs(n)) if (!out.has(s)) descendants(s, out.add(s));
  return out;
}

/**
 * Rewrites the kustomizations at `targets` (directories are searched for kustomization files;
 * relative to `cwd`) with `resolve`, to the cache or, with a reverser, back upstream.
 * @returns one outcome per kustomization found under the targets, and the manifest files they own.
 */
export function rewriteKustomizations(targets: readonly string[], resolve: Resolve, cwd: string): { outcomes: KustomizationOutcome[]; owned: Set<string> } {
  const roots = targets.flatMap((t) => {
    const at = path.resolve(cwd, t);
    if (isKustomizationFile(at)) return [at];
    const found = findKustomizations(at);
    if (found.length === 0) throw new NoKustomizationError(`${truncate(t, 200)} is a directory without a kustomization file; name the manifest files to rewrite them`);
    return found;
  });
  const requested = new Set(roots);
  const tree = loadTree(roots, cwd);
  const nodes = [...tree.nodes.values()];
  // Post-order: every base before the kustomizations that use it.
  const order: KNode[] = [];
  const seen = new Set<KNode>();
  const visit = (n: KNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    subs(n).forEach(visit);
    order.push(n);
  };
  nodes.forEach(visit);
  // A kustomization whose rendering ptc cannot know: its own shape, or a base's.
  const unknown = new Map<KNode, string>();
  for (const n of order) {
    if (n.unsupported.length > 0) unknown.set(n, 'not understood');
    else {
      const bad = subs(n).find((s) => unknown.has(s));
      if (bad !== undefined) unknown.set(n, `its base ${bad.file} is not understood`);
    }
  }
  // Frozen: left exactly as it is. The unknown, what lies outside the targets, and the bases of
  // anything frozen (its entries match the names its bases render today).
  const frozen = new Map<KNode, string>();
  const freeze = (n: KNode, why: string): void => {
    if (!frozen.has(n)) frozen.set(n, why);
    for (const d of descendants(n, new Set())) if (!frozen.has(d)) frozen.set(d, `${n.file}, which uses it, is left unchanged`);
  };
  for (const [n, why] of unknown) freeze(n, why);
  for (const n of order) if (!requested.has(n.path)) freeze(n, 'outside the paths given');
  let plans = new Map<KNode, NodePlan>();
  let collectors = new Map<KNode, RewriteCollector>();
  for (let round = 0; round <= order.length; round++) {
    plans = new Map();
    collectors = new Map();
    const before = new Map<KNode, ImageSlot[]>();
    const after = new Map<KNode, ImageSlot[]>();
    let failed = false;
    for (const n of order) {
      const entries = n.k?.entries.map((e) => e.entry) ?? [];
      const inputs = (w: Map<KNode, ImageSlot[]>): ImageSlot[] => n.resources.flatMap((r) => (r.kind === 'manifest' ? r.slots : w.get(r.node) ?? []));
      const inBefore = inputs(before);
      const inAfter = inputs(after);
      before.set(n, render(entries, inBefore));
      if (frozen.has(n) || n.k === undefined) {
        after.set(n, render(entries, inAfter));
        continue;
      }
      const collector = new RewriteCollector(resolve);
      const plan = planKustomization({ k: n.k, before: inBefore, after: inAfter, resolve, collector });
      if (plan.failure !== undefined) {
        freeze(n, plan.failure);
        failed = true;
        break;
      }
      plans.set(n, plan);
      collectors.set(n, collector);
      after.set(n, render(plan.entries, inAfter));
    }
    if (!failed) break;
  }
  const outcomes: KustomizationOutcome[] = [];
  for (const n of order) {
    if (!requested.has(n.path)) continue;
    const text = n.read?.text ?? '';
    const plan = plans.get(n);
    const findings: ImageFinding[] = [];
    const why = frozen.get(n);
    if (why !== undefined) {
      if (n.unsupported.length > 0) {
        for (const u of n.unsupported) findings.push({ location: u.path || 'kustomization', reference: n.file, reason: 'unsupported', message: `${u.message}; left unchanged` });
      } else {
        findings.push({ location: 'kustomization', reference: n.file, reason: 'unsupported', message: `left unchanged: ${why}` });
      }
    }
    findings.push(...(collectors.get(n)?.findings ?? []));
    const result: RewriteResult = { text: plan === undefined ? text : applyEdits(text, plan.edits), changes: plan?.changes ?? [], findings };
    outcomes.push({ file: n.file, path: n.path, ...(n.read !== undefined ? { read: n.read } : {}), result });
  }
  return { outcomes, owned: tree.owned };
}

/**
 * What ptc's model of Kustomize says each kustomization under `targets` renders (image values
 * in resource order), for the kustomizations it understands; for tests and `--check` reports.
 */
export function renderedImages(targets: readonly string[], cwd: string): Map<string, string[]> {
  const roots = targets.flatMap((t) => {
    const at = path.resolve(cwd, t);
    return isKustomizationFile(at) ? [at] : findKustomizations(at);
  });
  const tree = loadTree(roots, cwd);
  const out = new Map<string, string[]>();
  const memo = new Map<KNode, ImageSlot[] | undefined>();
  const renderNode = (n: KNode): ImageSlot[] | undefined => {
    if (memo.has(n)) return memo.get(n);
    let slots: ImageSlot[] | undefined;
    if (n.k !== undefined && n.unsupported.length === 0) {
      const inputs: ImageSlot[] = [];
      for (const r of n.resources) {
        const got = r.kind === 'manifest' ? r.slots : renderNode(r.node);
        if (got === undefined) {
          memo.set(n, undefined);
          return undefined;
        }
        inputs.push(...got);
      }
      slots = render(n.k.entries.map((e) => e.entry), inputs);
    }
    memo.set(n, slots);
    return slots;
  };
  for (const n of tree.nodes.values()) {
    const slots = renderNode(n);
    if (slots !== undefined && roots.includes(n.path)) out.set(n.file, slots.map((s) => s.value));
  }
  return out;
}
