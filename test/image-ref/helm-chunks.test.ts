/**
 * The cut that keeps a large values file from becoming one large tree (cli/rewrite/helm/chunks.ts)
 * must not change what is rewritten: the split path is compared with parsing every document whole
 * on multi-document streams of real charts' values (test/fixtures/charts, SOURCE in each folder),
 * as written and nested under one key each (the shape of the 50 MB benchmark file).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { rewriteHelmValues } from '../../cli/rewrite';
import { nestedChunks, topLevelChunks } from '../../cli/rewrite/helm/chunks';
import { resolve } from './helpers';

const CHARTS = path.join(__dirname, '..', 'fixtures', 'charts');
const values = (chart: string): string => readFileSync(path.join(CHARTS, chart, 'values.yaml'), 'utf8');
const nested = (key: string, text: string): string => `${key}:\n${text.replace(/^(?=.)/gm, '  ')}`;

function bothWays(text: string): { split: ReturnType<typeof rewriteHelmValues>; whole: ReturnType<typeof rewriteHelmValues> } {
  return {
    split: rewriteHelmValues(text, resolve, 'values.yaml'),
    whole: rewriteHelmValues(text, resolve, 'values.yaml', { split: false }),
  };
}

describe('Helm values cut into parts', () => {
  const charts = ['ingress-nginx', 'cert-manager', 'kube-prometheus-stack', 'istiod', 'loki', 'grafana', 'argo-cd', 'redis/redis', 'mysql'];

  test('a multi-document stream of real values, as written and nested under a key, rewrites exactly as when parsed whole', () => {
    const docs = charts.map((c, i) => (i % 2 === 0 ? values(c) : nested(`chart${i}`, values(c))));
    const stream = docs.map((d) => `---\n${d}`).join('');
    const { split, whole } = bothWays(stream);
    expect(split.changes.length).toBeGreaterThan(20);
    expect(split.findings.length).toBeGreaterThan(5);
    expect(split.text).toBe(whole.text);
    expect(split.changes).toEqual(whole.changes);
    expect(split.findings).toEqual(whole.findings);
  });

  test('each real chart alone rewrites exactly as when parsed whole', () => {
    for (const chart of charts) {
      const { split, whole } = bothWays(values(chart));
      expect({ chart, text: split.text, changes: split.changes, findings: split.findings }).toEqual({
        chart,
        text: whole.text,
        changes: whole.changes,
        findings: whole.findings,
      });
    }
  });

  test("an image below a cut map still sees that map's hub, global and registry keys (shapes of istiod and traefik, written for this test)", () => {
    const text = [
      'mesh:',
      '  hub: docker.io/istio',
      '  pilot:',
      '    image: pilot',
      '    tag: 1.22.0',
      'gateway:',
      '  global:',
      '    hub: gcr.io/istio-release',
      '  proxy:',
      '    image: proxyv2',
      'traefik:',
      '  registry: docker.io',
      '  deployment:',
      '    image:',
      '      repository: traefik',
      '      tag: v3.0.0',
      '',
    ].join('\n');
    expect(nestedChunks(topLevelChunks(text)![0]!)?.rest.map((p) => p.key)).toEqual(['pilot']);
    const { split, whole } = bothWays(text);
    expect(split).toEqual(whole);
    // The hub moves for pilot (and the names the chart adds under it); proxyv2 renders from
    // gateway.global.hub, which no rule covers; traefik's registry may prefix its repository.
    expect(split.text).toContain('  hub: 111122223333.dkr.ecr.eu-west-2.amazonaws.com/docker-hub/istio\n  pilot:\n    image: pilot\n');
    expect(split.changes.map((c) => [c.location, c.from])).toEqual([
      ['mesh.hub', 'docker.io/istio'],
      ['mesh.pilot', 'docker.io/istio/pilot:1.22.0'],
      ['mesh.hub', 'docker.io/istio/probe'],
    ]);
    expect(split.findings.map((f) => [f.location, f.reason])).toEqual([
      ['traefik.deployment.image', 'unsupported'],
      ['gateway.global.hub', 'uncovered'],
      ['gateway.proxy.image', 'uncovered'],
    ]);
  });

  test('the nested stream is really cut: top-level entries and the maps under them', () => {
    const chunks = topLevelChunks(nested('chart', values('kube-prometheus-stack')))!;
    expect(chunks).toHaveLength(1);
    const parts = nestedChunks(chunks[0]!)!;
    expect(parts.rest.map((p) => p.key)).toContain('prometheusOperator');
    expect(parts.context.map((p) => p.key)).toContain('nameOverride');
  });

  test('a *name in a comment does not keep the document whole; an anchor or alias does', () => {
    expect(topLevelChunks('# based on the *podSecurityContext values\na: 1\nb:\n  c: 2\n')?.map((c) => c.key)).toEqual(['a', 'b']);
    expect(topLevelChunks('a: &x 1\nb: *x\n')).toBeUndefined();
    expect(topLevelChunks('a:\n  b: [*x]\n')).toBeUndefined();
  });

  test('an entry holding a list, a line indented less than the map, or a key written twice is not cut', () => {
    const first = (text: string) => nestedChunks(topLevelChunks(text)![0]!);
    expect(first('a:\n  - image: nginx:1\n  - image: redis:7\nb: 1\n')).toBeUndefined();
    expect(first('a:\n    x: 1\n  y: 2\nb: 1\n')).toBeUndefined();
    expect(first('a:\n  x: 1\n  x: 2\nb: 1\n')).toBeUndefined();
    expect(first('a:\n  x: 1\n  image:\n    repository: nginx\n  tag:\n    - 1\nb: 1\n')).toMatchObject({
      context: [{ key: 'x' }, { key: 'tag' }],
      rest: [{ key: 'image' }],
    });
  });

  test('a cut that lands inside a quoted scalar falls back to the whole document and reports its YAML error once', () => {
    const text = 'chart:\n  sidecar:\n    image: redis:7\n  image: "nginx:1.27\n  a: b"\n';
    const message = (split: boolean): string => {
      try {
        rewriteHelmValues(text, resolve, 'values.yaml', { split });
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(message(true)).toBe(message(false));
    expect(message(true)).toMatch(/^values\.yaml: YAML error at line \d+: /);
  });
});
