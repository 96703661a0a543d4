/**
 * The Kustomize corpus (test/fixtures/kustomize/<tree>, each with its SOURCE): the trees, where
 * their stored renders live, and the helpers the test and the fixture generator share.
 *
 * Layout of a tree folder: the tree itself at its repository paths; `renders/<dir>.yaml`, the
 * `kubectl kustomize <dir>` output of the original tree; `rewritten/<path>`, every kustomization
 * file `ptc rewrite` changes, as it writes it; `renders-rewritten/<dir>.yaml`, the
 * `kubectl kustomize <dir>` output of the rewritten tree. `<dir>` is the kustomization's
 * directory with `/` spelled `__`.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { digestPinnedPolicy, createResolver, type Resolution } from '../../core';
import { slotsOf } from '../../cli/rewrite/kustomize/image';
import { CORPUS_CONFIG, REGISTRY } from '../image-ref/corpus';

/** Where the trees are. */
export const KUSTOMIZE_ROOT = path.join(__dirname, '..', 'fixtures', 'kustomize');

/** The folders of a tree folder that hold what was stored, not the tree. */
const STORED = ['renders', 'rewritten', 'renders-rewritten', 'SOURCE'];

/** One tree: its folder, the directory the rewrite is run on, and what ptc must do with it. */
export interface KustomizeTree {
  name: string;
  /** Relative to the tree folder. */
  dir: string;
  /** `rewritten`: every kustomization renders the cache; `reported`: ptc cannot follow it and changes nothing. */
  verdict: 'rewritten' | 'reported';
  /** Kustomizations kubectl cannot render offline (remote resources): no stored render. */
  offline?: boolean;
}

/** The corpus. */
export const TREES: readonly KustomizeTree[] = [
  { name: 'argo-cd', dir: 'manifests', verdict: 'rewritten' },
  { name: 'kustomize-multibases', dir: 'examples/multibases', verdict: 'rewritten' },
  { name: 'invented-overlays', dir: '.', verdict: 'rewritten' },
  { name: 'metrics-server', dir: 'manifests', verdict: 'rewritten' },
  { name: 'kustomize-loadhttp', dir: 'examples/loadHttp', verdict: 'reported', offline: true },
];

/** The resolver of `ptc rewrite` with the default `--digest-pinned upstream`, on the corpus config. */
export const policyResolve = ((): ((ref: string) => Resolution) => {
  const toCache = createResolver({ config: CORPUS_CONFIG, registryHost: REGISTRY });
  const policy = digestPinnedPolicy(CORPUS_CONFIG, 'upstream');
  return (ref) => policy(toCache(ref));
})();

/** The stored render's file name of a kustomization directory (relative to the tree folder). */
export const renderName = (dir: string): string => `${dir.split(path.sep).join('__')}.yaml`;

/** Every kustomization directory of a tree that is a Kustomization (not a Component), relative to the tree folder. */
export function kustomizationDirs(tree: KustomizeTree): string[] {
  const root = path.join(KUSTOMIZE_ROOT, tree.name);
  return kustomizationFiles(tree)
    .filter((file) => !/^kind:\s*Component\s*$/m.test(readFileSync(path.join(root, file), 'utf8')))
    .map((file) => path.dirname(file));
}

/** Every kustomization file of a tree, relative to the tree folder. */
export function kustomizationFiles(tree: KustomizeTree): string[] {
  const root = path.join(KUSTOMIZE_ROOT, tree.name);
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir).sort()) {
      const at = path.join(dir, e);
      if (statSync(at).isDirectory()) {
        if (!(dir === root && STORED.includes(e))) walk(at);
      } else if (e === 'kustomization.yaml') out.push(path.relative(root, at));
    }
  };
  walk(path.join(root, tree.dir));
  return out;
}

/** A copy of a tree's own files (not its renders) in a fresh temporary directory. */
export function copyTree(tree: KustomizeTree): string {
  const to = mkdtempSync(path.join(tmpdir(), `ptc-kustomize-${tree.name}-`));
  const from = path.join(KUSTOMIZE_ROOT, tree.name);
  cpSync(from, to, { recursive: true, filter: (src) => !STORED.includes(path.relative(from, src).split(path.sep)[0]!) });
  return to;
}

/** The container and init-container images of a rendered stream, sorted (kubectl sorts resources and keys). */
export function imagesOf(rendered: string): string[] {
  return parseAllDocuments(rendered)
    .flatMap((doc) => slotsOf(doc.toJS(), '').map((s) => s.value))
    .sort();
}
