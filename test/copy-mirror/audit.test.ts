/**
 * `ptc audit --mirror` with a cache-only copy host (docs/copy.md, "Mirror mode"): a listed image of
 * the host is pulled through the mirror under its upstream name, and an unlisted one, which stays
 * upstream for rewriting, is marked as failing on the nodes that mirror the host. The config is
 * invented (the copy-mirror generation tests' copies).
 */
import { auditImages } from '../../cli/audit/report';
import type { ImageUse } from '../../cli/audit/extract';
import { configOf } from '../node-config/fixtures';

const config = configOf(
  [
    'account: "111122223333"',
    'region: eu-west-2',
    'rules:',
    '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }',
    'mirror: { fallback: false }',
    'copies:',
    '  - { prefix: gcr, upstream: gcr.io, mirror: true, images: [gcr.io/distroless/static:nonroot] }',
    '  - { prefix: nvidia, upstream: nvcr.io, images: ["nvcr.io/nvidia/k8s-device-plugin:v0.17.0"] }',
    '',
  ].join('\n'),
);

const use = (image: string): ImageUse => ({ image, owner: `default/${image.length}`, container: 'c', containerKind: 'container' });
const report = auditImages(
  [
    'gcr.io/distroless/static:nonroot',
    'gcr.io/distroless/base:latest',
    'nvcr.io/nvidia/k8s-device-plugin:v0.17.0',
    'nvcr.io/nvidia/cuda:12',
  ].map(use),
  config,
  undefined,
  { mirror: true },
);
const row = (image: string) => report.images.find((i) => i.image === image)!;

describe('ptc audit --mirror with a cache-only copy host', () => {
  test('a listed image of the host counts as through the cache, through the mirror', () => {
    expect(row('gcr.io/distroless/static:nonroot')).toMatchObject({
      status: 'cached',
      throughCache: true,
      throughMirror: true,
      rule: 'gcr',
    });
  });

  test('an unlisted image of the host says it fails to pull on the mirrored nodes', () => {
    const r = row('gcr.io/distroless/base:latest');
    expect(r.status).toBe('uncovered');
    expect(r.note).toBe('not copied: add it to copies[0].images; fails to pull on nodes that mirror gcr.io cache only (copies[0].mirror)');
  });

  test('a copy host that is not mirrored keeps its routing: listed to be rewritten, unlisted upstream, no failure note', () => {
    expect(row('nvcr.io/nvidia/k8s-device-plugin:v0.17.0')).toMatchObject({ status: 'uncached', throughCache: false });
    expect(row('nvcr.io/nvidia/k8s-device-plugin:v0.17.0').throughMirror).toBeUndefined();
    expect(row('nvcr.io/nvidia/cuda:12').note).toBe('not copied: add it to copies[1].images');
  });
});
