/**
 * Plans the `images:` edits of one kustomization: given what reaches it before (the original
 * tree) and after the rewrite (its bases already planned), edit or add entries so that what it
 * renders after equals the resolver's answer for what it rendered before, then prove it by
 * rendering again. A plan that cannot be proven is a failure, and nothing in the file changes.
 */
import { InvalidReferenceError, formatReference, parseReference } from '../../../core';
import type { RewriteCollector } from '../collector';
import type { SourceEdit } from '../edits';
import type { ImageChange, Resolve } from '../types';
import { applyToSlot, imageMatches, nameOf, SAFE_NAME, splitImage, type ImageEntry, type ImageSlot } from './image';
import { MARK, columnOf, entryColumns, lineEnd, lineStart, yamlValue, type EntryNode, type KustomizationFile } from './file';
import { scalarEdit } from '../edits';

/** What planning one kustomization gave. */
export interface NodePlan {
  /** The entries Kustomize applies after the rewrite, in order. */
  entries: ImageEntry[];
  edits: SourceEdit[];
  changes: ImageChange[];
  /** Why no plan could be proven (then edits are empty). */
  failure?: string;
}

/** Renders slots through a list of entries, the way Kustomize applies them one after another. */
export function render(entries: readonly ImageEntry[], slots: readonly ImageSlot[]): ImageSlot[] {
  return slots.map((s) => ({ ...s, value: entries.reduce((v, e) => applyToSlot(e, v, s.twice), s.value) }));
}

/** Two references are the same image when they normalize alike (`nginx` = `docker.io/library/nginx:latest`). */
export function sameImage(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return formatReference(parseReference(a)) === formatReference(parseReference(b));
  } catch (err) {
    if (err instanceof InvalidReferenceError) return false;
    throw err;
  }
}

function suffix(value: string): string {
  const { tag, digest } = splitImage(value);
  return `${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

const sameSuffix = (a: string, b: string): boolean => sameImage(`x${suffix(a)}`, `x${suffix(b)}`);

class PlanFailure extends Error {}

function fail(message: string): never {
  throw new PlanFailure(message);
}

function one<T>(values: Iterable<T>, what: string): T | undefined {
  const set = new Set(values);
  if (set.size > 1) fail(`${what} would need ${set.size} different values (${[...set].join(', ')})`);
  return set.values().next().value;
}

/** The inputs of a plan. */
export interface PlanInput {
  k: KustomizationFile;
  /** What reaches the kustomization in the original tree, and after its bases are rewritten (same order). */
  before: readonly ImageSlot[];
  after: readonly ImageSlot[];
  resolve: Resolve;
  collector: RewriteCollector;
}

/**
 * Plans one kustomization.
 * @returns the plan; `failure` says why none could be proven.
 */
export function planKustomization(input: PlanInput): NodePlan {
  const { k, before, after, resolve, collector } = input;
  const edits: SourceEdit[] = [];
  const changes: ImageChange[] = [];
  const all = k.entries.map((e) => e.entry);
  const finals = render(all, before);
  // The target of every slot: the resolver's answer for what it rendered.
  const targets = finals.map((s) => {
    // A policy's image pattern is never judged: it must render as it does today.
    if (s.pattern === true) return s.value;
    const r = collector.lookup(s.value, `${s.origin} (rendered by ${k.file})`);
    return r?.status === 'resolved' ? r.output : s.value;
  });
  // Where a name goes, for a slot: the resolver's name for it with the slot's final tag and digest.
  const route = (i: number, name: string): string => {
    try {
      const r = resolve(`${name}${suffix(finals[i]!.value)}`);
      return r.status === 'resolved' ? nameOf(r.output) : name;
    } catch (err) {
      if (err instanceof InvalidReferenceError) return name;
      throw err;
    }
  };
  const setScalar = (node: EntryNode['nameNode'], value: string, location: string, from: string): void => {
    edits.push(scalarEdit(node, value, k.text));
    changes.push({ location, from, to: value });
  };
  try {
    let cur = before.map((s) => s.value);
    let next = after.map((s) => s.value);
    const twice = before.map((s) => s.twice);
    const chain: ImageEntry[] = [];
    const marked: EntryNode[] = [];
    for (const e of k.entries) {
      const at = `images[${e.index}]`;
      if (e.marked) {
        marked.push(e);
        cur = cur.map((v, i) => applyToSlot(e.entry, v, twice[i]!));
        continue;
      }
      if (marked.length > 0) fail(`${at} comes after an entry ptc added; ptc keeps its own entries last`);
      const matched = cur.flatMap((v, i) => (imageMatches(v, e.entry.name) ? [i] : []));
      const out = cur.map((v, i) => applyToSlot(e.entry, v, twice[i]!));
      if (matched.length === 0) {
        if (next.some((v) => imageMatches(v, e.entry.name))) fail(`${at} would match images it did not match before`);
        chain.push(e.entry);
        cur = out;
        continue;
      }
      const name = one(
        matched.map((i) => nameOf(next[i]!)),
        `${at}.name`,
      )!;
      if (!SAFE_NAME.test(name)) fail(`${at}.name would be ${name}, which Kustomize reads as a pattern`);
      const hits = next.flatMap((v, i) => (imageMatches(v, name) ? [i] : []));
      if (hits.join() !== matched.join()) fail(`${at} would match other images after the rewrite`);
      const to = one(
        matched.map((i) => route(i, nameOf(out[i]!))),
        `${at}.newName`,
      )!;
      const entry: ImageEntry = { ...e.entry, name };
      delete entry.newName;
      if (name !== e.entry.name) setScalar(e.nameNode, name, `${at}.name`, e.entry.name);
      if (e.newNameNode !== undefined && e.newNameMarked && to === name) {
        edits.push({ start: lineStart(k.text, e.newNameNode.range![0]) - 1, end: lineEnd(k.text, e.newNameNode.range![0]), text: '' });
        changes.push({ location: `${at}.newName`, from: e.entry.newName!, to: '(removed)' });
      } else if (e.newNameNode !== undefined) {
        if (to !== e.entry.newName) setScalar(e.newNameNode, to, `${at}.newName`, e.entry.newName!);
        entry.newName = to;
      } else if (to !== name) {
        const column = columnOf(k.text, e.map.range![0]);
        const end = lineEnd(k.text, e.nameNode.range![1]);
        edits.push({ start: end, end, text: `\n${' '.repeat(column)}newName: ${yamlValue(to)} ${MARK}` });
        changes.push({ location: `${at}.newName`, from: '(none)', to });
        entry.newName = to;
      }
      chain.push(entry);
      cur = out;
      next = next.map((v, i) => applyToSlot(entry, v, twice[i]!));
    }
    // Images no entry moves to the cache: one entry per name, last.
    const needed = new Map<string, string>();
    next.forEach((v, i) => {
      if (sameImage(v, targets[i]!)) return;
      if (!sameSuffix(v, targets[i]!)) fail(`${before[i]!.origin} would render ${v}, not ${targets[i]}, and ptc cannot move a tag`);
      const from = nameOf(v);
      if (!SAFE_NAME.test(from)) fail(`${before[i]!.origin}: ${from} is not a plain image name`);
      const want = needed.get(from);
      if (want !== undefined && want !== nameOf(targets[i]!)) fail(`${from} would need two new names`);
      needed.set(from, nameOf(targets[i]!));
    });
    const conversions: ImageEntry[] = [];
    const dropAll = k.imagesMarked && needed.size === 0 && marked.length === k.entries.length && marked.length > 0;
    if (dropAll) {
      // The whole images list was added by ptc: remove it, key and all.
      const last = marked[marked.length - 1]!;
      const end = lineEnd(k.text, last.map.range![1] - 1);
      // Added with its own newline at the end of a file that had one, else after one it put there.
      const start = lineStart(k.text, k.images!.key.range![0]);
      edits.push(end < k.text.length ? { start, end: end + 1, text: '' } : { start: Math.max(0, start - 1), end, text: '' });
      for (const m of marked) changes.push({ location: `images[${m.index}]`, from: m.entry.name, to: '(removed)' });
    }
    for (const m of dropAll ? [] : marked) {
      const to = needed.get(m.entry.name);
      const at = `images[${m.index}]`;
      if (to === undefined) {
        edits.push({ start: lineStart(k.text, m.map.range![0]) - 1, end: lineEnd(k.text, m.map.range![1] - 1), text: '' });
        changes.push({ location: at, from: m.entry.name, to: '(removed)' });
        continue;
      }
      if (m.newNameNode === undefined) fail(`${at} (added by ptc) has no newName`);
      if (to !== m.entry.newName) setScalar(m.newNameNode, to, `${at}.newName`, m.entry.newName!);
      conversions.push({ name: m.entry.name, newName: to });
      needed.delete(m.entry.name);
    }
    if (needed.size > 0) edits.push(appendEntries(k, [...needed]));
    for (const [from, to] of needed) {
      conversions.push({ name: from, newName: to });
      changes.push({ location: 'images[+]', from, to });
    }
    const entries = [...chain, ...conversions];
    // The proof: render again and compare with the targets.
    render(entries, after).forEach((s, i) => {
      if (!sameImage(s.value, targets[i]!)) fail(`${s.origin} would render ${s.value}, not ${targets[i]}`);
    });
    return { entries, edits, changes };
  } catch (err) {
    if (!(err instanceof PlanFailure)) throw err;
    return { entries: all, edits: [], changes: [], failure: err.message };
  }
}

/** The text that appends entries (and the `images:` key when there is none). */
function appendEntries(k: KustomizationFile, entries: readonly (readonly [string, string])[]): SourceEdit {
  const cols = entryColumns(k);
  const dash = ' '.repeat(cols.dash);
  const gap = ' '.repeat(Math.max(1, cols.key - cols.dash - 1));
  const body = entries
    .map(([from, to]) => `${dash}-${gap}name: ${yamlValue(from)} ${MARK}\n${' '.repeat(cols.key)}newName: ${yamlValue(to)}`)
    .join('\n');
  const last = k.entries[k.entries.length - 1];
  if (k.images !== undefined && last !== undefined) {
    const end = lineEnd(k.text, last.map.range![1] - 1);
    return { start: end, end, text: `\n${body}` };
  }
  if (k.images !== undefined) fail('images has no entries to add to');
  const start = k.text.length;
  const text = k.text === '' || k.text.endsWith('\n') ? `images: ${MARK}\n${body}\n` : `\nimages: ${MARK}\n${body}`;
  return { start, end: start, text };
}
