/**
 * Regenerates the stored renders of the Kustomize corpus with a real `kubectl kustomize`
 * (run: `npx tsx test/rewrite-corpus/kustomize-generate.ts`; needs kubectl with Kustomize v5).
 * It renders every kustomization of the original tree, rewrites a copy with ptc (the corpus
 * config, cache registry 111122223333.dkr.ecr.eu-west-2.amazonaws.com), stores the changed
 * kustomization files and renders the copy again. Not a test: the tests read what it stored.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { rewriteKustomizations } from '../../cli/rewrite';
import { copyTree, kustomizationDirs, kustomizationFiles, KUSTOMIZE_ROOT, policyResolve, renderName, TREES } from './kustomize-corpus';

const kustomize = (dir: string): string => execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });

for (const tree of TREES) {
  const root = path.join(KUSTOMIZE_ROOT, tree.name);
  for (const sub of ['renders', 'rewritten', 'renders-rewritten']) rmSync(path.join(root, sub), { recursive: true, force: true });
  if (tree.offline === true) continue;
  const dirs = kustomizationDirs(tree);
  mkdirSync(path.join(root, 'renders'));
  for (const dir of dirs) writeFileSync(path.join(root, 'renders', renderName(dir)), kustomize(path.join(root, dir)));
  const copy = copyTree(tree);
  const { outcomes } = rewriteKustomizations([tree.dir], policyResolve, copy);
  for (const o of outcomes) if (o.result.text !== o.read?.text) writeFileSync(o.path, o.result.text);
  for (const file of kustomizationFiles(tree)) {
    const text = readFileSync(path.join(copy, file), 'utf8');
    if (text === readFileSync(path.join(root, file), 'utf8')) continue;
    mkdirSync(path.dirname(path.join(root, 'rewritten', file)), { recursive: true });
    writeFileSync(path.join(root, 'rewritten', file), text);
  }
  // A tree ptc reports is left unchanged: its renders after are its renders before.
  if (tree.verdict === 'reported') continue;
  mkdirSync(path.join(root, 'renders-rewritten'));
  for (const dir of dirs) writeFileSync(path.join(root, 'renders-rewritten', renderName(dir)), kustomize(path.join(copy, dir)));
  rmSync(copy, { recursive: true });
  process.stdout.write(`${tree.name}: ${dirs.length} kustomizations rendered\n`);
}
