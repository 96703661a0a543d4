import { parseConfig } from '../../core';
import { compileProtect, effectiveEviction, pinnedImages, protectedBy } from '../../core/eviction';

describe('protect patterns', () => {
  const m = compileProtect(['*:latest', 'k8s/*', 'quay/org/app:v1.*']);
  test.each([
    ['docker-hub/library/nginx', ['latest'], '*:latest'],
    ['docker-hub/library/nginx', ['1.27'], undefined],
    ['k8s/pause', [], 'k8s/*'],
    ['k8s/deep/er/name', ['3.9'], 'k8s/*'],
    ['k8s', ['x'], undefined],
    ['quay/org/app', ['v1.2'], 'quay/org/app:v1.*'],
    ['quay/org/app', ['v2.0'], undefined],
    ['quay/org/app-x', ['v1.0'], undefined],
  ])('%s %j -> %s', (repository, tags, expected) => {
    expect(protectedBy(m, repository, tags)).toBe(expected);
  });

  test('treat regular expression characters literally', () => {
    expect(protectedBy(compileProtect(['a.b/c']), 'axb/c', [])).toBeUndefined();
    expect(protectedBy(compileProtect(['a.b/c']), 'a.b/c', [])).toBe('a.b/c');
  });
});

const config = parseConfig({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [
    { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
    { prefix: 'k8s', upstream: 'k8s' },
  ],
  repositories: {
    eviction: { unpulledDays: 90, protect: ['*:latest'] },
    overrides: [{ prefix: 'k8s', eviction: { unpulledDays: 365, mode: 'delete', protect: ['k8s/pause'] } }],
  },
  prewarm: { images: ['nginx:1.27', 'registry.k8s.io/pause@sha256:' + 'a'.repeat(64)] },
});

describe('effectiveEviction', () => {
  test('applies an override key by key, adding its protect patterns to the base ones', () => {
    expect(effectiveEviction(config, 'docker-hub')).toEqual({ unpulledDays: 90, mode: 'report', protect: ['*:latest'] });
    expect(effectiveEviction(config, 'k8s')).toEqual({ unpulledDays: 365, mode: 'delete', protect: ['*:latest', 'k8s/pause'] });
  });

  test('is off without a block', () => {
    expect(effectiveEviction({ repositories: {} }, 'k8s')).toBeUndefined();
  });
});

describe('pinnedImages', () => {
  test('resolves prewarm images to their cache repository and tag or digest, and copies to <prefix>/<path>', () => {
    const pins = pinnedImages(
      { ...config, copies: [{ prefix: 'gcr', upstream: 'gcr.io', images: ['gcr.io/distroless/static:nonroot'], schedule: 'rate(1 day)' }] },
      '111122223333.dkr.ecr.eu-west-2.amazonaws.com',
      [
        { image: 'quay.io/none/x:1', source: 's3://b/k' },
        { image: 'docker.io/library/redis:7', source: 's3://b/k' },
      ],
    );
    expect([...pins.tags].sort()).toEqual(['docker-hub/library/nginx:1.27', 'docker-hub/library/redis:7', 'gcr/distroless/static:nonroot']);
    expect([...pins.digests]).toEqual([`k8s/pause@sha256:${'a'.repeat(64)}`]);
    expect(pins.sources.get('docker-hub/library/redis:7')).toBe('s3://b/k');
    expect(pins.sources.get('docker-hub/library/nginx:1.27')).toBe('prewarm.images[0]');
  });
});
