import { rewriteHelmValues } from '../../cli/rewrite';
import { REGISTRY } from './corpus';
import { changedLines, changedPaths, fixture, resolve } from './helpers';

const R = REGISTRY;

function rewrite(name: string) {
  const source = fixture(name);
  return { source, result: rewriteHelmValues(source, resolve, name) };
}

describe('Helm values, Bitnami style', () => {
  const { source, result } = rewrite('values-bitnami.yaml');

  test('points registry at the cache and repository at the cache repository, keeping tags', () => {
    expect(changedPaths(source, result.text)).toEqual([
      'doc0.image.registry',
      'doc0.image.repository',
      'doc0.metrics.image.registry',
      'doc0.metrics.image.repository',
      'doc0.sentinel.image.registry',
      'doc0.sentinel.image.repository',
      'doc0.volumePermissions.image.registry',
      'doc0.volumePermissions.image.repository',
    ]);
    expect(result.text).toContain(`  registry: ${R}\n  repository: docker-hub/bitnami/redis\n  tag: 7.2.4-debian-12-r9\n`);
    expect(result.text).toContain(`    registry: '${R}'\n    repository: docker-hub/bitnami/redis-exporter\n`);
  });

  test('leaves a private registry alone and keeps comments', () => {
    expect(result.findings).toEqual([
      { location: 'kubectl.image', reference: 'registry.example.com/tools/kubectl:1.29.2', reason: 'uncovered' },
    ]);
    expect(result.text).toContain('    registry: registry.example.com   # a private mirror: left alone\n');
    expect(result.text).toContain('  imageRegistry: ""   # set to override every image\'s registry\n');
    expect(result.text.startsWith('## Bitnami-style values')).toBe(true);
  });

  test('rewriting twice equals rewriting once', () => {
    expect(rewriteHelmValues(result.text, resolve).text).toBe(result.text);
  });
});

describe('Helm values with global.imageRegistry', () => {
  const { source, result } = rewrite('values-global.yaml');

  // Bitnami and Grafana let global.imageRegistry win over image.registry, ingress-nginx the
  // reverse: with both set to the same registry, both move, so either precedence renders the cache.
  test('points global.imageRegistry and the image registries at the cache, whichever the chart lets win', () => {
    expect(changedPaths(source, result.text)).toEqual([
      'doc0.global.imageRegistry',
      'doc0.image.registry',
      'doc0.image.repository',
      'doc0.metrics.image.registry',
      'doc0.metrics.image.repository',
    ]);
    expect(result.changes.map((c) => [c.location, c.to])).toEqual([
      ['global.imageRegistry', R],
      ['image', `${R}/docker-hub/bitnami/postgresql:16.2.0`],
      ['metrics.image', `${R}/docker-hub/bitnami/postgres-exporter:0.15.0`],
    ]);
  });

  test('rewriting twice equals rewriting once', () => {
    expect(rewriteHelmValues(result.text, resolve).text).toBe(result.text);
  });
});

describe('Helm values in mixed chart conventions', () => {
  const { source, result } = rewrite('values-mixed.yaml');

  test('rewrites repository-with-host, registry+image, repository-only and plain references at any depth, reporting the image each renders', () => {
    const D = 'sha256:e24f39d3eed6bcc239a56f20098878845f62baa34b9f2be2fd2c38ce9fb0f29e';
    expect(result.changes.map((c) => [c.location, c.from, c.to])).toEqual([
      ['image', 'quay.io/jetstack/cert-manager-controller', `${R}/quay/jetstack/cert-manager-controller`],
      ['controller.image', `registry.k8s.io/ingress-nginx/controller:v1.10.1@${D}`, `${R}/k8s/ingress-nginx/controller:v1.10.1@${D}`],
      [
        'controller.admissionWebhooks.patch.image',
        'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.1',
        `${R}/k8s/ingress-nginx/kube-webhook-certgen:v1.4.1`,
      ],
      ['app.image', 'nginx:1.10', `${R}/docker-hub/library/nginx:1.10`],
      ['app.sidecars[0].image', 'ghcr.io/fluent/fluent-bit:3.0', `${R}/github/fluent/fluent-bit:3.0`],
      ['app.sidecars[1].image', 'busybox:1.36', `${R}/docker-hub/library/busybox:1.36`],
      ['initImage', 'alpine:3.20', `${R}/docker-hub/library/alpine:3.20`],
      ['busyboxImage', 'busybox:latest', `${R}/docker-hub/library/busybox:latest`],
    ]);
    expect(result.findings).toEqual([{ location: 'privateImage', reference: 'localhost:5000/team/tool:1', reason: 'uncovered' }]);
  });

  test('changes only those values: tags, digests, comments and other keys stay byte for byte', () => {
    expect(changedLines(source, result.text)).toEqual([
      `  repository: ${R}/quay/jetstack/cert-manager-controller`,
      `    registry: ${R}`,
      '    image: k8s/ingress-nginx/controller',
      `        registry: ${R}`,
      '        image: k8s/ingress-nginx/kube-webhook-certgen',
      `    repository: ${R}/docker-hub/library/nginx`,
      `        repository: ${R}/github/fluent/fluent-bit`,
      `      image: "${R}/docker-hub/library/busybox:1.36"`,
      `initImage: ${R}/docker-hub/library/alpine:3.20`,
      `  repository: ${R}/docker-hub/library/busybox`,
    ]);
    expect(result.text).toContain('    tag: 1.10   # a float to YAML; left exactly as written\n');
  });

  test('rewriting twice equals rewriting once', () => {
    const again = rewriteHelmValues(result.text, resolve);
    expect(again.text).toBe(result.text);
    expect(again.changes).toEqual([]);
  });

  test('an empty image value means the chart default and is skipped silently', () => {
    const out = rewriteHelmValues('image: ""\nsidecar:\n  image:\n', resolve);
    expect(out).toEqual({ text: 'image: ""\nsidecar:\n  image:\n', changes: [], findings: [] });
  });
});

describe('Helm values shapes the issue names', () => {
  test('image + imageTag keeps the tag key and gets no :latest added to the name', () => {
    const out = rewriteHelmValues('image: mysql\nimageTag: 5.7.14\n', resolve);
    expect(out.text).toBe(`image: ${R}/docker-hub/library/mysql\nimageTag: 5.7.14\n`);
  });

  test('a tag or digest written inside repository stays there', () => {
    const D = `sha256:${'ab'.repeat(32)}`;
    const out = rewriteHelmValues(`image:\n  repository: quay.io/org/app:v1@${D}\n`, resolve);
    expect(out.text).toBe(`image:\n  repository: ${R}/quay/org/app:v1@${D}\n`);
  });

  test('an image block reached through a YAML merge key is rewritten where the anchor is written', () => {
    const text = 'defaults: &d\n  repository: ghcr.io/org/app\n  tag: "1"\nworker:\n  image:\n    <<: *d\n';
    const out = rewriteHelmValues(text, resolve);
    expect(out.text).toBe(`defaults: &d\n  repository: ${R}/github/org/app\n  tag: "1"\nworker:\n  image:\n    <<: *d\n`);
  });

  test('registry keys that disagree are reported with their path, never guessed', () => {
    const text = 'global:\n  imageRegistry: docker.io\nimage:\n  registry: quay.io\n  repository: org/app\n  tag: "1"\n';
    const out = rewriteHelmValues(text, resolve);
    expect(out.text).toBe(text);
    expect(out.findings).toEqual([expect.objectContaining({ location: 'image', reason: 'unsupported' })]);
    expect(out.findings[0]!.message).toMatch(/global\.imageRegistry \("docker\.io"\) and image\.registry \("quay\.io"\) disagree/);
  });

  test('Istio hub: the hub moves so that every name under it lands on its cache name', () => {
    const out = rewriteHelmValues('global:\n  hub: docker.io/istio\n  tag: 1.29.6\npilot:\n  image: pilot\n', resolve);
    expect(out.text).toBe(`global:\n  hub: ${R}/docker-hub/istio\n  tag: 1.29.6\npilot:\n  image: pilot\n`);
  });

  test('a YAML error names one line, once', () => {
    expect(() => rewriteHelmValues('a: 1\nb: [x\n', resolve, 'v.yaml')).toThrow(/^v\.yaml: YAML error at line \d+: [^\n]*$/);
    try {
      rewriteHelmValues('a: 1\nb: [x\n', resolve, 'v.yaml');
    } catch (err) {
      expect((err as Error).message.match(/line/g)).toHaveLength(1);
    }
  });

  test('an empty image block is reported: the chart template chooses that image', () => {
    const out = rewriteHelmValues('image:\n  repository: ""\n  tag: ""\n', resolve);
    expect(out.findings).toEqual([expect.objectContaining({ location: 'image', reason: 'unsupported' })]);
  });
});
