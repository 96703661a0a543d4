/**
 * The GitOps corpus: real Flux HelmReleases and Argo CD Applications / ApplicationSets fetched
 * from public repositories (test/fixtures/gitops/<case>, each with its SOURCE), and the seed's
 * nats HelmRelease. For each: what `ptc rewrite --check` exits (the real CLI, in process), that
 * the rewrite changes nothing but image values (every changed line differs only after its key,
 * by text of the cache reference), that `--reverse` gives the original bytes back, that a second
 * rewrite changes nothing, and that `ptc audit` sees the images the rewrite saw.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_DIGEST_PINNED, createResolver, createReverser, digestPinnedPolicy, formatReference, parseReference } from '../../core';
import { imageUses, parseDocuments } from '../../cli/audit/extract';
import { run } from '../../cli/main';
import { rewriteManifests, type RewriteResult } from '../../cli/rewrite';
import { recordingIo } from '../cli/fake-io';
import { CORPUS_CONFIG, REGISTRY } from '../image-ref/corpus';

const ROOT = path.join(__dirname, '..', 'fixtures', 'gitops');
const CONFIG = path.join(ROOT, 'ptc.yaml');
const reverse = createReverser({ config: CORPUS_CONFIG, registryHost: REGISTRY });
/** The resolver `ptc rewrite` uses: digest-pinned images as its default `--digest-pinned` says. */
const toCache = createResolver({ config: CORPUS_CONFIG, registryHost: REGISTRY });
const policy = digestPinnedPolicy(CORPUS_CONFIG, DEFAULT_DIGEST_PINNED);
const resolve = (ref: string) => policy(toCache(ref));
const normal = (ref: string): string => formatReference(parseReference(ref));

interface Case {
  file: string;
  /** `ptc rewrite --check`: 0 nothing to do, 1 would rewrite, 2 an invalid reference, 3 not understood. */
  check: 0 | 1 | 2 | 3;
  /** How many image changes the rewrite makes. */
  changes: number;
  /** Reasons of the findings, in order. */
  findings: string[];
}

const CASES: readonly Case[] = [
  // Flux HelmReleases
  { file: 'seed-nats/helmrelease.yaml', check: 2, changes: 0, findings: ['invalid', 'invalid'] },
  { file: 'seed-nats/helmrelease-upstream.yaml', check: 1, changes: 2, findings: [] },
  { file: 'flux-podinfo/release.yaml', check: 1, changes: 1, findings: [] },
  { file: 'bjw-s-external-secrets/helmrelease.yaml', check: 1, changes: 3, findings: [] },
  { file: 'bjw-s-dragonfly-operator/helmrelease.yaml', check: 1, changes: 1, findings: [] },
  { file: 'bjw-s-dispatcharr/helmrelease.yaml', check: 1, changes: 1, findings: ['pinned'] },
  { file: 'bjw-s-forgejo-runner/helmrelease.yaml', check: 0, changes: 0, findings: ['uncovered', 'uncovered'] },
  { file: 'onedr0p-atuin/helmrelease.yaml', check: 0, changes: 0, findings: ['pinned'] },
  { file: 'onedr0p-coredns/helmrelease.yaml', check: 0, changes: 0, findings: ['uncovered'] },
  { file: 'onedr0p-cloudflare-tunnel/helmrelease.yaml', check: 0, changes: 0, findings: ['uncovered'] },
  { file: 'onedr0p-kube-prometheus-stack/helmrelease.yaml', check: 0, changes: 0, findings: ['unseen'] },
  { file: 'onedr0p-onepassword-connect/helmrelease.yaml', check: 0, changes: 0, findings: [] },
  // Argo CD Applications and ApplicationSets
  { file: 'kubefirst-atlantis/application.yaml', check: 1, changes: 1, findings: [] },
  { file: 'kubefirst-actions-runner-controller/application.yaml', check: 1, changes: 2, findings: [] },
  { file: 'atlantis-values-object/application.yaml', check: 1, changes: 1, findings: [] },
  { file: 'kuberocketci-parameters/application.yaml', check: 1, changes: 1, findings: [] },
  { file: 'argocd-docs-application/application.yaml', check: 0, changes: 0, findings: ['unseen'] },
  { file: 'argocd-pull-request-appset/pull-request-example.yaml', check: 0, changes: 0, findings: [] },
  { file: 'gitops-bridge-cert-manager/addons-cert-manager-appset.yaml', check: 0, changes: 0, findings: ['unseen', 'unseen', 'unseen'] },
  { file: 'changeset-argo-image-updater/argocd-image-updater.yaml', check: 0, changes: 0, findings: [] },
  { file: 'changeset-argo-web/argocd-app-web.yaml', check: 0, changes: 0, findings: ['unseen'] },
];

/** Every changed line differs only in its value, by text of a cache reference the rewrite reported. */
function onlyImageValues(before: string, after: string, result: RewriteResult): void {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  b.forEach((line, i) => {
    const old = a[i]!;
    if (line === old) return;
    let p = 0;
    while (p < old.length && old[p] === line[p]) p++;
    let s = 0;
    while (s < old.length - p && old[old.length - 1 - s] === line[line.length - 1 - s]) s++;
    // The edit starts after the key (`repository: `, `value: `).
    expect(old.slice(0, p)).toMatch(/:\s+["']?$|:\s+\S*$/);
    const inserted = line.slice(p, line.length - s);
    expect(result.changes.some((c) => c.to.includes(inserted))).toBe(true);
  });
}

describe.each(CASES.map((c) => [c.file, c] as const))('%s', (file, c) => {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  const result = rewriteManifests(source, resolve, file);

  test(`ptc rewrite --check exits ${c.check}`, async () => {
    const io = recordingIo({ cwd: ROOT });
    expect(await run(['rewrite', '--check', '-c', CONFIG, file], io)).toBe(c.check);
  });

  test('the rewrite makes the changes and findings listed', () => {
    expect(result.changes).toHaveLength(c.changes);
    expect(result.findings.map((f) => f.reason)).toEqual(c.findings);
  });

  test('only image values change, byte for byte', () => {
    if (c.changes === 0) expect(result.text).toBe(source);
    else onlyImageValues(source, result.text, result);
  });

  test('--reverse gives the original bytes back (or the same image, as ptc spells it), and a second rewrite changes nothing', () => {
    const back = rewriteManifests(result.text, reverse, file).text.split('\n');
    source.split('\n').forEach((line, i) => {
      if (back[i] === line) return;
      // `docker.io/library/alpine` comes back as `alpine`: the same image.
      const value = (l: string): string => normal(l.replace(/^.*:\s+/, '').replace(/["']/g, ''));
      expect(value(back[i]!)).toBe(value(line));
    });
    const again = rewriteManifests(result.text, resolve, file);
    expect(again.text).toBe(result.text);
    expect(again.changes).toEqual([]);
  });

  test('ptc audit sees the images the rewrite sees', () => {
    const audited = parseDocuments(source, file)
      .flatMap(imageUses)
      .map((u) => u.image);
    const seen = [...result.changes.map((ch) => ch.from), ...result.findings.filter((f) => f.reason !== 'unseen').map((f) => f.reference)];
    expect(audited.sort()).toEqual(seen.sort());
  });
});

describe('a Flux repository as a kustomize tree (fluxcd/flux2-kustomize-helm-example apps/)', () => {
  const tree = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptc-gitops-'));
    cpSync(path.join(ROOT, 'flux-kustomize-tree', 'apps'), path.join(dir, 'apps'), { recursive: true });
    return dir;
  };
  const release = path.join('apps', 'base', 'podinfo', 'release.yaml');

  test('--check on the directory sees the HelmRelease values its kustomization owns (exit 1)', async () => {
    const io = recordingIo({ cwd: path.join(ROOT, 'flux-kustomize-tree') });
    expect(await run(['rewrite', '--check', '-c', CONFIG, 'apps'], io)).toBe(1);
    expect(io.err).toContain(
      `${release}:\n  HelmRelease podinfo/podinfo [doc 1] spec.values.redis: public.ecr.aws/docker/library/redis:8.6.2 -> ${REGISTRY}/ecr-public/docker/library/redis:8.6.2\n`,
    );
  });

  test('a HelmRelease file named beside its kustomization is rewritten in its values, not called "left unchanged"', async () => {
    const io = recordingIo({ cwd: path.join(ROOT, 'flux-kustomize-tree') });
    expect(await run(['rewrite', '--check', '-c', CONFIG, 'apps', release], io)).toBe(1);
    expect(io.err).toContain('spec.values.redis: public.ecr.aws/docker/library/redis:8.6.2 -> ');
    expect(io.err).not.toContain('left unchanged');
  });

  test('--in-place edits only the redis repository in release.yaml; --reverse --in-place restores every byte', async () => {
    const dir = tree();
    const before = readFileSync(path.join(dir, release), 'utf8');
    expect(await run(['rewrite', '--in-place', '-c', CONFIG, 'apps'], recordingIo({ cwd: dir }))).toBe(0);
    const after = readFileSync(path.join(dir, release), 'utf8');
    expect(after).toBe(
      before.replace('repository: public.ecr.aws/docker/library/redis', `repository: ${REGISTRY}/ecr-public/docker/library/redis`),
    );
    expect(await run(['rewrite', '--check', '-c', CONFIG, 'apps'], recordingIo({ cwd: dir }))).toBe(0);
    expect(await run(['rewrite', '--reverse', '--in-place', '-c', CONFIG, 'apps'], recordingIo({ cwd: dir }))).toBe(0);
    expect(readFileSync(path.join(dir, release), 'utf8')).toBe(before);
  });
});
