/**
 * The Kustomize corpus (test/fixtures/kustomize/<tree>, each with its SOURCE): real trees with
 * bases and overlays, rewritten by `ptc rewrite`. The truth is what `kubectl kustomize` rendered
 * (stored beside each tree): every kustomization of a rewritten tree must render exactly the
 * resolver's answer for the images the original rendered, or the tree is reported and left alone.
 * When a kubectl with Kustomize v5 is on PATH, the rewritten copy is also rendered live.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createReverser } from '../../core';
import { renderedImages, rewriteKustomizations } from '../../cli/rewrite';
import { CORPUS_CONFIG, REGISTRY } from '../image-ref/corpus';
import {
  copyTree,
  imagesOf,
  kustomizationDirs,
  kustomizationFiles,
  KUSTOMIZE_ROOT,
  policyResolve,
  renderName,
  TREES,
  type KustomizeTree,
} from './kustomize-corpus';

const reverse = createReverser({ config: CORPUS_CONFIG, registryHost: REGISTRY });

/** kubectl with an embedded Kustomize v5 or later, or undefined (Debian's kubernetes-client 1.20 has Kustomize v2). */
const liveKubectl = ((): string | undefined => {
  try {
    const version = execFileSync('kubectl', ['version', '--client'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    });
    const major = /Kustomize Version: v(\d+)/.exec(version)?.[1];
    return major !== undefined && Number(major) >= 5 ? 'kubectl' : undefined;
  } catch (err) {
    // Not on PATH (ENOENT), or it failed to run (an exit status): no live comparison.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as { status?: unknown }).status !== undefined) return undefined;
    throw err;
  }
})();

const read = (tree: KustomizeTree, ...parts: string[]): string => readFileSync(path.join(KUSTOMIZE_ROOT, tree.name, ...parts), 'utf8');
/** What the resolver makes of every image kubectl rendered from the original tree. */
const expectedImages = (tree: KustomizeTree, dir: string): string[] =>
  imagesOf(read(tree, 'renders', renderName(dir)))
    .map((ref) => {
      const r = policyResolve(ref);
      return r.status === 'resolved' ? r.output : ref;
    })
    .sort();

/** Rewrites a copy of a tree in place, the way `ptc rewrite --in-place DIR` does. */
function rewriteCopy(
  tree: KustomizeTree,
  resolve = policyResolve,
  copy = copyTree(tree),
): { copy: string; result: ReturnType<typeof rewriteKustomizations> } {
  const result = rewriteKustomizations([tree.dir], resolve, copy);
  for (const o of result.outcomes) if (o.read !== undefined && o.result.text !== o.read.text) writeFileSync(o.path, o.result.text);
  return { copy, result };
}

describe.each(TREES.filter((t) => t.verdict === 'rewritten').map((t) => [t.name, t] as const))('%s', (_name, tree) => {
  const { copy, result } = rewriteCopy(tree);
  const dirs = kustomizationDirs(tree);
  const sorted = (m: Map<string, string[]>): Map<string, string[]> => new Map([...m].map(([k, v]) => [k, [...v].sort()]));
  const modelBefore = sorted(renderedImages([tree.dir], path.join(KUSTOMIZE_ROOT, tree.name)));
  const modelAfter = sorted(renderedImages([tree.dir], copy));
  const key = (dir: string): string => path.join(dir, 'kustomization.yaml');

  test('the tree renders images the cache serves (the corpus tests something)', () => {
    expect(dirs.flatMap((dir) => expectedImages(tree, dir)).filter((ref) => ref.startsWith(`${REGISTRY}/`)).length).toBeGreaterThan(0);
  });

  test('ptc reads each original kustomization as kubectl rendered it', () => {
    for (const dir of dirs)
      expect([key(dir), modelBefore.get(key(dir))]).toEqual([key(dir), imagesOf(read(tree, 'renders', renderName(dir)))]);
  });

  test.each(dirs.map((d) => [d]))('%s renders what the resolver makes of the original render', (dir) => {
    const expected = expectedImages(tree, dir);
    expect(modelAfter.get(key(dir))).toEqual(expected);
    expect(imagesOf(read(tree, 'renders-rewritten', renderName(dir)))).toEqual(expected);
  });

  test('the rewritten kustomization files are byte for byte those kubectl rendered; manifests and other files are untouched', () => {
    for (const file of kustomizationFiles(tree)) {
      const stored = path.join(KUSTOMIZE_ROOT, tree.name, 'rewritten', file);
      expect([file, readFileSync(path.join(copy, file), 'utf8')]).toEqual([
        file,
        existsSync(stored) ? readFileSync(stored, 'utf8') : read(tree, file),
      ]);
    }
    const changed = result.outcomes
      .filter((o) => o.result.changes.length > 0)
      .map((o) => o.file)
      .sort();
    expect(changed.every((f) => path.basename(f) === 'kustomization.yaml')).toBe(true);
    expect(result.outcomes.flatMap((o) => o.result.findings.filter((f) => f.reason === 'unsupported' || f.reason === 'invalid'))).toEqual(
      [],
    );
  });

  test('only lines of images: entries change or are added; comments and order stay', () => {
    for (const o of result.outcomes) {
      const before = o.read!.text.split('\n');
      const after = o.result.text.split('\n');
      const kept = after.filter((line) => before.includes(line));
      expect(kept).toEqual(before.filter((line) => after.includes(line)));
      for (const line of after.filter((l) => !before.includes(l)))
        expect(line).toMatch(/^\s*(- )?(images:|name:|newName:|newTag:|digest:)/);
    }
  });

  test('rewriting the rewritten tree changes nothing (idempotent)', () => {
    const again = rewriteKustomizations([tree.dir], policyResolve, copy);
    expect(again.outcomes.flatMap((o) => o.result.changes)).toEqual([]);
    for (const o of again.outcomes) expect(o.result.text).toBe(o.read!.text);
  });

  test('--reverse restores every file byte for byte', () => {
    const { copy: back } = rewriteCopy(tree, reverse, copyTree(tree));
    rewriteCopy(tree, policyResolve, back);
    rewriteCopy(tree, reverse, back);
    for (const file of kustomizationFiles(tree))
      expect([file, readFileSync(path.join(back, file), 'utf8')]).toEqual([file, read(tree, file)]);
  });

  (liveKubectl === undefined ? test.skip : test)('kubectl kustomize renders the rewritten copy as expected (live)', () => {
    for (const dir of dirs) {
      const live = execFileSync(liveKubectl!, ['kustomize', path.join(copy, dir)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 60_000,
      });
      expect([dir, imagesOf(live)]).toEqual([dir, expectedImages(tree, dir)]);
    }
  });
});

describe.each(TREES.filter((t) => t.verdict === 'reported').map((t) => [t.name, t] as const))('%s (not understood)', (_name, tree) => {
  const { copy, result } = rewriteCopy(tree);

  test('every kustomization is reported with a YAML path and left byte for byte unchanged', () => {
    expect(result.outcomes.length).toBe(kustomizationFiles(tree).length);
    for (const o of result.outcomes) {
      expect(o.result.changes).toEqual([]);
      expect(o.result.text).toBe(o.read!.text);
      expect(o.result.findings.filter((f) => f.reason === 'unsupported').length).toBeGreaterThan(0);
    }
    for (const file of kustomizationFiles(tree)) expect(readFileSync(path.join(copy, file), 'utf8')).toBe(read(tree, file));
  });
});

describe('what is reported, by shape', () => {
  const find = (tree: string, file: string): string[] => {
    const t = TREES.find((x) => x.name === tree)!;
    const { result } = rewriteCopy(t);
    return result.outcomes.find((o) => o.file === file)!.result.findings.map((f) => `${f.location}: ${f.message}`);
  };

  test('a remote resource is named by its YAML path', () => {
    expect(find('kustomize-loadhttp', 'examples/loadHttp/kustomization.yaml')).toContain(
      'resources[0]: https://raw.githubusercontent.com/kubernetes-sigs/kustomize/master/examples/wordpress/wordpress/deployment.yaml is a remote (or missing) resource; ptc cannot see what it renders; left unchanged',
    );
  });

  test('a Component no kustomization applies is said, without failing the gate; the base the overlays use is rewritten with them', () => {
    expect(find('metrics-server', 'manifests/components/autoscale/kustomization.yaml')).toEqual([
      'kustomization: left unchanged: a Component that no kustomization given here applies (it renders only inside one); patchesStrategicMerge[0]: patch.yaml touches an image field; ptc cannot prove what it renders',
    ]);
    const t = TREES.find((x) => x.name === 'metrics-server')!;
    const { result } = rewriteCopy(t);
    expect(
      result.outcomes.find((o) => o.file === 'manifests/components/autoscale/kustomization.yaml')!.result.findings.map((f) => f.reason),
    ).toEqual(['skipped']);
  });

  test('a digest an overlay adds stays upstream under --digest-pinned upstream, and is reported', () => {
    const findings = find('invented-overlays', 'overlays/digest/kustomization.yaml');
    expect(findings).toEqual([
      expect.stringMatching(
        /^base\/deployment\.yaml Deployment argocd-server spec\.template\.spec\.initContainers\[0\] \(rendered by overlays\/digest\/kustomization\.yaml\): ghcr\.io\/dexidp\/dex@sha256:0123.* digest-pinned, left upstream/,
      ),
    ]);
  });
});
