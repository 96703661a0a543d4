/**
 * Global registry keys stay consistent (issue 21): a chart-wide registry (`global.image.registry`,
 * `global.imageRegistry`, ...) is written only when every image it may apply to recomposes to
 * `ptc resolve` of what it rendered before; otherwise it stays and each affected image is reported.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { rewriteHelmValues } from '../../cli/rewrite';
import { recordingIo } from '../cli/fake-io';
import { REGISTRY } from './corpus';
import { resolve } from './helpers';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const R = REGISTRY;
const LOKI = readFileSync(path.join(__dirname, '..', 'fixtures', 'charts', 'loki', 'values.yaml'), 'utf8');

/**
 * Derived from the real grafana/loki chart values (test/fixtures/charts/loki/SOURCE): the
 * deprecated `global.image.registry` set to docker.io (the chart's loki.baseImage lets it win over
 * every component's image.registry), and the sidecar's image.registry moved to registry.k8s.io.
 */
function derivedLoki(): string {
  const global =
    '  image:\n    # -- Overrides the Docker registry globally for all images (deprecated, use global.imageRegistry)\n    registry: null\n';
  const sidecar = 'sidecar:\n  image:\n    registry: docker.io\n';
  expect(LOKI).toContain(global);
  expect(LOKI).toContain(sidecar);
  return LOKI.replace(global, global.replace('registry: null', 'registry: docker.io')).replace(
    sidecar,
    sidecar.replace('docker.io', 'registry.k8s.io'),
  );
}

describe('a chart-wide registry that also applies to images ptc cannot prove', () => {
  test('the derived Loki values are left byte for byte: global.image.registry stays, and every image under it is reported', () => {
    const text = derivedLoki();
    const out = rewriteHelmValues(text, resolve, 'loki.yaml');
    expect(out.text).toBe(text);
    expect(out.changes).toEqual([]);
    const blocked = out.findings.filter((f) => f.reason === 'blocked');
    expect(blocked.map((f) => f.location)).toEqual(['loki.image', 'enterprise.image', 'test.image', 'lokiCanary.image', 'gateway.image']);
    expect(blocked[0]!.message).toMatch(
      /^docker\.io\/grafana\/loki:3\.6\.11 left unchanged: global\.image\.registry \("docker\.io"\) also applies to enterprise\.provisioner\.image, singleBinary\.image, write\.image and \d+ more, whose image ptc cannot prove/,
    );
    expect(out.findings).toContainEqual(
      expect.objectContaining({
        location: 'sidecar.image',
        reason: 'unsupported',
        message: expect.stringContaining('global.image.registry ("docker.io") and sidecar.image.registry ("registry.k8s.io") disagree'),
      }),
    );
  });

  test('--check exits 3 and --in-place writes nothing', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptc-loki-')), 'values.yaml');
    const text = derivedLoki();
    writeFileSync(file, text);
    const check = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--helm-values', '--check', file], check)).toBe(3);
    expect(check.err).toMatch(/nothing to rewrite; 5 held back by global\.imageRegistry, 24 not understood \(left unchanged\)\n$/);
    expect(await run(['rewrite', '-c', EXAMPLE, '--helm-values', '--in-place', file], recordingIo())).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('a chart-wide registry over images ptc can all prove', () => {
  test('moves, with every registry key and name, and each image recomposes to the resolver answer for what it rendered', () => {
    const text =
      'global:\n  image:\n    registry: docker.io\nloki:\n  image:\n    registry: docker.io\n    repository: grafana/loki\n    tag: 3.6.11\nsidecar:\n  image:\n    registry: docker.io\n    repository: kiwigrid/k8s-sidecar\n    tag: 2.5.0\n';
    const out = rewriteHelmValues(text, resolve, 'v.yaml');
    expect(out.findings).toEqual([]);
    expect(out.changes.map((c) => `${c.location}: ${c.to}`)).toEqual([
      'global.image.registry: ' + R,
      `loki.image: ${R}/docker-hub/grafana/loki:3.6.11`,
      `sidecar.image: ${R}/docker-hub/kiwigrid/k8s-sidecar:2.5.0`,
    ]);
  });

  test('stays when one more image under it has no repository, so the chart picks it (what the global does to it is unproven)', () => {
    const text =
      'global:\n  image:\n    registry: docker.io\nloki:\n  image:\n    registry: docker.io\n    repository: grafana/loki\n    tag: 3.6.11\nwrite:\n  image:\n    registry: null\n    repository: null\n    tag: null\n';
    const out = rewriteHelmValues(text, resolve, 'v.yaml');
    expect(out.text).toBe(text);
    expect(out.findings.map((f) => `${f.location} ${f.reason}`)).toEqual(['write.image unsupported', 'loki.image blocked']);
  });
});
