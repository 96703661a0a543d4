import {
  backoffDelay,
  ChallengeHeaderError,
  formatPlatform,
  parseManifest,
  selectPlatforms,
  ManifestFormatError,
} from '../../core/prewarm';
import { MAX_CHALLENGE_HEADER_CHARS, parseChallenges, type ParseWork } from '../../registry';
import { renderReport } from '../../core/prewarm/report';

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('parseManifest', () => {
  test('an OCI index lists its manifests with their platforms', () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: D('a'),
          size: 1,
          platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: D('b'),
          size: 1,
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
        },
      ],
    });
    expect(parseManifest(body)).toEqual({
      kind: 'index',
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          digest: D('a'),
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
        },
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
        {
          mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
          digest: D('d'),
          size: 9,
          urls: ['https://mcr.microsoft.com/x'],
        },
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: D('e'), size: 11 },
      ],
    });
    expect(parseManifest(body)).toEqual({
      kind: 'image',
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { digest: D('c'), size: 7 },
      layers: [{ digest: D('e'), size: 11 }],
    });
  });

  test('without mediaType in the body, the Content-Type decides (a Docker manifest list here)', () => {
    const body = JSON.stringify({ schemaVersion: 2, manifests: [{ digest: D('a'), platform: { os: 'linux', architecture: 'amd64' } }] });
    expect(parseManifest(body, 'application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8')).toMatchObject({
      kind: 'index',
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    });
  });

  test('refuses what it cannot walk, saying what it is', () => {
    expect(() => parseManifest('not json')).toThrow(new ManifestFormatError('manifest is not JSON'));
    expect(() => parseManifest(JSON.stringify({ schemaVersion: 1, fsLayers: [] }))).toThrow(/Docker schema 1 manifests are not supported/);
    expect(() =>
      parseManifest(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { digest: 'nope' },
          layers: [],
        }),
      ),
    ).toThrow('config has no valid "digest"');
  });

  test('a config or layer without a whole-number size is refused: the size bounds what is read', () => {
    const image = (config: unknown, layers: unknown[]) =>
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers });
    expect(() => parseManifest(image({ digest: D('c') }, []))).toThrow(new ManifestFormatError('config has no valid "size"'));
    expect(() => parseManifest(image({ digest: D('c'), size: 2 }, [{ digest: D('e'), size: 1.5 }]))).toThrow(
      new ManifestFormatError('layers[0] has no valid "size"'),
    );
    expect(() => parseManifest(image({ digest: D('c'), size: 2 }, [{ digest: D('e'), size: -1 }]))).toThrow(
      new ManifestFormatError('layers[0] has no valid "size"'),
    );
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
    expect(
      parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' },
      },
    ]);
    expect(parseChallenges('Basic realm="Amazon ECR"')).toEqual([{ scheme: 'basic', params: { realm: 'Amazon ECR' } }]);
    expect(parseChallenges('Bearer realm=https://x/token, error="insufficient_scope"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://x/token', error: 'insufficient_scope' } },
    ]);
  });

  test('reads several challenges, escaped quotes and spaces around "="', () => {
    expect(parseChallenges('Basic realm="a \\"b\\"", Bearer realm = "https://t/x" , service=reg')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', service: 'reg' } },
    ]);
  });

  test('a parameter named __proto__ is a parameter, not a prototype', () => {
    const [c] = parseChallenges('Bearer __proto__="x",realm="https://t/x"');
    expect(Object.getPrototypeOf(c!.params)).toBeNull();
    expect(c!.params.realm).toBe('https://t/x');
    expect(c!.params['__proto__']).toBe('x');
  });

  test(`a header longer than ${MAX_CHALLENGE_HEADER_CHARS} characters is refused unparsed, with its length`, () => {
    expect(() => parseChallenges(`Bearer realm="https://t/x",${' '.repeat(16 * 1024)}`)).toThrow(
      new ChallengeHeaderError(16 * 1024 + 27, MAX_CHALLENGE_HEADER_CHARS),
    );
    expect(new ChallengeHeaderError(16411, 4096).message).toBe(
      'the WWW-Authenticate header is 16411 characters long; at most 4096 are parsed',
    );
    expect(parseChallenges(`Bearer realm="${'x'.repeat(MAX_CHALLENGE_HEADER_CHARS - 15)}"`)[0]!.params.realm).toHaveLength(
      MAX_CHALLENGE_HEADER_CHARS - 15,
    );
  });

  // The shapes that made the regular-expression parser backtrack: runs of spaces and commas, and
  // the ones a tokenizer could trip on (unclosed quotes, backslash runs, "=" runs, bare tokens).
  const HOSTILE: Record<string, (n: number) => string> = {
    spaces: (n) => ' '.repeat(n),
    commas: (n) => ','.repeat(n),
    'comma-space': (n) => ', '.repeat(n / 2),
    'unclosed quote': (n) => `Bearer realm="${'x'.repeat(n - 14)}`,
    backslashes: (n) => `Bearer realm="${'\\'.repeat(n - 14)}`,
    equals: (n) => `Bearer ${'='.repeat(n - 7)}`,
    'a =': (n) => `Bearer ${'a ='.repeat((n - 7) / 3)}`,
    tokens: (n) => 'a '.repeat(n / 2),
    'non-token bytes': (n) => '\u00ff;'.repeat(n / 2),
  };

  test.each(Object.keys(HOSTILE))('parses a hostile header (%s) in steps proportional to its length', (shape) => {
    const steps = (n: number): number => {
      const work: ParseWork = { steps: 0 };
      parseChallenges(HOSTILE[shape]!(n).slice(0, n), work);
      return work.steps;
    };
    const small = steps(1000);
    const large = steps(4000);
    // Each character is examined at most twice, whatever the shape; quadratic parsing would be 16x the small count.
    expect(large).toBeGreaterThanOrEqual(4000 / 2); // the count is real work, not zero
    expect(large).toBeLessThanOrEqual(2 * 4000 + 2);
    expect(large).toBeLessThanOrEqual(4 * small + 8);
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
        {
          image: 'nginx:1.27',
          uri: 'r/docker-hub/library/nginx:1.27',
          status: 'ok',
          platforms: ['linux/amd64'],
          manifests: 2,
          blobs: 4,
          bytes: 12_345_678,
          redirects: 0,
        },
        {
          image: 'x:1',
          uri: 'r/docker-hub/library/x:1',
          status: 'missing',
          reason: 'not found',
          platforms: [],
          manifests: 0,
          blobs: 0,
          bytes: 0,
          redirects: 0,
        },
      ],
    });
    expect(text).toBe(
      'ok      nginx:1.27 -> r/docker-hub/library/nginx:1.27 (linux/amd64, 2 manifests, 4 blobs, 12.3 MB)\n' +
        'missing x:1 -> r/docker-hub/library/x:1\n        not found\n' +
        '2 images prewarmed through https://r: 1 ok, 1 missing, 0 denied, 0 failed\n',
    );
  });
});
