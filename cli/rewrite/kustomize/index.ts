/**
 * `ptc rewrite` on kustomization trees. Kustomize's `images:` transformer matches by the name
 * an image has when it reaches a kustomization, so rewriting a base's manifests would stop its
 * overlays' entries from applying. Instead, every kustomization is made to render the cache:
 * bases first, each kustomization's `images:` entries are edited (`name` to what now reaches it,
 * `newName` to the cache name, tags and digests kept) or added, and the result is proven by
 * rendering it again. Components are planned over every kustomization that applies them (see
 * flow.ts). Manifests a kustomization owns are never edited. What ptc cannot follow
 * (remote bases, generators, Helm charts, patches or replacements touching an image)
 * is reported and left alone, with every kustomization whose rendering depends on it.
 */
import * as path from 'node:path';
import { PtcError, truncate } from '../../../core';
import { applyEdits } from '../edits';
import { RewriteCollector } from '../collector';
import type { InputFile } from '../../io';
import type { ImageFinding, Resolve, RewriteResult } from '../types';
import { render, planKustomization, type NodePlan } from './plan';
import { findKustomizations, isComponent, KUSTOMIZATION_NAMES, loadTree, type KNode } from './load';
import { componentInput, inputOf, ownEntries, planningOrder, subs, type Flow, type World } from './flow';

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

/** Why a Component no kustomization of the run applies is left alone. */
const UNUSED = 'a Component that no kustomization given here applies (it renders only inside one)';

/** The nodes whose rendering ptc cannot know: their own shape, or a base's or Component's. */
function unknownNodes(order: readonly KNode[]): Map<KNode, string> {
  const unknown = new Map<KNode, string>();
  for (const n of order) {
    if (n.unsupported.length > 0) unknown.set(n, 'not understood');
    else {
      const bad = subs(n).find((s) => unknown.has(s));
      if (bad !== undefined) unknown.set(n, `its ${isComponent(bad) ? 'Component' : 'base'} ${bad.file} is not understood`);
    }
  }
  return unknown;
}

function descendants(n: KNode, out: Set<KNode>): Set<KNode> {
  for (const s of subs(n)) if (!out.has(s)) descendants(s, out.add(s));
  return out;
}

/**
 * Rewrites the kustomizations at `targets` (directories are searched for kustomization files;
 * relative to `cwd`) with `resolve`, to the cache or, with a reverser, back upstream.
 * @returns one outcome per kustomization found under the targets, and the manifest files they own.
 */
export function rewriteKustomizations(
  targets: readonly string[],
  resolve: Resolve,
  cwd: string,
): { outcomes: KustomizationOutcome[]; owned: Set<string> } {
  const roots = targets.flatMap((t) => {
    const at = path.resolve(cwd, t);
    if (isKustomizationFile(at)) return [at];
    const found = findKustomizations(at);
    if (found.length === 0)
      throw new NoKustomizationError(
        `${truncate(t, 200)} is a directory without a kustomization file; name the manifest files to rewrite them`,
      );
    return found;
  });
  const requested = new Set(roots);
  const tree = loadTree(roots, cwd);
  // Every base and Component before the kustomizations that use it.
  const order = planningOrder(tree.nodes.values());
  const unknown = unknownNodes(order);
  // Frozen: left exactly as it is. The unknown, what lies outside the targets, Components no
  // kustomization here applies, and the bases of anything frozen (its entries match the names its
  // bases render today).
  const frozen = new Map<KNode, string>();
  const freeze = (n: KNode, why: string): void => {
    if (!frozen.has(n)) frozen.set(n, why);
    for (const d of descendants(n, new Set())) if (!frozen.has(d)) frozen.set(d, `${n.file}, which uses it, is left unchanged`);
  };
  for (const n of order) if (isComponent(n) && n.users.length === 0) freeze(n, UNUSED);
  for (const [n, why] of unknown) freeze(n, why);
  for (const n of order) if (!requested.has(n.path)) freeze(n, 'outside the paths given');
  let plans = new Map<KNode, NodePlan>();
  let collectors = new Map<KNode, RewriteCollector>();
  for (let round = 0; round <= order.length; round++) {
    plans = new Map();
    collectors = new Map();
    const rendered = new Map<KNode, Flow>();
    const world: World = { rendered, afterEntries: (n) => plans.get(n)?.entries ?? ownEntries(n) };
    let failed = false;
    for (const n of order) {
      if (isComponent(n) && n.users.length === 0) continue;
      const input = isComponent(n) ? componentInput(n, world) : inputOf(n, { before: [], after: [] }, world);
      let entries = ownEntries(n);
      if (!frozen.has(n) && n.k !== undefined) {
        const collector = new RewriteCollector(resolve);
        const plan = planKustomization({ k: n.k, before: input.before, after: input.after, resolve, collector });
        if (plan.failure !== undefined) {
          freeze(n, plan.failure);
          failed = true;
          break;
        }
        plans.set(n, plan);
        collectors.set(n, collector);
        entries = plan.entries;
      }
      if (!isComponent(n)) rendered.set(n, { before: render(ownEntries(n), input.before), after: render(entries, input.after) });
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
    if (why === UNUSED) {
      // Nothing renders it here: said, without failing the gate.
      const parts = n.unsupported.map((u) => `; ${u.path ? `${u.path}: ` : ''}${u.message}`).join('');
      findings.push({ location: 'kustomization', reference: n.file, reason: 'skipped', message: `left unchanged: ${UNUSED}${parts}` });
    } else if (why !== undefined) {
      if (n.unsupported.length > 0) {
        for (const u of n.unsupported)
          findings.push({
            location: u.path || 'kustomization',
            reference: n.file,
            reason: 'unsupported',
            message: `${u.message}; left unchanged`,
          });
      } else {
        findings.push({ location: 'kustomization', reference: n.file, reason: 'unsupported', message: `left unchanged: ${why}` });
      }
    }
    // A Component meets the same image once per place it is applied: each is said once.
    const said = new Set<string>();
    for (const f of collectors.get(n)?.findings ?? []) {
      const key = `${f.location}\u0000${f.reason}\u0000${f.message ?? f.reference}`;
      if (!said.has(key)) findings.push(f);
      said.add(key);
    }
    const result: RewriteResult = {
      text: plan === undefined ? text : applyEdits(text, plan.edits),
      changes: plan?.changes ?? [],
      findings,
    };
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
  const order = planningOrder(tree.nodes.values());
  const unknown = unknownNodes(order);
  const rendered = new Map<KNode, Flow>();
  const world: World = { rendered, afterEntries: ownEntries };
  const out = new Map<string, string[]>();
  for (const n of order) {
    if (isComponent(n) || unknown.has(n) || n.k === undefined) continue;
    const input = inputOf(n, { before: [], after: [] }, world);
    const slots = render(ownEntries(n), input.before);
    rendered.set(n, { before: slots, after: slots });
    if (roots.includes(n.path))
      out.set(
        n.file,
        slots.map((s) => s.value),
      );
  }
  return out;
}
