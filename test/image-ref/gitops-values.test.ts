/**
 * The chart values of Flux HelmReleases and Argo CD Applications / ApplicationSets in the
 * manifests path of `ptc rewrite`: each form (values tree, values string, parameters), each
 * place (HelmRelease versions, source, sources[], ApplicationSet template), and the shapes that
 * are reported instead of guessed. Inputs are invented here, shaped like the corpus files
 * (test/fixtures/gitops) and the Flux and Argo CD API references.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createReverser } from '../../core';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { imageUses, parseDocuments } from '../../cli/audit/extract';
import { rewriteManifests } from '../../cli/rewrite';
import { totals } from '../../cli/rewrite/summary';
import { CORPUS_CONFIG, REGISTRY } from './corpus';
import { resolve } from './helpers';

const R = REGISTRY;
const reverse = createReverser({ config: CORPUS_CONFIG, registryHost: REGISTRY });
const rewrite = (text: string) => rewriteManifests(text, resolve, 'gitops.yaml');

const helmRelease = (apiVersion: string, values: string): string =>
  `apiVersion: ${apiVersion}\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  interval: 1h\n  values:\n${values}`;

const application = (helm: string, kind = 'Application'): string =>
  `apiVersion: argoproj.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: web\nspec:\n  source:\n    chart: web\n    helm:\n${helm}`;

describe('Flux HelmRelease values', () => {
  test.each(['helm.toolkit.fluxcd.io/v2', 'helm.toolkit.fluxcd.io/v2beta2', 'helm.toolkit.fluxcd.io/v2beta1'])(
    '%s: spec.values images are rewritten in place',
    (apiVersion) => {
      const text = helmRelease(apiVersion, '    image:\n      repository: nginx # the web server\n      tag: "1.27"\n');
      const out = rewrite(text);
      expect(out.text).toBe(text.replace('repository: nginx #', `repository: ${R}/docker-hub/library/nginx #`));
      expect(out.changes).toEqual([
        { location: 'HelmRelease apps/web [doc 1] spec.values.image', from: 'nginx:1.27', to: `${R}/docker-hub/library/nginx:1.27` },
      ]);
    },
  );

  test("another group's HelmRelease (Flux v1, helm.fluxcd.io) is not read", () => {
    const text = helmRelease('helm.fluxcd.io/v1', '    image:\n      repository: nginx\n');
    expect(rewrite(text).text).toBe(text);
  });

  test('a chart-wide registry moves with the images it serves (the --helm-values logic)', () => {
    const text = helmRelease(
      'helm.toolkit.fluxcd.io/v2',
      '    global:\n      imageRegistry: docker.io\n    image:\n      registry: docker.io\n      repository: bitnami/redis\n      tag: "7.2"\n',
    );
    const out = rewrite(text);
    expect(out.text).toContain(`imageRegistry: ${R}\n`);
    expect(out.text).toContain(`registry: ${R}\n      repository: docker-hub/bitnami/redis\n`);
  });

  test('valuesFrom and valuesFiles are reported as not read, naming the reference, without changing the exit code', () => {
    const text =
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\nspec:\n  chart:\n    spec:\n      chart: web\n      valuesFiles: [values-prod.yaml]\n  valuesFrom:\n    - kind: Secret\n      name: web-values\n      valuesKey: extra.yaml\n    - kind: ConfigMap\n      name: web-images\n  values:\n    image: nginx:1.27\n';
    const out = rewrite(text);
    expect(out.findings.map((f) => [f.location, f.reason, f.reference])).toEqual([
      ['HelmRelease web [doc 1] spec.chart.spec.valuesFiles[0]', 'unseen', "file values-prod.yaml (of the chart's source)"],
      ['HelmRelease web [doc 1] spec.valuesFrom[0]', 'unseen', 'Secret web-values key extra.yaml'],
      ['HelmRelease web [doc 1] spec.valuesFrom[1]', 'unseen', 'ConfigMap web-images key values.yaml'],
    ]);
    expect(out.changes).toHaveLength(1);
    const t = totals([{ file: 'gitops.yaml', result: out }]);
    expect([t.unseen, t.unsupported, t.invalid]).toEqual([3, 0, 0]);
  });

  test('a post-renderer that renames images makes the values images reported, not rewritten (its entries would stop matching)', () => {
    const text = `${helmRelease('helm.toolkit.fluxcd.io/v2', '    image:\n      repository: nginx\n')}  postRenderers:\n    - kustomize:\n        images:\n          - name: nginx\n            newName: mirror.example.com/nginx\n`;
    const out = rewrite(text);
    expect(out.text).toBe(text);
    expect(out.findings).toEqual([
      expect.objectContaining({
        location: 'HelmRelease apps/web [doc 1] spec.values.image',
        reason: 'unsupported',
        message: expect.stringContaining('spec.postRenderers[0].kustomize.images may change this image'),
      }),
    ]);
  });

  test('a pod spec inside the values is rewritten once', () => {
    const text = helmRelease(
      'helm.toolkit.fluxcd.io/v2',
      '    extraPod:\n      containers:\n        - name: side\n          image: busybox:1.36\n',
    );
    const out = rewrite(text);
    expect(out.text).toBe(text.replace('busybox:1.36', `${R}/docker-hub/library/busybox:1.36`));
    expect(out.changes.map((c) => c.location)).toEqual(['HelmRelease apps/web [doc 1] spec.values.extraPod.containers[0] (side)']);
    expect(
      parseDocuments(text, 'gitops.yaml')
        .flatMap(imageUses)
        .map((u) => u.image),
    ).toEqual(['busybox:1.36']);
  });

  test('a pod spec inside a values string is read by the Helm-values logic (the manifests walk does not read strings)', () => {
    const text = application(
      '      values: |\n        extraPod:\n          containers:\n            - name: side\n              image: busybox:1.36\n',
    );
    expect(rewrite(text).text).toBe(text.replace('busybox:1.36', `${R}/docker-hub/library/busybox:1.36`));
  });

  test('an image key aliasing an anchor written outside the values is reported; other such aliases do not matter', () => {
    const text =
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: &app nginx\nspec:\n  values:\n    persistence: {existingClaim: *app}\n    image:\n      repository: *app\n';
    const out = rewrite(text);
    expect(out.text).toBe(text);
    expect(out.findings).toContainEqual(
      expect.objectContaining({
        location: 'HelmRelease nginx [doc 1] spec.values',
        reason: 'unsupported',
        message: expect.stringContaining('uses *app, an anchor written outside it'),
      }),
    );
    expect(rewrite(text.replace('    image:\n      repository: *app\n', '')).findings).toEqual([]);
  });

  test('an anchor and merge key inside the values are followed as Helm follows them', () => {
    const text = helmRelease(
      'helm.toolkit.fluxcd.io/v2',
      '    base: &img\n      repository: quay.io/org/app\n      tag: v1\n    worker:\n      image:\n        <<: *img\n',
    );
    const out = rewrite(text);
    expect(out.text).toContain(`repository: ${R}/quay/org/app\n`);
  });
});

describe('Argo CD helm.values (a YAML string)', () => {
  test('a literal block is rewritten inside, keeping its comments, blank lines and indentation', () => {
    const text = application(
      '      values: |\n        # the app\n        image:\n          repository: nginx\n\n          tag: "1.27"\n        sidecar:\n            image: "quay.io/org/side:v2"\n',
    );
    const out = rewrite(text);
    expect(out.text).toBe(
      text
        .replace('repository: nginx', `repository: ${R}/docker-hub/library/nginx`)
        .replace('"quay.io/org/side:v2"', `"${R}/quay/org/side:v2"`),
    );
    expect(out.changes.map((c) => c.location)).toEqual([
      'Application web [doc 1] spec.source.helm.values (image)',
      'Application web [doc 1] spec.source.helm.values (sidecar.image)',
    ]);
    expect(rewriteManifests(out.text, reverse).text).toBe(text);
  });

  test('a one-line quoted string without escapes is rewritten inside', () => {
    const text = application(`      values: 'image: {repository: ghcr.io/org/app, tag: v1}'\n`);
    expect(rewrite(text).text).toBe(text.replace('ghcr.io/org/app', `${R}/github/org/app`));
  });

  test.each([
    ['a folded block', '      values: >\n        image: nginx:1.27\n', 'folded block scalar'],
    ['a quoted string with escapes', '      values: "image: nginx:1.27\\nreplicas: 2"\n', 'quoted string with escapes'],
  ])('%s is reported with its path, not guessed', (_name, helm, why) => {
    const text = application(helm);
    const out = rewrite(text);
    expect(out.text).toBe(text);
    expect(out.findings).toEqual([
      expect.objectContaining({
        location: 'Application web [doc 1] spec.source.helm.values (image)',
        reason: 'unsupported',
        reference: 'nginx:1.27',
      }),
    ]);
    expect(out.findings[0]!.message).toContain(why);
  });

  test('an ApplicationSet values string with unquoted {{ }} templates: templated images are skipped, the others rewritten', () => {
    const text =
      'apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      source:\n        helm:\n          values: |\n            clusterName: {{metadata.annotations.cluster}}\n            image:\n              repository: {{values.repo}}\n            sidecar:\n              image: quay.io/org/side:v2\n';
    const out = rewrite(text);
    expect(out.findings).toEqual([]);
    expect(out.changes.map((c) => c.location)).toEqual([
      'ApplicationSet web [doc 1] spec.template.spec.source.helm.values (sidecar.image)',
    ]);
  });

  test('a values string that is not YAML is reported with its path (exit 3), not thrown', () => {
    const out = rewrite(application('      values: |\n        image: [nginx\n'));
    expect(out.findings).toEqual([
      expect.objectContaining({ location: 'Application web [doc 1] spec.source.helm.values', reason: 'unsupported' }),
    ]);
    expect(out.findings[0]!.message).toMatch(/^spec\.source\.helm\.values is not valid YAML \(line \d+ of the string\)/);
  });

  test('with valuesObject present the string is not read (Argo CD uses valuesObject only)', () => {
    const text = application('      values: |\n        image: busybox\n      valuesObject:\n        image: nginx:1.27\n');
    const out = rewrite(text);
    expect(out.changes.map((c) => c.from)).toEqual(['nginx:1.27']);
    expect(out.text).toContain('image: busybox\n');
  });
});

describe('Argo CD helm.parameters and sources', () => {
  test('parameters are read as the values tree their names imply; the value scalars are rewritten', () => {
    const text = application(
      '      parameters:\n        - name: image.repository\n          value: "nginx"\n        - name: image.tag\n          value: "1.27"\n        - name: ingress.annotations.kubernetes\\.io/tls-acme\n          value: "true"\n',
    );
    const out = rewrite(text);
    expect(out.text).toBe(text.replace('value: "nginx"', `value: "${R}/docker-hub/library/nginx"`));
    expect(out.changes).toEqual([
      {
        location: 'Application web [doc 1] spec.source.helm.parameters (image)',
        from: 'nginx:1.27',
        to: `${R}/docker-hub/library/nginx:1.27`,
      },
    ]);
  });

  test('a parameter with a list index that names an image is reported, not read', () => {
    const out = rewrite(application('      parameters:\n        - name: sidecars[0].image\n          value: busybox\n'));
    expect(out.findings).toEqual([
      expect.objectContaining({
        reason: 'unsupported',
        location: 'Application web [doc 1] spec.source.helm.parameters (sidecars[0].image)',
      }),
    ]);
  });

  test('an image whose keys both valuesObject and parameters set is reported, not guessed', () => {
    const text = application(
      '      valuesObject:\n        image:\n          registry: quay.io\n          repository: org/app\n      parameters:\n        - name: image.repository\n          value: other/app\n',
    );
    const out = rewrite(text);
    expect(out.text).toBe(text);
    expect(out.findings.map((f) => [f.location, f.reason])).toEqual([
      ['Application web [doc 1] spec.source.helm.valuesObject.image', 'unsupported'],
      ['Application web [doc 1] spec.source.helm.parameters (image)', 'unsupported'],
    ]);
  });

  test('parameters that set only keys the image is not composed from (pullPolicy) do not block it', () => {
    const text = application(
      '      valuesObject:\n        image:\n          repository: quay.io/org/app\n      parameters:\n        - name: image.pullPolicy\n          value: Always\n',
    );
    expect(rewrite(text).text).toBe(text.replace('quay.io/org/app', `${R}/quay/org/app`));
  });

  test('ApplicationSet template sources[] are read; templated values and valueFiles are left alone', () => {
    const text =
      'apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      sources:\n        - repoURL: https://git.example.com/values\n          ref: values\n        - chart: web\n          helm:\n            valueFiles: [$values/web.yaml]\n            valuesObject:\n              image:\n                repository: registry.k8s.io/pause\n              sidecar:\n                image: "{{ .sidecarImage }}"\n';
    const out = rewrite(text);
    expect(out.text).toBe(text.replace('registry.k8s.io/pause', `${R}/k8s/pause`));
    expect(out.findings.map((f) => [f.location, f.reason])).toEqual([
      ['ApplicationSet web [doc 1] spec.template.spec.sources[1].helm.valueFiles[0]', 'unseen'],
    ]);
  });
});

describe('ptc audit reads the same values', () => {
  test('a HelmRelease and an Application list the images their values compose', () => {
    const text = `${helmRelease('helm.toolkit.fluxcd.io/v2', '    image:\n      repository: nginx\n      tag: "1.27"\n')}---\n${application('      values: |\n        image: quay.io/org/side:v2\n')}`;
    expect(parseDocuments(text, 'gitops.yaml').flatMap(imageUses)).toEqual([
      { image: 'nginx:1.27', owner: 'HelmRelease apps/web', container: 'spec.values.image', containerKind: 'container' },
      {
        image: 'quay.io/org/side:v2',
        owner: 'Application default/web',
        container: 'spec.source.helm.values (image)',
        containerKind: 'container',
      },
    ]);
  });
});

describe('HelmReleases a kustomization owns', () => {
  const CONFIG = path.join(__dirname, '..', 'fixtures', 'gitops', 'ptc.yaml');

  test('a broken one is left to the kustomization that reports it; a sound one beside it is rewritten', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptc-owned-'));
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n  - good.yaml\n  - broken.yaml\n');
    writeFileSync(path.join(dir, 'good.yaml'), helmRelease('helm.toolkit.fluxcd.io/v2', '    image:\n      repository: nginx\n'));
    writeFileSync(path.join(dir, 'broken.yaml'), helmRelease('helm.toolkit.fluxcd.io/v2', '    image: "nginx\n'));
    const io = recordingIo({ cwd: dir });
    const code = await run(['rewrite', '--check', '-c', CONFIG, '.'], io);
    expect(io.err).toContain(`good.yaml:\n  HelmRelease apps/web [doc 1] spec.values.image: nginx -> ${R}/docker-hub/library/nginx\n`);
    expect(io.err).toMatch(/kustomization\.yaml:\n.*broken\.yaml/);
    expect(code).toBe(3);
  });
});
