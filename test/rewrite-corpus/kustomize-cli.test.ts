/**
 * `ptc rewrite` on kustomization trees through the CLI (exit codes, what is written, what is
 * refused), and the Kustomize rules ptc models, each checked against Kustomize v5.5.0's source
 * (api/internal/image/image.go, api/filters/imagetag/updater.go) by an example it documents.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { applyEntry, applyToSlot, imageMatches, splitImage } from '../../cli/rewrite/kustomize/image';
import { rewriteKustomizations } from '../../cli/rewrite';
import { copyTree, policyResolve, TREES } from './kustomize-corpus';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const R = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const tree = (name: string): string => copyTree(TREES.find((t) => t.name === name)!);

function writeTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ptc-kustomize-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const DEPLOYMENT =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n';

describe('ptc rewrite DIR (kustomizations)', () => {
  test('--check exits 1 on the original argo-cd tree, --in-place rewrites it, then --check exits 0', async () => {
    const root = tree('argo-cd');
    const io = { cwd: root };
    const check = recordingIo(io);
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', 'manifests'], check)).toBe(1);
    expect(check.err).toContain(
      `manifests/base/kustomization.yaml:\n  images[0].name: quay.io/argoproj/argocd -> ${R}/quay/argoproj/argocd\n  images[0].newName: quay.io/argoproj/argocd -> ${R}/quay/argoproj/argocd\n`,
    );
    expect(check.err).toContain(`  images[0].newName: public.ecr.aws/docker/library/redis -> ${R}/ecr/docker/library/redis\n`);
    expect(readFileSync(path.join(root, 'manifests/base/kustomization.yaml'), 'utf8')).toContain('- name: quay.io/argoproj/argocd\n');
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', 'manifests'], recordingIo(io))).toBe(0);
    expect(readFileSync(path.join(root, 'manifests/base/kustomization.yaml'), 'utf8')).toContain(
      `- name: ${R}/quay/argoproj/argocd\n  newName: ${R}/quay/argoproj/argocd\n  newTag: v3.5.1\n`,
    );
    const after = recordingIo(io);
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', 'manifests'], after)).toBe(0);
    expect(after.err).toBe('nothing to rewrite\n');
  });

  test('--check exits 1 on metrics-server (overlays built from components), --in-place rewrites its release component, then --check exits 0', async () => {
    const root = tree('metrics-server');
    const check = recordingIo({ cwd: root });
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', 'manifests'], check)).toBe(1);
    expect(check.err).toContain(
      `manifests/components/release/kustomization.yaml:\n  images[0].newName: registry.k8s.io/metrics-server/metrics-server -> ${R}/k8s/metrics-server/metrics-server\n`,
    );
    expect(check.err).toContain(
      'manifests/components/autoscale/kustomization.yaml:\n  kustomization: left unchanged: a Component that no kustomization given here applies (it renders only inside one); patchesStrategicMerge[0]: patch.yaml touches an image field; ptc cannot prove what it renders\n',
    );
    expect(check.err).toMatch(/1 image would change in 1 file; 6 uncovered left unchanged, 1 skipped \(no workload's image\)\n$/);
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', 'manifests'], recordingIo({ cwd: root }))).toBe(0);
    expect(readFileSync(path.join(root, 'manifests/components/release/kustomization.yaml'), 'utf8')).toContain(
      `  newName: ${R}/k8s/metrics-server/metrics-server\n  newTag: v0.9.0\n`,
    );
    const again = recordingIo({ cwd: root });
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', 'manifests'], again)).toBe(0);
    expect(await run(['rewrite', '-c', EXAMPLE, '--reverse', '--in-place', 'manifests'], recordingIo({ cwd: root }))).toBe(0);
    expect(readFileSync(path.join(root, 'manifests/components/release/kustomization.yaml'), 'utf8')).toContain(
      '  newName: registry.k8s.io/metrics-server/metrics-server\n',
    );
  });

  test('a kustomization tree is not printed: without --in-place or --check it is a one-line error', async () => {
    const io = recordingIo({ cwd: tree('kustomize-multibases') });
    expect(await run(['rewrite', '-c', EXAMPLE, 'examples/multibases'], io)).toBe(1);
    expect(io.err).toBe('examples/multibases: kustomizations are rewritten with --in-place (or checked with --check)\n');
    expect(io.out).toBe('');
  });

  test('a directory without a kustomization is a one-line error', async () => {
    const root = writeTree({ 'app/deployment.yaml': DEPLOYMENT });
    const io = recordingIo({ cwd: root });
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', 'app'], io)).toBe(1);
    expect(io.err).toBe('app is a directory without a kustomization file; name the manifest files to rewrite them\n');
  });

  test('a manifest a kustomization owns is left to it, even when named on the command line', async () => {
    const root = writeTree({ 'app/kustomization.yaml': 'resources:\n- deployment.yaml\n', 'app/deployment.yaml': DEPLOYMENT });
    const io = recordingIo({ cwd: root });
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', 'app/deployment.yaml', 'app/kustomization.yaml'], io)).toBe(0);
    expect(readFileSync(path.join(root, 'app/deployment.yaml'), 'utf8')).toBe(DEPLOYMENT);
    expect(readFileSync(path.join(root, 'app/kustomization.yaml'), 'utf8')).toBe(
      `resources:\n- deployment.yaml\nimages: # added by ptc rewrite\n- name: nginx # added by ptc rewrite\n  newName: ${R}/docker-hub/library/nginx\n`,
    );
    expect(io.err).toContain('app/deployment.yaml left unchanged: a kustomization given in this run owns it');
  });

  test('a base outside the paths given is not edited: the overlay moves its images', async () => {
    const root = writeTree({
      'base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
      'base/deployment.yaml': DEPLOYMENT,
      'prod/kustomization.yaml': 'resources:\n- ../base\nimages:\n- name: nginx\n  newTag: "1.28"\n',
    });
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', 'prod'], recordingIo({ cwd: root }))).toBe(0);
    expect(readFileSync(path.join(root, 'base/kustomization.yaml'), 'utf8')).toBe('resources:\n- deployment.yaml\n');
    expect(readFileSync(path.join(root, 'prod/kustomization.yaml'), 'utf8')).toBe(
      `resources:\n- ../base\nimages:\n- name: nginx\n  newName: ${R}/docker-hub/library/nginx # added by ptc rewrite\n  newTag: "1.28"\n`,
    );
    expect(await run(['rewrite', '-c', EXAMPLE, '--reverse', '--in-place', 'prod'], recordingIo({ cwd: root }))).toBe(0);
    expect(readFileSync(path.join(root, 'prod/kustomization.yaml'), 'utf8')).toBe(
      'resources:\n- ../base\nimages:\n- name: nginx\n  newTag: "1.28"\n',
    );
  });

  test('an inline patch that sets an image is reported with its YAML path, and the base it patches is left alone', () => {
    const root = writeTree({
      'base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
      'base/deployment.yaml': DEPLOYMENT,
      'dev/kustomization.yaml':
        'resources:\n- ../base\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n      value: nginx:1.29\n',
    });
    const { outcomes } = rewriteKustomizations(['.'], policyResolve, root);
    expect(outcomes.map((o) => [o.file, o.result.changes.length, o.result.findings.map((f) => `${f.location}: ${f.message}`)])).toEqual([
      ['base/kustomization.yaml', 0, ['kustomization: left unchanged: dev/kustomization.yaml, which uses it, is left unchanged']],
      ['dev/kustomization.yaml', 0, ['patches[0]: touches an image field; ptc cannot prove what it renders; left unchanged']],
    ]);
  });

  test('two images that share a name in one kustomization but need different names are reported, not guessed', () => {
    const pinned = `nginx@sha256:${'0'.repeat(64)}`;
    const root = writeTree({
      'app/kustomization.yaml': 'resources:\n- a.yaml\n- b.yaml\n',
      'app/a.yaml': DEPLOYMENT,
      'app/b.yaml': DEPLOYMENT.replace('name: web}', 'name: pinned}').replace('nginx:1.27', pinned),
    });
    const { outcomes } = rewriteKustomizations(['app'], policyResolve, root);
    expect(outcomes[0]!.result.changes).toEqual([]);
    expect(outcomes[0]!.result.text).toBe('resources:\n- a.yaml\n- b.yaml\n');
    expect(outcomes[0]!.result.findings.map((f) => [f.reason, f.message])).toEqual([
      [
        'unsupported',
        `left unchanged: app/b.yaml Deployment pinned spec.template.spec.containers[0] would render ${R}/docker-hub/library/${pinned}, not ${pinned}`,
      ],
    ]);
  });
});

describe('--digest-pinned on an overlay that adds a digest', () => {
  const digest = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

  test('upstream (the default): the overlay sends the pinned dex back upstream and reports it', async () => {
    const root = tree('invented-overlays');
    const io = recordingIo({ cwd: root });
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', '.'], io)).toBe(0);
    expect(readFileSync(path.join(root, 'overlays/digest/kustomization.yaml'), 'utf8')).toContain(
      `- name: ${R}/github/dexidp/dex\n  newName: ghcr.io/dexidp/dex # added by ptc rewrite\n  digest: ${digest}\n`,
    );
    expect(io.err).toContain(`ghcr.io/dexidp/dex@${digest} digest-pinned, left upstream`);
  });

  test('cache: the pinned dex follows its base into the cache, reported as not known to be cached', async () => {
    const root = tree('invented-overlays');
    const io = recordingIo({ cwd: root });
    expect(await run(['rewrite', '-c', EXAMPLE, '--digest-pinned', 'cache', '--in-place', '.'], io)).toBe(0);
    expect(readFileSync(path.join(root, 'overlays/digest/kustomization.yaml'), 'utf8')).toContain(
      `- name: ${R}/github/dexidp/dex\n  digest: ${digest}\n`,
    );
    expect(io.err).toContain(`ghcr.io/dexidp/dex@${digest} rewritten, but digest-pinned and not known to be cached`);
  });
});

describe('the Kustomize rules ptc models (kustomize v5.5.0 source)', () => {
  test('a name matches the value with any tag and digest, and only the whole name', () => {
    expect(imageMatches('nginx', 'nginx')).toBe(true);
    expect(imageMatches('nginx:1.27', 'nginx')).toBe(true);
    expect(imageMatches(`nginx@sha256:${'a'.repeat(64)}`, 'nginx')).toBe(true);
    expect(imageMatches(`nginx:1.27@sha256:${'a'.repeat(64)}`, 'nginx')).toBe(true);
    expect(imageMatches('docker.io/library/nginx:1.27', 'nginx')).toBe(false);
    expect(imageMatches('nginx-exporter:1', 'nginx')).toBe(false);
    // The name is used as a regular expression, unescaped: a dot matches any character.
    expect(imageMatches('quayxio/argoproj/argocd:v1', 'quay.io/argoproj/argocd')).toBe(true);
  });

  test('Split keeps a registry port in the name', () => {
    expect(splitImage('localhost:5000/app:v1@sha256:abc')).toEqual({ name: 'localhost:5000/app', tag: 'v1', digest: 'sha256:abc' });
    expect(splitImage('app@sha256:abc')).toEqual({ name: 'app', tag: '', digest: 'sha256:abc' });
  });

  test('newTag and digest each replace both; both set gives tag and digest; tagSuffix appends', () => {
    const d = `sha256:${'b'.repeat(64)}`;
    expect(applyEntry({ name: 'nginx', newTag: '1.28' }, `nginx:1.27@${d}`)).toBe('nginx:1.28');
    expect(applyEntry({ name: 'nginx', digest: d }, 'nginx:1.27')).toBe(`nginx@${d}`);
    expect(applyEntry({ name: 'nginx', newTag: '1.28', digest: d }, 'nginx')).toBe(`nginx:1.28@${d}`);
    expect(applyEntry({ name: 'nginx', newName: 'r/nginx' }, 'nginx:1.27')).toBe('r/nginx:1.27');
    expect(applyEntry({ name: 'nginx', tagSuffix: '-x' }, 'nginx:1.27')).toBe('nginx:1.27-x');
  });

  // Both checked with kubectl v1.32.4 (Kustomize v5.5.0): nginx:1-x-x in a Deployment or Pod, nginx:1-x under spec.deep.containers.
  test('on a default field spec an entry applies twice (legacy filter, then the field specs)', () => {
    expect(applyToSlot({ name: 'nginx', tagSuffix: '-x' }, 'nginx:1', true)).toBe('nginx:1-x-x');
    expect(applyToSlot({ name: 'nginx', tagSuffix: '-x' }, 'nginx:1', false)).toBe('nginx:1-x');
  });
});

// Invented trees (Kustomize's documented components layout: an overlay applies a Component over a
// base), for the shapes metrics-server does not have: a base ptc rewrites under a Component that
// renames its image, one Component shared by overlays over different bases, and a Component
// whose patch touches an image.
describe('kustomize components', () => {
  const deployment = (name: string, image: string): string =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: ${name}\n        image: ${image}\n`;
  const COMPONENT = 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n- name: nginx\n  newTag: "1.28"\n';
  const files = {
    'base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
    'base/deployment.yaml': deployment('web', 'nginx:1.27'),
    'other/kustomization.yaml': 'resources:\n- deployment.yaml\n',
    'other/deployment.yaml': deployment('edge', 'nginx:1.26'),
    'components/bump/kustomization.yaml': COMPONENT,
    'overlays/a/kustomization.yaml': 'resources:\n- ../../base\ncomponents:\n- ../../components/bump\n',
    'overlays/b/kustomization.yaml': 'resources:\n- ../../other\ncomponents:\n- ../../components/bump\n',
  };

  test('a Component shared by two overlays over rewritten bases is rewritten once, and every overlay renders the cache of what it rendered', async () => {
    const root = writeTree(files);
    const { renderedImages } = await import('../../cli/rewrite');
    expect(renderedImages(['.'], root)).toEqual(
      new Map([
        ['base/kustomization.yaml', ['nginx:1.27']],
        ['other/kustomization.yaml', ['nginx:1.26']],
        ['overlays/a/kustomization.yaml', ['nginx:1.28']],
        ['overlays/b/kustomization.yaml', ['nginx:1.28']],
      ]),
    );
    const io = recordingIo({ cwd: root });
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', '.'], io)).toBe(0);
    expect(renderedImages(['.'], root)).toEqual(
      new Map([
        ['base/kustomization.yaml', [`${R}/docker-hub/library/nginx:1.27`]],
        ['other/kustomization.yaml', [`${R}/docker-hub/library/nginx:1.26`]],
        ['overlays/a/kustomization.yaml', [`${R}/docker-hub/library/nginx:1.28`]],
        ['overlays/b/kustomization.yaml', [`${R}/docker-hub/library/nginx:1.28`]],
      ]),
    );
    expect(readFileSync(path.join(root, 'components/bump/kustomization.yaml'), 'utf8')).toBe(
      COMPONENT.replace('- name: nginx\n', `- name: ${R}/docker-hub/library/nginx\n`),
    );
    expect(readFileSync(path.join(root, 'overlays/a/kustomization.yaml'), 'utf8')).toBe(files['overlays/a/kustomization.yaml']);
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', '.'], recordingIo({ cwd: root }))).toBe(0);
    expect(await run(['rewrite', '-c', EXAMPLE, '--reverse', '--in-place', '.'], recordingIo({ cwd: root }))).toBe(0);
    for (const [file, text] of Object.entries(files)) expect([file, readFileSync(path.join(root, file), 'utf8')]).toEqual([file, text]);
  });

  test('a Component whose patch touches an image makes the overlays applying it reported (exit 3 under --check), the rest left as it is', async () => {
    const root = writeTree({
      ...files,
      'components/bump/kustomization.yaml': `${COMPONENT}patches:\n- path: patch.yaml\n`,
      'components/bump/patch.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.29\n',
    });
    const io = recordingIo({ cwd: root });
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', 'overlays/a'], io)).toBe(3);
    expect(io.err).toContain(
      'overlays/a/kustomization.yaml:\n  kustomization: left unchanged: its Component components/bump/kustomization.yaml is not understood\n',
    );
  });
});
