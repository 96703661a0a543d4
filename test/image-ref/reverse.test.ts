import { InvalidReferenceError, createResolver, createReverser, parseConfig } from '../../core';
import { renderSummary, rewriteHelmValues, rewriteManifests } from '../../cli/rewrite';
import { parseAllDocuments } from 'yaml';
import { CORPUS, CORPUS_CONFIG, REGISTRY, UPSTREAM_ECR } from './corpus';
import { changedLines, fixture, resolve } from './helpers';

const R = REGISTRY;
const D = `sha256:${'0123456789abcdef'.repeat(4)}`;
const reverse = createReverser({ config: CORPUS_CONFIG, registryHost: R });

/** Every `image:` value of a manifest stream, in document order. */
function images(text: string): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'image' && typeof x === 'string') out.push(x);
        else visit(x);
      }
    }
  };
  parseAllDocuments(text).forEach((d) => visit(d.toJS()));
  return out;
}

describe('createReverser', () => {
  test.each([
    [`${R}/docker-hub/library/nginx:1.27`, 'nginx:1.27'],
    [`${R}/docker-hub/library/nginx:latest`, 'nginx:latest'],
    [`${R}/docker-hub/library/nginx@${D}`, `nginx@${D}`],
    [`${R}/docker-hub/bitnami/redis:7.2.4`, 'bitnami/redis:7.2.4'],
    [`${R}/docker-hub/library/team/app:1`, 'library/team/app:1'],
    [`${R}/github/org/app:v1@${D}`, `ghcr.io/org/app:v1@${D}`],
    [`${R}/k8s/pause:3.9`, 'registry.k8s.io/pause:3.9'],
    [`${R}/ecr-public/nginx/nginx:1.27`, 'public.ecr.aws/nginx/nginx:1.27'],
    [`${R}/quay/jetstack/cert-manager-controller:v1.14.5`, 'quay.io/jetstack/cert-manager-controller:v1.14.5'],
    [`${R}/azure/team/api:2.0`, 'myregistry.azurecr.io/team/api:2.0'],
    [`${R}/gitlab/group/project:1`, 'registry.gitlab.com/group/project:1'],
    [`${R}/chainguard/chainguard/static`, 'cgr.dev/chainguard/static:latest'],
    [`${R}/shared/api:1.0`, `${UPSTREAM_ECR}/platform/api:1.0`],
    [`${R}/east/other/api:1.0`, `${UPSTREAM_ECR}/other/api:1.0`],
  ])('points %s back at %s', (cacheUri, upstream) => {
    expect(reverse(cacheUri)).toMatchObject({ status: 'resolved', output: upstream });
  });

  test('is the inverse of the resolver on every reference the corpus resolves', () => {
    for (const c of CORPUS) {
      if (c[1] !== 'resolved') continue;
      const back = reverse(c[2]);
      expect({ ref: c[2], status: back.status }).toEqual({ ref: c[2], status: 'resolved' });
      expect({ ref: c[0], again: resolve(back.output).output }).toEqual({ ref: c[0], again: c[2] });
      expect({ ref: c[0], same: resolve(back.output).reference }).toEqual({ ref: c[0], same: resolve(c[0]).reference });
    }
  });

  test('leaves upstream references (cached: nothing to undo) and uncovered ones unchanged', () => {
    for (const c of CORPUS) {
      if (c[1] !== 'resolved' && c[1] !== 'uncovered') continue;
      const r = reverse(c[0]);
      expect({ ref: c[0], status: r.status, output: r.output }).toEqual({
        ref: c[0],
        status: c[1] === 'resolved' ? 'cached' : 'uncovered',
        output: c[0],
      });
    }
  });

  test('a cache URI outside every managed prefix is uncovered', () => {
    expect(reverse(`${R}/unmanaged/app:1`)).toMatchObject({ status: 'uncovered', output: `${R}/unmanaged/app:1` });
    expect(reverse(`${R}/docker-hub:1`)).toMatchObject({ status: 'uncovered' });
  });

  test('an invalid reference is an InvalidReferenceError, as for the resolver', () => {
    expect(() => reverse(`${R}/docker-hub/library/Nginx`)).toThrow(InvalidReferenceError);
    expect(() => reverse(`${R}/docker-hub/library/Nginx`)).toThrow(
      `invalid image reference "${R}/docker-hub/library/Nginx": repository path must be lower case ("Nginx")`,
    );
  });
});

describe('rewriting manifests back', () => {
  test('a chart render goes to the cache and back to exactly the original text', () => {
    const source = fixture('ingress-nginx-deploy.yaml');
    const there = rewriteManifests(source, resolve).text;
    expect(there).not.toBe(source);
    expect(rewriteManifests(there, reverse).text).toBe(source);
  });

  test('every workload image comes back to an upstream reference naming the same image', () => {
    const source = fixture('workloads.yaml');
    const there = rewriteManifests(source, resolve).text;
    const back = rewriteManifests(there, reverse);
    const before = images(source);
    const after = images(back.text);
    expect(after).toHaveLength(before.length);
    after.forEach((image, i) =>
      expect({ image, resolves: resolve(image).output }).toEqual({ image, resolves: resolve(before[i]!).output }),
    );
    expect(after).toContain('busybox:latest');
    expect(after).toContain(`postgres:16@${D}`);
    // Only image lines differ from the forward rewrite, and comments survive both ways.
    expect(changedLines(there, back.text).every((l) => /image: |^\s+quay\.io\//.test(l))).toBe(true);
    expect(back.text).toContain('image: nginx:1.27   # pinned on purpose');
  });

  test('reversing twice equals reversing once', () => {
    const there = rewriteManifests(fixture('workloads.yaml'), resolve).text;
    const once = rewriteManifests(there, reverse).text;
    const twice = rewriteManifests(once, reverse);
    expect(twice.text).toBe(once);
    expect(twice.changes).toEqual([]);
  });
});

describe('rewriting Helm values back', () => {
  test.each(['values-bitnami.yaml', 'values-global.yaml', 'values-mixed.yaml'])(
    '%s goes to the cache and back to exactly the original text',
    (name) => {
      const source = fixture(name);
      const there = rewriteHelmValues(source, resolve).text;
      expect(there).not.toBe(source);
      expect(rewriteHelmValues(there, reverse).text).toBe(source);
    },
  );
});

describe('global.imageRegistry moves only when every image it serves can', () => {
  const VALUES = `global:\n  imageRegistry: ${UPSTREAM_ECR}\nimage:\n  registry: ${UPSTREAM_ECR}\n  repository: platform/api\n  tag: "1"\nworker:\n  image:\n    registry: ${UPSTREAM_ECR}\n    repository: other/worker\n    tag: "1"\n`;

  test('an image under global that no rule covers holds back the others, with a finding', () => {
    const onlyPrefix = parseConfig({
      account: '111122223333',
      region: 'eu-west-2',
      rules: [CORPUS_CONFIG.rules.find((r) => r.prefix === 'shared')],
    });
    const result = rewriteHelmValues(VALUES, createResolver({ config: onlyPrefix, registryHost: R }));
    expect(result.text).toBe(VALUES);
    expect(result.changes).toEqual([]);
    expect(result.findings).toEqual([
      { location: 'worker.image', reference: `${UPSTREAM_ECR}/other/worker:1`, reason: 'uncovered' },
      {
        location: 'image',
        reference: `${UPSTREAM_ECR}/platform/api:1`,
        reason: 'blocked',
        message: `${UPSTREAM_ECR}/platform/api:1 left unchanged: global.imageRegistry ("${UPSTREAM_ECR}") also serves worker.image (${UPSTREAM_ECR}/other/worker:1), which no rule covers`,
      },
    ]);
  });

  test('the summary lists held-back images and counts them', () => {
    const onlyPrefix = parseConfig({
      account: '111122223333',
      region: 'eu-west-2',
      rules: [CORPUS_CONFIG.rules.find((r) => r.prefix === 'shared')],
    });
    const result = rewriteHelmValues(VALUES, createResolver({ config: onlyPrefix, registryHost: R }));
    const summary = renderSummary([{ file: 'values.yaml', result }], 'write');
    expect(summary).toContain(`  image: ${UPSTREAM_ECR}/platform/api:1 left unchanged: global.imageRegistry`);
    expect(summary.endsWith('rewrote 0 images in 0 files; 1 uncovered left unchanged, 1 held back by global.imageRegistry\n')).toBe(true);
  });

  test('when every image is covered, global and every repository move together', () => {
    const result = rewriteHelmValues(VALUES, resolve);
    expect(result.changes.map((c) => [c.location, c.to])).toEqual([
      ['global.imageRegistry', R],
      ['image', `${R}/shared/api:1`],
      ['worker.image', `${R}/east/other/worker:1`],
    ]);
    expect(rewriteHelmValues(result.text, reverse).text).toBe(VALUES);
  });

  test('going back, images of different upstream registries cannot share one global registry', () => {
    // The image registries are empty: a set one that differs from the global is ambiguous (charts differ on which wins).
    const values = `global:\n  imageRegistry: ${R}\nimage:\n  registry: ""\n  repository: docker-hub/bitnami/redis\nexporter:\n  image:\n    registry: ""\n    repository: quay/prometheus/node-exporter\n`;
    const result = rewriteHelmValues(values, reverse);
    expect(result.text).toBe(values);
    expect(result.findings).toEqual([
      {
        location: 'image',
        reference: `${R}/docker-hub/bitnami/redis`,
        reason: 'blocked',
        message: `${R}/docker-hub/bitnami/redis left unchanged: global.imageRegistry ("${R}") also serves exporter.image (${R}/quay/prometheus/node-exporter), which moves to another registry (quay.io)`,
      },
      {
        location: 'exporter.image',
        reference: `${R}/quay/prometheus/node-exporter`,
        reason: 'blocked',
        message: `${R}/quay/prometheus/node-exporter left unchanged: global.imageRegistry ("${R}") also serves image (${R}/docker-hub/bitnami/redis), which moves to another registry (docker.io)`,
      },
    ]);
  });
});
