/**
 * Loading kustomization trees from disk: every kustomization under the given paths, the
 * kustomizations and manifests their `resources` name, and the image slots of those manifests.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputReadError, MAX_INPUT_BYTES, readInputFile, type InputFile } from '../../io';
import { decodeText, InputEncodingError } from '../decode';
import { slotsOf, type ImageSlot } from './image';
import { IMAGE_KEY, isRemote, parseKustomization, type KustomizationFile, type Unsupported } from './file';

/** The file names Kustomize reads as a kustomization, in the order it looks for them. */
export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** What one resource of a kustomization is. */
export type Resource = { kind: 'kustomization'; node: KNode } | { kind: 'manifest'; file: string; slots: ImageSlot[] };

/** One kustomization of the tree. */
export interface KNode {
  /** The kustomization file, absolute. */
  path: string;
  /** The file as reports name it (relative to the working directory). */
  file: string;
  read?: InputFile;
  k?: KustomizationFile;
  resources: Resource[];
  /** The Components it applies, in order. */
  components: KNode[];
  /** The kustomizations (and Components) that apply it, when it is a Component. */
  users: KNode[];
  /** What ptc cannot follow in it (its own, not its bases'). */
  unsupported: Unsupported[];
}

/** A loaded forest: every kustomization by path, and the manifests they own. */
export interface Tree {
  nodes: Map<string, KNode>;
  /** Manifest files a kustomization names as a resource (absolute paths). */
  owned: Set<string>;
}

/** Whether a node is a `kind: Component` (rendered only inside the kustomizations that apply it). */
export function isComponent(n: KNode): boolean {
  return n.k?.kind === 'Component';
}

/** The kustomization file in a directory, if any. */
export function kustomizationIn(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_NAMES) {
    const file = path.join(dir, name);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

/** Every kustomization file under a directory (hidden directories and node_modules skipped). */
export function findKustomizations(dir: string, out: string[] = [], depth = 0): string[] {
  const own = kustomizationIn(dir);
  if (own !== undefined) out.push(own);
  if (depth > 32) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
      findKustomizations(path.join(dir, entry.name), out, depth + 1);
  }
  return out;
}

function readText(file: string, cwd: string): { read: InputFile } | { error: string } {
  try {
    const read = readInputFile(file, { cwd, limit: MAX_INPUT_BYTES });
    return { read: { ...read, text: decodeText(read.bytes, file) } };
  } catch (err) {
    if (err instanceof InputReadError) return { error: err.reason };
    if (err instanceof InputEncodingError) return { error: err.message };
    throw err;
  }
}

function manifestSlots(text: string, label: string): ImageSlot[] | string {
  const slots: ImageSlot[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors[0] !== undefined) return `YAML error: ${doc.errors[0].message.split('\n')[0]}`;
    const js: unknown = doc.toJS();
    const meta = js !== null && typeof js === 'object' ? (js as { kind?: unknown; metadata?: { name?: unknown } }) : {};
    const id = [
      typeof meta.kind === 'string' ? meta.kind : 'document',
      typeof meta.metadata?.name === 'string' ? meta.metadata.name : undefined,
    ]
      .filter((s) => s !== undefined)
      .join(' ');
    slots.push(...slotsOf(js, `${label} ${id}`));
  }
  return slots;
}

/** Loads the kustomizations at `files` (absolute) and everything they reach. */
export function loadTree(files: readonly string[], cwd: string): Tree {
  const tree: Tree = { nodes: new Map(), owned: new Set() };
  const rel = (p: string): string => path.relative(cwd, p) || '.';
  const load = (file: string, stack: Set<string>): KNode => {
    const known = tree.nodes.get(file);
    if (known !== undefined) return known;
    const node: KNode = { path: file, file: rel(file), resources: [], components: [], users: [], unsupported: [] };
    tree.nodes.set(file, node);
    const got = readText(file, cwd);
    if ('error' in got) {
      node.unsupported.push({ path: '', message: `cannot read it: ${got.error}` });
      return node;
    }
    node.read = got.read;
    const k = parseKustomization(node.file, got.read.text);
    if (typeof k === 'string') {
      node.unsupported.push({ path: '', message: k });
      return node;
    }
    node.k = k;
    node.unsupported.push(...k.unsupported);
    const dir = path.dirname(file);
    for (const patch of k.patchFiles) {
      const at = path.resolve(dir, patch.file);
      const text = isRemote(patch.file) ? { error: 'remote' } : readText(at, cwd);
      if ('error' in text)
        node.unsupported.push({
          path: patch.path,
          message: `cannot read ${patch.file} (${text.error}); ptc cannot prove it leaves images alone`,
        });
      else if (IMAGE_KEY.test(text.read.text))
        node.unsupported.push({ path: patch.path, message: `${patch.file} touches an image field; ptc cannot prove what it renders` });
    }
    const inner = new Set(stack).add(file);
    for (const r of k.resources) {
      const at = path.resolve(dir, r.value);
      if (isRemote(r.value) || !existsSync(at)) {
        node.unsupported.push({ path: r.path, message: `${r.value} is a remote (or missing) resource; ptc cannot see what it renders` });
        continue;
      }
      if (statSync(at).isDirectory()) {
        const sub = kustomizationIn(at);
        if (sub === undefined) node.unsupported.push({ path: r.path, message: `${r.value} has no kustomization file` });
        else if (inner.has(sub)) node.unsupported.push({ path: r.path, message: `${r.value} is a cycle` });
        else {
          const base = load(sub, inner);
          if (isComponent(base))
            node.unsupported.push({ path: r.path, message: `${r.value} is a Component, which Kustomize applies only under components:` });
          else node.resources.push({ kind: 'kustomization', node: base });
        }
        continue;
      }
      tree.owned.add(at);
      const text = readText(at, cwd);
      const slots = 'error' in text ? text.error : manifestSlots(text.read.text, rel(at));
      if (typeof slots === 'string') node.unsupported.push({ path: r.path, message: `${r.value}: ${slots}` });
      else node.resources.push({ kind: 'manifest', file: at, slots });
    }
    for (const c of k.components) {
      const at = path.resolve(dir, c.value);
      const sub = isRemote(c.value) || !existsSync(at) || !statSync(at).isDirectory() ? undefined : kustomizationIn(at);
      if (sub === undefined)
        node.unsupported.push({
          path: c.path,
          message: `${c.value} is a remote (or missing) component, or has no kustomization file; ptc cannot see what it renders`,
        });
      else if (inner.has(sub)) node.unsupported.push({ path: c.path, message: `${c.value} is a cycle` });
      else {
        const component = load(sub, inner);
        if (component.k !== undefined && !isComponent(component))
          node.unsupported.push({ path: c.path, message: `${c.value} is a ${component.k.kind}, not a Component` });
        else if (!node.components.includes(component)) {
          node.components.push(component);
          component.users.push(node);
        }
      }
    }
    return node;
  };
  for (const file of files) load(file, new Set());
  return tree;
}
