/**
 * `ptc rewrite DIR` on kustomization files that open with a `---` document marker, the norm in Flux
 * fleet repositories (test/fixtures/kustomize/bjw-s-dragonfly-operator, a verbatim copy from
 * bjw-s-labs/home-ops, see its SOURCE). Kustomize reads such a file (one document); ptc used to
 * refuse it as "not a single block mapping document" (exit 3). A file with two documents is still
 * refused.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { KUSTOMIZE_ROOT } from './kustomize-corpus';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const R = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const APP = 'kubernetes/apps/database/dragonfly-operator/app';
const MARK = '# added by ptc rewrite';

/** A fresh copy of the fixture tree; returns its root. */
function copy(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ptc-kmarker-'));
  cpSync(path.join(KUSTOMIZE_ROOT, 'bjw-s-dragonfly-operator', 'kubernetes'), path.join(root, 'kubernetes'), { recursive: true });
  return root;
}

const read = (root: string, file: string): string => readFileSync(path.join(root, APP, file), 'utf8');

async function ptc(root: string, ...args: string[]): Promise<{ code: number; err: string }> {
  const io = recordingIo({ cwd: root });
  const code = await run(['rewrite', '-c', EXAMPLE, ...args, APP], io);
  return { code, err: io.err };
}

describe('kustomization files opening with a --- marker (bjw-s-labs/home-ops)', () => {
  test('the fixture kustomization opens with --- and a yaml-language-server line', () => {
    const root = copy();
    expect(read(root, 'kustomization.yaml')).toMatch(
      /^---\n# yaml-language-server: \S+\napiVersion: kustomize\.config\.k8s\.io\/v1beta1\n/,
    );
  });

  test('--check exits 1 and sees the HelmRelease it lists; --in-place changes only that image value, byte for byte; idempotent; --reverse restores', async () => {
    const root = copy();
    const kBefore = read(root, 'kustomization.yaml');
    const hBefore = read(root, 'helmrelease.yaml');
    const check = await ptc(root, '--check');
    expect(check.err).not.toContain('not a single block mapping document');
    expect(check.err).toContain(
      `helmrelease.yaml:\n  HelmRelease dragonfly-operator [doc 1] spec.values.manager.image: ghcr.io/dragonflydb/operator -> ${R}/github/dragonflydb/operator\n`,
    );
    expect(check.code).toBe(1);
    expect((await ptc(root, '--in-place')).code).toBe(0);
    expect(read(root, 'kustomization.yaml')).toBe(kBefore);
    expect(read(root, 'helmrelease.yaml')).toBe(
      hBefore.replace('repository: ghcr.io/dragonflydb/operator\n', `repository: ${R}/github/dragonflydb/operator\n`),
    );
    const again = await ptc(root, '--check');
    expect(again).toEqual({ code: 0, err: 'nothing to rewrite\n' });
    expect((await ptc(root, '--reverse', '--in-place')).code).toBe(0);
    expect(read(root, 'kustomization.yaml')).toBe(kBefore);
    expect(read(root, 'helmrelease.yaml')).toBe(hBefore);
  });

  test('an images: entry is appended after the marker-opened document byte for byte, and --reverse removes exactly it', async () => {
    // DERIVED: the fixture's kustomization with one more resource (an invented Deployment of
    // nginx:1.27), so that ptc must add an images: entry to a file that opens with ---.
    const root = copy();
    const kFile = path.join(root, APP, 'kustomization.yaml');
    const kBefore = `${readFileSync(kFile, 'utf8')}  - ./deployment.yaml\n`;
    writeFileSync(kFile, kBefore);
    writeFileSync(
      path.join(root, APP, 'deployment.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n',
    );
    const hBefore = read(root, 'helmrelease.yaml');
    const check = await ptc(root, '--check');
    expect(check.err).toContain(`kustomization.yaml:\n  images[+]: nginx -> ${R}/docker-hub/library/nginx\n`);
    expect(check.code).toBe(1);
    expect((await ptc(root, '--in-place')).code).toBe(0);
    expect(read(root, 'kustomization.yaml')).toBe(
      `${kBefore}images: ${MARK}\n- name: nginx ${MARK}\n  newName: ${R}/docker-hub/library/nginx\n`,
    );
    expect(await ptc(root, '--check')).toEqual({ code: 0, err: 'nothing to rewrite\n' });
    expect((await ptc(root, '--reverse', '--in-place')).code).toBe(0);
    expect(read(root, 'kustomization.yaml')).toBe(kBefore);
    expect(read(root, 'helmrelease.yaml')).toBe(hBefore);
  });

  test('an existing images: entry after the marker is edited in place (newName lands on its own value)', async () => {
    // DERIVED: the fixture's kustomization with an images: entry for the same invented Deployment.
    const root = copy();
    const kFile = path.join(root, APP, 'kustomization.yaml');
    const kBefore = `${readFileSync(kFile, 'utf8')}  - ./deployment.yaml\nimages:\n  - name: nginx\n    newName: nginx\n    newTag: "1.28"\n`;
    writeFileSync(kFile, kBefore);
    writeFileSync(
      path.join(root, APP, 'deployment.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n',
    );
    expect((await ptc(root, '--in-place')).code).toBe(0);
    expect(read(root, 'kustomization.yaml')).toBe(kBefore.replace('    newName: nginx\n', `    newName: ${R}/docker-hub/library/nginx\n`));
    expect(await ptc(root, '--check')).toEqual({ code: 0, err: 'nothing to rewrite\n' });
    expect((await ptc(root, '--reverse', '--in-place')).code).toBe(0);
    expect(read(root, 'kustomization.yaml')).toBe(kBefore);
  });

  test('a kustomization with two documents is still refused (exit 3) and left unchanged', async () => {
    const root = copy();
    const kFile = path.join(root, APP, 'kustomization.yaml');
    const one = readFileSync(kFile, 'utf8');
    const two = `${one}---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: two-\n`;
    writeFileSync(kFile, two);
    const check = await ptc(root, '--check');
    expect(check.err).toContain('kustomization.yaml:\n  kustomization: not a single block mapping document; left unchanged\n');
    expect(check.code).toBe(3);
    const write = await ptc(root, '--in-place');
    expect(write.err).toContain('kustomization: not a single block mapping document; left unchanged\n');
    expect(read(root, 'kustomization.yaml')).toBe(two);
  });

  test('a kustomization closed by a ... end marker is refused (an appended entry would fall outside it)', async () => {
    const root = copy();
    const kFile = path.join(root, APP, 'kustomization.yaml');
    const text = `${readFileSync(kFile, 'utf8')}...\n`;
    writeFileSync(kFile, text);
    const check = await ptc(root, '--check');
    expect(check.err).toContain('kustomization: not a single block mapping document; left unchanged\n');
    expect(check.code).toBe(3);
  });
});
