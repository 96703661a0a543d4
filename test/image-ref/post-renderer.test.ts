/**
 * `ptc rewrite` as a Helm post-renderer. Helm 3 execs the program it is given (`--post-renderer
 * PATH`, with `--post-renderer-args`), writes the rendered manifests to its stdin, applies its
 * stdout, and fails the release on a non-zero exit (helm.sh/helm/v3/pkg/postrender, NewExec). The
 * tests do exactly that through a wrapper script, the way the docs tell users to, on Helm's own
 * `helm template` golden output and on a derived stream with hooks and a List
 * (test/fixtures/helm-post-renderer/SOURCE).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { changedLines } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'config', 'example.yaml');
const R = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'helm-post-renderer');
const HELM_OUTPUT = readFileSync(path.join(FIXTURES, 'template-with-crds.txt'), 'utf8');
const DERIVED = readFileSync(path.join(FIXTURES, 'hooks-and-list.yaml'), 'utf8');

/** The wrapper script docs/workloads.md shows: Helm needs one executable; arguments come from --post-renderer-args. */
const wrapper = (() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-post-renderer-'));
  const file = path.join(dir, 'ptc-post-renderer');
  writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'ptc.js')}" rewrite --config "${EXAMPLE}" "$@"\n`);
  chmodSync(file, 0o755);
  return file;
})();

/** What Helm's exec post-renderer does: run the program with the manifests on stdin, read stdout. */
function postRender(manifests: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(wrapper, args, { input: manifests, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ptc rewrite as a Helm post-renderer', () => {
  test("on Helm's own template output: stdout is the stream with only the image changed, the summary goes to stderr", () => {
    const r = postRender(HELM_OUTPUT);
    expect(r.status).toBe(0);
    expect(changedLines(HELM_OUTPUT, r.stdout)).toEqual([`      image: "${R}/docker-hub/library/alpine:latest"`]);
    expect(r.stderr).toContain('Pod release-name-test [doc 9] spec.containers[0] (test): alpine:latest -> ');
    expect(r.stderr).toMatch(/rewrote 1 image in 1 file\n$/);
    expect(r.stdout).not.toContain('rewrote');
  });

  test('on a stream with hooks, an empty document, a List and a CRD: every image rewritten, every other byte kept', () => {
    const r = postRender(DERIVED);
    expect(r.status).toBe(0);
    expect(changedLines(DERIVED, r.stdout)).toEqual([
      `          image: "${R}/docker-hub/bitnami/postgresql:16.2.0"`,
      `          image: ${R}/k8s/pause:3.9`,
      `          image: ${R}/docker-hub/library/busybox:latest`,
      `          image: ${R}/github/org/app:v1`,
    ]);
    // Same documents, same comments (the "# Source:" lines), the CRD's `image` property untouched.
    expect(parseAllDocuments(r.stdout)).toHaveLength(parseAllDocuments(DERIVED).length);
    expect(r.stdout.match(/^# Source: .*$/gm)).toEqual(DERIVED.match(/^# Source: .*$/gm));
    expect(r.stdout).toContain('              default: nginx\n');
    expect(r.stdout).toContain('postrenderer.helm.sh/postrender-filename: demo/templates/hooks/migrate-job.yaml');
  });

  test('an invalid reference fails the release: non-zero exit and one line naming it on stderr', () => {
    const r = postRender(HELM_OUTPUT.replace('image: "alpine:latest"', 'image: "Alpine:Latest"'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('invalid image reference "Alpine:Latest": repository path must be lower case');
  });

  test('--post-renderer-args reach ptc through the wrapper', () => {
    const pinned = HELM_OUTPUT.replace('image: "alpine:latest"', `image: "alpine:3.20@sha256:${'a'.repeat(64)}"`);
    expect(postRender(pinned).stdout).toContain(`image: "alpine:3.20@sha256:${'a'.repeat(64)}"`);
    expect(postRender(pinned, ['--digest-pinned', 'cache']).stdout).toContain(
      `image: "${R}/docker-hub/library/alpine:3.20@sha256:${'a'.repeat(64)}"`,
    );
  });
});
