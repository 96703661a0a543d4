import { ManifestSyntaxError, rewriteManifests } from '../../cli/rewrite';
import { REGISTRY } from './corpus';
import { changedLines, changedPaths, fixture, leaves, resolve } from './helpers';

const R = REGISTRY;
const D = '0123456789abcdef'.repeat(4);

describe('rewriteManifests on every workload kind', () => {
  const source = fixture('workloads.yaml');
  const result = rewriteManifests(source, resolve, 'workloads.yaml');

  test('rewrites every container list of every workload kind', () => {
    expect(result.changes.map((c) => [c.location, c.to])).toEqual([
      ['Pod default/debug [doc 1] spec.containers[0] (app)', `${R}/docker-hub/library/nginx:1.27`],
      ['Pod default/debug [doc 1] spec.initContainers[0] (wait)', `${R}/docker-hub/library/busybox:latest`],
      ['Pod default/debug [doc 1] spec.ephemeralContainers[0] (debugger)', `${R}/github/nicolaka/netshoot:v0.12`],
      ['Deployment shop/web [doc 2] spec.template.spec.containers[0] (web)', `${R}/k8s/e2e-test-images/agnhost:2.39`],
      ['Deployment shop/web [doc 2] spec.template.spec.containers[2] (proxy)', `${R}/quay/prometheus/node-exporter:latest`],
      ['Deployment shop/web [doc 2] spec.template.spec.initContainers[0] (migrate)', `${R}/docker-hub/library/postgres:16@sha256:${D}`],
      ['StatefulSet shop/db [doc 3] spec.template.spec.containers[0] (db)', `${R}/docker-hub/bitnami/postgresql:16.2.0`],
      [
        'DaemonSet kube-system/node-agent [doc 4] spec.template.spec.containers[0] (agent)',
        `${R}/ecr-public/aws-observability/aws-for-fluent-bit:2.32.0`,
      ],
      ['ReplicaSet legacy [doc 5] spec.template.spec.containers[0] (legacy)', `${R}/docker-hub/library/redis:7.2`],
      ['Job once [doc 6] spec.template.spec.containers[0] (once)', `${R}/docker-hub/library/alpine:3.20`],
      ['CronJob nightly [doc 7] spec.jobTemplate.spec.template.spec.containers[0] (report)', `${R}/quay/org/report:2.0`],
      [
        'CronJob nightly [doc 7] spec.jobTemplate.spec.template.spec.initContainers[0] (prepare)',
        `${R}/github/org/prepare@sha256:${'fedcba9876543210'.repeat(4)}`,
      ],
      ['ReplicationController old-rc [doc 8] spec.template.spec.containers[0] (old)', `${R}/docker-hub/library/nginx:latest`],
      ['PodTemplate template [doc 9] template.spec.containers[0] (t)', `${R}/k8s/pause:3.9`],
      ['List [doc 10] items[0].spec.containers[0] (c)', `${R}/chainguard/chainguard/static:latest`],
      ['List [doc 10] items[0].spec.containers[1] (d)', `${R}/chainguard/chainguard/static:latest`],
      ['Rollout shop/canary [doc 12] spec.template.spec.containers[0] (canary)', `${R}/github/argoproj/rollouts-demo:blue`],
    ]);
  });

  test('leaves an uncovered registry alone and says so', () => {
    expect(result.findings).toEqual([
      {
        location: 'Deployment shop/web [doc 2] spec.template.spec.containers[1] (sidecar)',
        reference: 'localhost:5000/team/sidecar:1',
        reason: 'uncovered',
      },
    ]);
    expect(result.text).toContain('image: localhost:5000/team/sidecar:1   # private registry: stays');
  });

  test('changes only image values, keeping comments, quoting and layout byte for byte', () => {
    const lines = changedLines(source, result.text);
    expect(lines).toEqual([
      `      image: ${R}/docker-hub/library/nginx:1.27   # pinned on purpose`,
      `    image: "${R}/docker-hub/library/busybox:latest"`,
      `      image: '${R}/github/nicolaka/netshoot:v0.12'`,
      `          image: "${R}/docker-hub/library/postgres:16@sha256:${D}"`,
      `          image: ${R}/k8s/e2e-test-images/agnhost:2.39`,
      `        - {name: proxy, image: ${R}/quay/prometheus/node-exporter:latest}`,
      `        image: ${R}/docker-hub/bitnami/postgresql:16.2.0`,
      `          image: ${R}/ecr-public/aws-observability/aws-for-fluent-bit:2.32.0`,
      `      containers: [{name: legacy, image: "${R}/docker-hub/library/redis:7.2"}]`,
      `          image: ${R}/docker-hub/library/alpine:3.20`,
      `              image: ${R}/github/org/prepare@sha256:${'fedcba9876543210'.repeat(4)}`,
      `                ${R}/quay/org/report:2.0`,
      `          image: ${R}/docker-hub/library/nginx:latest`,
      `        image: ${R}/k8s/pause:3.9`,
      `          image: &shared ${R}/chainguard/chainguard/static:latest`,
      `          image: ${R}/github/argoproj/rollouts-demo:blue`,
    ]);
  });

  test('keeps every comment', () => {
    const comments = source
      .split('\n')
      .filter((l) => l.includes('#'))
      .map((l) => l.slice(l.indexOf('#')));
    for (const comment of comments) expect(result.text).toContain(comment);
  });

  test('the ConfigMap, including image-like data, does not change', () => {
    expect(changedPaths(source, result.text).filter((p) => p.startsWith('doc10.'))).toEqual([]);
  });

  test('rewriting twice equals rewriting once', () => {
    const again = rewriteManifests(result.text, resolve);
    expect(again.text).toBe(result.text);
    expect(again.changes).toEqual([]);
  });
});

describe('rewriteManifests on a full chart render (ingress-nginx deploy.yaml, test/fixtures/manifests/SOURCE)', () => {
  const name = 'ingress-nginx-deploy.yaml';
  const source = fixture(name);
  const result = rewriteManifests(source, resolve, name);
  // Read from the file without ptc: every container image field and its value, and the image lines.
  const images = [...leaves(source)].filter(([p]) => /\.(containers|initContainers|ephemeralContainers)\[\d+\]\.image$/.test(p));
  const imageLines = source.split('\n').filter((l) => /^\s+image: /.test(l));
  // The corpus config's k8s rule: registry.k8s.io/<path> is served as <cache>/k8s/<path>.
  const cached = (ref: string): string => ref.replace(/^registry\.k8s\.io\//, `${R}/k8s/`);

  test('the render holds a ConfigMap, container args, a webhook configuration and three images', () => {
    expect(source).toMatch(/^kind: ConfigMap$/m);
    expect(source).toMatch(/^kind: ValidatingWebhookConfiguration$/m);
    expect(source).toMatch(/^\s+(- )?args:$/m);
    expect(images).toHaveLength(3);
  });

  test('changes only the container image fields, never ConfigMap data, args or webhook configurations', () => {
    expect(changedPaths(source, result.text)).toEqual(images.map(([p]) => p).sort());
    expect(result.changes.map((c) => c.to)).toEqual(images.map(([, v]) => cached(String(v))));
  });

  test('every other line stays byte for byte', () => {
    expect(changedLines(source, result.text)).toEqual(
      imageLines.map((l) => cached(l.replace(/^(\s+image: )/, '')).replace(/^/, /^\s+image: /.exec(l)![0])),
    );
  });

  test('rewriting twice equals rewriting once', () => {
    expect(rewriteManifests(result.text, resolve).text).toBe(result.text);
  });
});

describe('rewriteManifests edge cases', () => {
  test('reports an invalid image and leaves it as written', () => {
    const text = 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: Nginx:1\n';
    const result = rewriteManifests(text, resolve);
    expect(result.text).toBe(text);
    expect(result.findings).toEqual([
      {
        location: 'Pod p [doc 1] spec.containers[0] (a)',
        reference: 'Nginx:1',
        reason: 'invalid',
        message: 'invalid image reference "Nginx:1": repository path must be lower case ("Nginx")',
      },
    ]);
  });

  test('names the file and line of a YAML error', () => {
    const text = 'kind: Pod\n---\nkind: Pod\nspec:\n  containers:\n    - image: [unclosed\n';
    expect(() => rewriteManifests(text, resolve, 'bad.yaml')).toThrow(ManifestSyntaxError);
    expect(() => rewriteManifests(text, resolve, 'bad.yaml')).toThrow(/^bad\.yaml: YAML error at line [67]:/);
  });

  test('reads JSON manifests and keeps them JSON', () => {
    const text = JSON.stringify(
      { kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [{ name: 'a', image: 'nginx:1.27' }] } },
      null,
      2,
    );
    const out = rewriteManifests(text, resolve).text;
    expect(JSON.parse(out).spec.containers[0].image).toBe(`${R}/docker-hub/library/nginx:1.27`);
  });

  test('handles a stream with directives as a whole', () => {
    const text =
      '%YAML 1.2\n---\nkind: Pod\nspec:\n  containers:\n    - {name: a, image: nginx}\n...\n%YAML 1.2\n---\nkind: Pod\nspec:\n  containers:\n    - {name: b, image: redis}\n';
    const out = rewriteManifests(text, resolve);
    expect(out.changes.map((c) => c.to)).toEqual([`${R}/docker-hub/library/nginx:latest`, `${R}/docker-hub/library/redis:latest`]);
    expect(out.text.split('\n').length).toBe(text.split('\n').length);
  });

  test('documents without image fields are passed through untouched', () => {
    const text = 'kind: ConfigMap\ndata: {a: "1"}\n---\nkind: Pod\nspec:\n  containers: [{name: a, image: nginx}]\n';
    expect(rewriteManifests(text, resolve).text).toBe(
      `kind: ConfigMap\ndata: {a: "1"}\n---\nkind: Pod\nspec:\n  containers: [{name: a, image: ${R}/docker-hub/library/nginx:latest}]\n`,
    );
  });

  test('skips templated images, such as those in a Kyverno policy or a Tekton task', () => {
    const text =
      'kind: ClusterPolicy\nspec:\n  containers:\n    - name: "{{ element.name }}"\n      image: "{{ regex_replace_all(\'^x$\', element.image, \'y\') }}"\n    - name: b\n      image: $(params.image)\n';
    expect(rewriteManifests(text, resolve)).toEqual({ text, changes: [], findings: [] });
  });

  test('an empty input gives an empty output', () => {
    expect(rewriteManifests('', resolve)).toEqual({ text: '', changes: [], findings: [] });
  });
});
