/**
 * How images flow through a tree of kustomizations and Components, the way Kustomize builds it:
 * a kustomization accumulates its resources (manifests, and what its bases render), then applies
 * each Component in order (a Component adds its own resources to what reached it, applies its
 * own Components, then its `images:` entries to all of it), then its own `images:` entries. A
 * Component is thus rendered once per place it is applied; ptc plans it over all those places
 * together. Every flow is carried twice, side by side: as the original tree renders it and as
 * the rewritten tree does.
 */
import type { ImageEntry, ImageSlot } from './image';
import { isComponent, type KNode } from './load';
import { render } from './plan';

/** The same slots in the original tree (`before`) and the rewritten one (`after`), in the same order. */
export interface Flow {
  before: ImageSlot[];
  after: ImageSlot[];
}

/** What is known while planning: what each Kustomization renders, and the entries each node applies after the rewrite. */
export interface World {
  readonly rendered: ReadonlyMap<KNode, Flow>;
  afterEntries(n: KNode): readonly ImageEntry[];
}

const EMPTY: Flow = { before: [], after: [] };

/** A node's own `images:` entries as written. */
export const ownEntries = (n: KNode): ImageEntry[] => n.k?.entries.map((e) => e.entry) ?? [];

/** The kustomizations a node builds on: its kustomization resources and its Components. */
export const subs = (n: KNode): KNode[] => [...n.resources.flatMap((r) => (r.kind === 'kustomization' ? [r.node] : [])), ...n.components];

/**
 * What reaches a node's own `images:` entries: what reached it (`from`; nothing for a
 * Kustomization), then its resources, then each of its Components (up to `upTo`, excluded).
 */
export function inputOf(n: KNode, from: Flow, world: World, upTo?: KNode): Flow {
  let flow: Flow = { before: [...from.before], after: [...from.after] };
  for (const r of n.resources) {
    const add = r.kind === 'manifest' ? { before: r.slots, after: r.slots } : (world.rendered.get(r.node) ?? EMPTY);
    flow.before.push(...add.before);
    flow.after.push(...add.after);
  }
  for (const c of n.components) {
    if (c === upTo) break;
    const input = inputOf(c, flow, world);
    flow = { before: render(ownEntries(c), input.before), after: render(world.afterEntries(c), input.after) };
  }
  return flow;
}

/** What reaches a Component from each place it is applied (before its own resources are added). */
export function arrivals(c: KNode, world: World, depth = 0): Flow[] {
  if (depth > 32) return [];
  return c.users.flatMap((u) => (isComponent(u) ? arrivals(u, world, depth + 1) : [EMPTY]).map((from) => inputOf(u, from, world, c)));
}

/** Every flow that reaches a Component's own entries, one per place it is applied, concatenated. */
export function componentInput(c: KNode, world: World): Flow {
  const flow: Flow = { before: [], after: [] };
  for (const from of arrivals(c, world)) {
    const input = inputOf(c, from, world);
    flow.before.push(...input.before);
    flow.after.push(...input.after);
  }
  return flow;
}

/**
 * What a node needs planned before it: its bases and Components, and for a Component, whatever
 * reaches it where it is applied (its users' bases and the Components applied before it).
 */
function needs(n: KNode, seen = new Set<KNode>()): KNode[] {
  const out = subs(n);
  if (!isComponent(n) || seen.has(n)) return out;
  seen.add(n);
  for (const u of n.users) {
    out.push(...u.resources.flatMap((r) => (r.kind === 'kustomization' ? [r.node] : [])));
    const i = u.components.indexOf(n);
    out.push(...u.components.slice(0, i < 0 ? 0 : i));
    if (isComponent(u)) out.push(...needs(u, seen).filter((x) => x !== n && !subs(u).includes(x)));
  }
  return out;
}

/** The nodes in an order that plans every node after what it needs (a cycle is cut where it closes). */
export function planningOrder(nodes: Iterable<KNode>): KNode[] {
  const order: KNode[] = [];
  const done = new Set<KNode>();
  const open = new Set<KNode>();
  const visit = (n: KNode): void => {
    if (done.has(n) || open.has(n)) return;
    open.add(n);
    needs(n).forEach(visit);
    open.delete(n);
    done.add(n);
    order.push(n);
  };
  for (const n of nodes) visit(n);
  return order;
}
