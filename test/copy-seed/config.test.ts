/**
 * `rules[N].seeds`: digest-pinned images of a pull-through upstream that `ptc copy` seeds into the
 * cache repository. Every check names its field (`rules[0].seeds[1]`), through `parseConfig` and
 * `ptc validate-config`. The configs are invented for these tests (the README's Docker Hub, GHCR
 * and registry.k8s.io rules with digests of our own).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { parseConfig } from '../../core';
import { seedJobs } from '../../core/copy/seeds';
import { seedRoutes } from '../../core/image-ref/seeds';
import { reconcilerPayload, validationPayload } from '../../core/lambda-settings';
import { recordingIo } from '../cli/fake-io';
import { issuesOf } from '../core/issues-of';
import { D1, D2, dockerHubSeeding, WHERE } from './fixtures';

function base(): Record<string, any> {
  return {
    ...WHERE,
    rules: [
      dockerHubSeeding([`nginx@${D1}`, `docker.io/bitnami/redis:7.2@${D2}`]),
      { prefix: 'ghcr', upstream: 'github-container-registry', credentials: { secretName: 'ecr-pullthroughcache/ghcr' } },
      { prefix: 'k8s', upstream: 'k8s' },
    ],
  };
}

describe('a valid seeds list', () => {
  test('parses, and maps Docker Hub official images to library/ in the cache repository', () => {
    const config = parseConfig(base());
    expect(config.rules[0]!.seeds).toEqual([`nginx@${D1}`, `docker.io/bitnami/redis:7.2@${D2}`]);
    expect(seedRoutes(config).map((r) => [r.cacheRepository, r.reference.digest])).toEqual([
      ['docker-hub/library/nginx', D1],
      ['docker-hub/bitnami/redis', D2],
    ]);
  });

  test('a rule without seeds has no seeds key, so its payloads and templates are as before', () => {
    expect(parseConfig(base()).rules[1]).not.toHaveProperty('seeds');
  });

  test('seed jobs read the host the rule reads, copy by digest, write no upstream tag, and keep the listed tag for the report', () => {
    const [nginx, redis] = seedJobs(parseConfig(base()));
    expect(nginx).toMatchObject({
      image: `nginx@${D1}`,
      ruleIndex: 0,
      seedIndex: 0,
      upstream: 'registry-1.docker.io',
      repository: 'library/nginx',
      digest: D1,
      targetRepository: 'docker-hub/library/nginx',
      seedTag: `ptc-seed-${'1'.repeat(32)}`,
    });
    expect(nginx).not.toHaveProperty('tag');
    expect(nginx).not.toHaveProperty('listedTag');
    expect(redis).toMatchObject({ listedTag: '7.2', repository: 'bitnami/redis' });
    expect(redis).not.toHaveProperty('tag');
  });
});

describe('seed checks', () => {
  test('a seed without a digest is refused: the cache fetches tags itself', () => {
    const c = base();
    c.rules[0].seeds = ['nginx:1.27'];
    expect(issuesOf(c)).toEqual([
      {
        path: 'rules[0].seeds[0]',
        message:
          '"nginx:1.27" has no digest; a seed is a pinned digest (name@sha256:... or name:tag@sha256:...): the pull-through cache fetches tags itself',
      },
    ]);
  });

  test("a seed of another rule's upstream names the rule it belongs to", () => {
    const c = base();
    c.rules[0].seeds = [`ghcr.io/org/app@${D1}`];
    expect(issuesOf(c)).toEqual([
      {
        path: 'rules[0].seeds[0]',
        message: `"ghcr.io/org/app@${D1}" is on "ghcr.io", which rules[1] (prefix "ghcr") serves; move it to that rule's seeds`,
      },
    ]);
  });

  test('a seed of a host no rule serves says the rule does not serve it', () => {
    const c = base();
    c.rules[2].seeds = [`gcr.io/distroless/static@${D1}`];
    expect(issuesOf(c)).toEqual([
      {
        path: 'rules[2].seeds[0]',
        message: `"gcr.io/distroless/static@${D1}" is on "gcr.io", which this rule ("k8s") does not serve; a seed must be an image of its rule's upstream`,
      },
    ]);
  });

  test('a reference that does not parse, and a digest listed twice (spelled two ways), are refused', () => {
    const c = base();
    c.rules[0].seeds = [`NGINX@${D1}`, `nginx@${D2}`, `docker.io/library/nginx:1.27@${D2}`];
    const issues = issuesOf(c);
    expect(issues.map((i) => i.path)).toEqual(['rules[0].seeds[0]', 'rules[0].seeds[2]']);
    expect(issues[0]!.message).toMatch(/^"NGINX@sha256:1+" is not a valid image reference: /);
    expect(issues[1]!.message).toBe(`"docker.io/library/nginx:1.27@${D2}" seeds the same digest as rules[0].seeds[1]; list it once`);
  });

  test('an ecr upstream refuses seeds: the copy engine does not assume its role', () => {
    const c = base();
    c.rules.push({
      prefix: 'team',
      upstream: 'ecr',
      upstreamAccount: '444455556666',
      upstreamRegion: 'us-east-1',
      customRoleArn: 'arn:aws:iam::111122223333:role/ptc-ecr-upstream',
      seeds: [`444455556666.dkr.ecr.us-east-1.amazonaws.com/api@${D1}`],
    });
    const issues = issuesOf(c);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'rules[3].seeds' });
    expect(issues[0]!.message).toMatch(/^seeds are not supported for an "ecr" upstream: /);
  });

  test('a prefix whose lifecycle archives unpulled images refuses seeds, and says why', () => {
    const c = base();
    c.repositories = { overrides: [{ prefix: 'docker-hub', lifecycle: { archiveUnpulledDays: 90 } }] };
    expect(issuesOf(c)).toEqual([
      {
        path: 'rules[0].seeds',
        message:
          'prefix "docker-hub" archives images nobody pulled for 90 days (lifecycle.archiveUnpulledDays), and ECR documents no way to exempt a tag from an archive rule; an archived seed cannot be pulled, so seeds are refused here',
      },
    ]);
  });

  test('tag mutability does not refuse seeds: the seed tag is written once per digest and never moved', () => {
    const c = base();
    c.repositories = { imageTagMutability: 'IMMUTABLE' };
    expect(() => parseConfig(c)).not.toThrow();
  });

  test('more than 500 seeds in one rule are refused by the shape', () => {
    const c = base();
    c.rules[0].seeds = Array.from({ length: 501 }, (_, i) => `nginx@sha256:${i.toString(16).padStart(64, '0')}`);
    expect(issuesOf(c)).toEqual([{ path: 'rules[0].seeds', message: 'at most 500 seeds per rule' }]);
  });
});

describe("seeds and the Lambdas' 4 KB of settings", () => {
  /** `n` distinct (incompressible) digests of nginx. */
  const many = (n: number) => Array.from({ length: n }, (_, i) => `nginx@sha256:${createHash('sha256').update(String(i)).digest('hex')}`);
  const WHERE = { account: '111122223333', region: 'eu-west-2' };

  test('500 seeds deploy: the reconciler gets one seed per rule (all it needs), rule validation none', () => {
    const c = base();
    c.rules[0].seeds = many(500);
    const config = parseConfig(c);
    expect(reconcilerPayload(config, WHERE).rules[0]!.seeds).toEqual([config.rules[0]!.seeds![0]]);
    expect(validationPayload(config.rules, WHERE).rules[0]).not.toHaveProperty('seeds');
  });

  test('with eviction on, the eviction Lambda carries every seed: too many are refused, and the message says so', () => {
    const c = base();
    c.rules[0].seeds = many(120);
    c.repositories = { eviction: { unpulledDays: 90 } };
    const issues = issuesOf(c);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('rules');
    expect(issues[0]!.message).toMatch(
      /^the evict-images Lambda would get \d+ bytes of environment variables .*: list fewer rules\[N\]\.seeds \(the eviction Lambda pins each one\)/,
    );
  });
});

describe('ptc validate-config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ptc-seed-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('prints one line per seed problem, naming the field, and exits 1', async () => {
    const file = path.join(dir, 'bad.yaml');
    const c = base();
    c.rules[0].seeds = ['nginx:1.27', `quay.io/org/app@${D1}`];
    writeFileSync(file, JSON.stringify(c));
    const io = recordingIo();
    expect(await run(['validate-config', file], io)).toBe(1);
    expect(io.err).toContain('rules[0].seeds[0]: "nginx:1.27" has no digest');
    expect(io.err).toContain(`rules[0].seeds[1]: "quay.io/org/app@${D1}" is on "quay.io", which this rule ("docker-hub") does not serve`);
    expect(io.err).not.toMatch(/\n\s+at /);
  });

  test('accepts a config with seeds', async () => {
    const file = path.join(dir, 'good.yaml');
    writeFileSync(file, JSON.stringify(base()));
    const io = recordingIo();
    expect(await run(['validate-config', file], io)).toBe(0);
  });
});
