import { backoffDelay, formatPlatform, parseChallenges, parseManifest, selectPlatforms, ManifestFormatError } from '../../core/prewarm';
import { renderReport } from '../../core/prewarm/report';

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('parseManifest', () => {
  test('an OCI index lists its manifests with their platforms', () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('a'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('b'), size: 1, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
      ],
    });
    expect(parseManifest(body)).toEqual({
      kind: 'index',
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { digest: D('a'), mediaType: 'application/vnd.oci.image.manifest.v1+json', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        { digest: D('b'), mediaType: 'application/vnd.oci.image.manifest.v1+json' },
      ],
    });
  });

  test('a Docker v2 manifest yields its config and layers; foreign layers (hosted at their URLs) are skipped', () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D('c'), size: 7 },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: D('d'), size: 9, urls: ['https://mcr.microsoft.com/x'] },
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: D('e'), size: 11 },
      ],
    });
    expect(parseManifest(body)).toEqual({ kind: 'image', mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { digest: D('c'), size: 7 }, layers: [{ digest: D('e'), size: 11 }] });
  });

  test('without mediaType in the body, the Content-Type decides (a Docker manifest list here)', () => {
    const body = JSON.stringify({ schemaVersion: 2, manifests: [{ digest: D('a'), platform: { os: 'linux', architecture: 'amd64' } }] });
    expect(parseManifest(body, 'application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8')).toMatchObject({ kind: 'index', mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' });
  });

  test('refuses what it cannot walk, saying what it is', () => {
    expect(() => parseManifest('not json')).toThrow(new ManifestFormatError('manifest is not JSON'));
    expect(() => parseManifest(JSON.stringify({ schemaVersion: 1, fsLayers: [] }))).toThrow(/Docker schema 1 manifests are not supported/);
    expect(() => parseManifest(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: 'nope' }, layers: [] }))).toThrow('config has no valid "digest"');
  });
});

describe('platform selection', () => {
  const entries = [
    { digest: D('1'), platform: { os: 'linux', architecture: 'amd64' } },
    { digest: D('2'), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { digest: D('3'), platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { digest: D('4'), platform: { os: 'unknown', architecture: 'unknown' } },
  ];

  test('linux/arm64 matches any variant; linux/arm/v7 only that variant', () => {
    expect(selectPlatforms(entries, ['linux/amd64', 'linux/arm64']).map((e) => e.digest)).toEqual([D('1'), D('2')]);
    expect(selectPlatforms(entries, ['linux/arm/v6'])).toEqual([]);
    expect(selectPlatforms(entries, ['linux/arm/v7']).map((e) => formatPlatform(e.platform!))).toEqual(['linux/arm/v7']);
  });
});

describe('parseChallenges', () => {
  test('reads Bearer and Basic challenges with quoted and bare parameters', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
    ]);
    expect(parseChallenges('Basic realm="Amazon ECR"')).toEqual([{ scheme: 'basic', params: { realm: 'Amazon ECR' } }]);
    expect(parseChallenges('Bearer realm=https://x/token, error="insufficient_scope"')).toEqual([{ scheme: 'bearer', params: { realm: 'https://x/token', error: 'insufficient_scope' } }]);
  });
});

describe('backoffDelay', () => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  test('grows exponentially with full jitter and never passes the cap', () => {
    expect(backoffDelay(0, policy, null, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, null, () => 0.999)).toBe(799);
    expect(backoffDelay(9, policy, null, () => 0.999)).toBe(999);
    expect(backoffDelay(2, policy, null, () => 0)).toBe(0);
  });

  test('honours a longer Retry-After in seconds or as a date, up to the cap', () => {
    expect(backoffDelay(0, policy, '0.5', () => 0)).toBe(500);
    expect(backoffDelay(0, policy, '30', () => 0)).toBe(1000);
    expect(backoffDelay(0, policy, new Date(10_700).toUTCString(), () => 0, 10_000)).toBe(0);
    expect(backoffDelay(0, policy, 'Thu, 01 Jan 1970 00:00:11 GMT', () => 0, 10_000)).toBe(1000);
  });
});

describe('renderReport', () => {
  test('one line per image, a reason under each problem, and the counts', () => {
    const text = renderReport({
      registry: 'https://r',
      summary: { images: 2, ok: 1, missing: 1, denied: 0, failed: 0 },
      results: [
        { image: 'nginx:1.27', uri: 'r/docker-hub/library/nginx:1.27', status: 'ok', platforms: ['linux/amd64'], manifests: 2, blobs: 4, bytes: 12_345_678, redirects: 0 },
        { image: 'x:1', uri: 'r/docker-hub/library/x:1', status: 'missing', reason: 'not found', platforms: [], manifests: 0, blobs: 0, bytes: 0, redirects: 0 },
      ],
    });
    expect(text).toBe(
      'ok      nginx:1.27 -> r/docker-hub/library/nginx:1.27 (linux/amd64, 2 manifests, 4 blobs, 12.3 MB)\n' +
        'missing x:1 -> r/docker-hub/library/x:1\n        not found\n' +
        '2 images prewarmed through https://r: 1 ok, 1 missing, 0 denied, 0 failed\n',
    );
  });
});
