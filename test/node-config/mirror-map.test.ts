/**
 * The mirror map: the one place a rule becomes an upstream host and a mirror URL. Every host
 * the resolver routes to a rule gets the rule's cache, exactly as `ptc resolve` names it.
 */
import { createResolver } from '../../core/image-ref';
import { buildMirrorMap, isMirroredHost, mirrorMapLines, parseRegistryUrl, NodeConfigError } from '../../core/node-config';
import { ALL_UPSTREAMS_YAML, PREFIXED_ECR_YAML, configOf } from './fixtures';

const REGISTRY = { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' } as const;

describe('buildMirrorMap', () => {
  test('maps every upstream host a rule covers to https://<registry>/v2/<prefix>', () => {
    const map = buildMirrorMap(configOf(ALL_UPSTREAMS_YAML), REGISTRY);
    expect(Object.fromEntries(map.entries.map((e) => [e.host, e.mirrorUrl]))).toEqual({
      'docker.io': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/docker-hub',
      'index.docker.io': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/docker-hub',
      'registry-1.docker.io': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/docker-hub',
      'ghcr.io': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/github',
      'quay.io': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/quay',
      'registry.k8s.io': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/k8s',
      'public.ecr.aws': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/ecr-public',
      'registry.gitlab.com': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/gitlab',
      'cgr.dev': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/chainguard',
      'myregistry.azurecr.io': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/azure',
      '444455556666.dkr.ecr.us-east-1.amazonaws.com': 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/platform',
    });
    expect(map.unmirrored).toEqual([]);
  });

  test('the upstream server is the host containerd would use without a mirror (registry-1.docker.io for Docker Hub)', () => {
    const map = buildMirrorMap(configOf(ALL_UPSTREAMS_YAML), REGISTRY);
    const server = (host: string) => map.entries.find((e) => e.host === host)?.upstreamServer;
    expect(server('docker.io')).toBe('https://registry-1.docker.io');
    expect(server('index.docker.io')).toBe('https://registry-1.docker.io');
    expect(server('ghcr.io')).toBe('https://ghcr.io');
    expect(server('myregistry.azurecr.io')).toBe('https://myregistry.azurecr.io');
  });

  test('mirror URL plus the upstream path is the cache URI ptc resolve gives, for every covered host', () => {
    const config = configOf(ALL_UPSTREAMS_YAML);
    const map = buildMirrorMap(config, REGISTRY);
    const resolve = createResolver({ config, registryHost: REGISTRY.host });
    for (const entry of map.entries) {
      // containerd adds library/ for docker.io itself; the resolver does the same for official images.
      const path = entry.host === 'docker.io' ? 'library/nginx' : 'team/app';
      const resolution = resolve(`${entry.host}/${path}:1`);
      expect(resolution).toMatchObject({ status: 'resolved' });
      const mirrored = `${entry.mirrorUrl.replace('https://', '').replace('/v2/', '/')}/${path}:1`;
      expect(resolution.output).toBe(mirrored);
    }
  });

  test('an ECR upstream limited to an upstream repository prefix is not mirrored, with the reason', () => {
    const map = buildMirrorMap(configOf(PREFIXED_ECR_YAML), REGISTRY);
    expect(isMirroredHost(map, '444455556666.dkr.ecr.us-east-1.amazonaws.com')).toBe(false);
    expect(map.unmirrored).toEqual([
      expect.objectContaining({
        host: '444455556666.dkr.ecr.us-east-1.amazonaws.com',
        reason: expect.stringMatching(/upstreamRepositoryPrefix/),
      }),
    ]);
    expect(mirrorMapLines(map)).toContain('docker.io -> https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/docker-hub');
    expect(mirrorMapLines(map).at(-1)).toMatch(/^444455556666\.dkr\.ecr\.us-east-1\.amazonaws\.com not mirrored: /);
  });

  test('a host no rule covers is not in the map', () => {
    const map = buildMirrorMap(configOf(ALL_UPSTREAMS_YAML.replace(/^  - \{ prefix: quay.*\n/m, '')), REGISTRY);
    expect(isMirroredHost(map, 'quay.io')).toBe(false);
    expect(isMirroredHost(map, 'ghcr.io')).toBe(true);
  });
});

describe('parseRegistryUrl', () => {
  test.each([
    ['111122223333.dkr.ecr.eu-west-2.amazonaws.com', { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' }],
    [
      'https://vpce-0123.api.ecr.eu-west-2.vpce.amazonaws.com/',
      { scheme: 'https', host: 'vpce-0123.api.ecr.eu-west-2.vpce.amazonaws.com' },
    ],
    ['http://127.0.0.1:5000', { scheme: 'http', host: '127.0.0.1:5000' }],
  ])('reads %s', (input, expected) => {
    expect(parseRegistryUrl(input)).toEqual(expected);
  });

  test.each(['ftp://x.example', 'https://x.example/v2/docker-hub', '', 'two words'])(
    'refuses %j in one line naming the option',
    (input) => {
      expect(() => parseRegistryUrl(input)).toThrow(NodeConfigError);
      expect(() => parseRegistryUrl(input)).toThrow(/^--registry-url must be a registry host/);
    },
  );
});

describe('core/node-config at run time', () => {
  test('imports only runtime dependencies (the ptc CLI loads it for every command; smol-toml is a devDependency)', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const dir = require('node:path').join(__dirname, '..', '..', 'core', 'node-config') as string;
    const pkg = JSON.parse(fs.readFileSync(require('node:path').join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const file of fs.readdirSync(dir)) {
      const text = fs.readFileSync(`${dir}/${file}`, 'utf8');
      for (const m of text.matchAll(/from '([^.][^']*)'/g))
        expect({ file, module: m[1], runtime: m[1]!.startsWith('node:') || m[1]! in pkg.dependencies }).toEqual({
          file,
          module: m[1],
          runtime: true,
        });
    }
  });
});
