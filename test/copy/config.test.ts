/**
 * The `copies` list of the config: its shape, defaults and every check against the rest of the
 * config, through `parseConfig` and through `ptc validate-config` (errors name `copies[N].<field>`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { parseConfig } from '../../core';
import { pullThroughUpstreamOf } from '../../core/config/copies-checks';
import { recordingIo } from '../cli/fake-io';
import { issuesOf } from '../core/issues-of';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A valid config with two rules and one copy entry (the issue's example); each case breaks one thing. */
function base(): Record<string, any> {
  return {
    account: '111122223333',
    region: 'eu-west-2',
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      { prefix: 'k8s', upstream: 'k8s' },
    ],
    copies: [
      {
        prefix: 'gcr',
        upstream: 'gcr.io',
        credentials: { secretName: 'ptc-copy/gcr' },
        images: ['gcr.io/distroless/static:nonroot', `gcr.io/kaniko-project/executor:v1.23.2@${DIGEST}`],
        platforms: ['linux/amd64', 'linux/arm64'],
        schedule: 'rate(6 hours)',
      },
    ],
  };
}

describe('a valid copies list', () => {
  test('parses with its values, and an entry without schedule or images gets rate(1 day) and []', () => {
    const c = base();
    c.copies.push({ prefix: 'nvidia', upstream: 'nvcr.io' });
    const config = parseConfig(c);
    expect(config.copies[0]).toEqual(c.copies[0]);
    expect(config.copies[1]).toEqual({ prefix: 'nvidia', upstream: 'nvcr.io', images: [], schedule: 'rate(1 day)' });
  });

  test('a config without copies has an empty list', () => {
    const c = base();
    delete c.copies;
    expect(parseConfig(c).copies).toEqual([]);
  });

  test('an upstream may be an address with a port, as a self-hosted registry is', () => {
    const c = base();
    c.copies = [{ prefix: 'local', upstream: '127.0.0.1:5443', images: ['127.0.0.1:5443/team/app:1'] }];
    expect(parseConfig(c).copies[0]!.upstream).toBe('127.0.0.1:5443');
  });
});

type Case = [name: string, mutate: (c: Record<string, any>) => void, path: string, message: RegExp];

const cases: Case[] = [
  [
    'a host the pull-through cache serves',
    (c) => (c.copies[0].upstream = 'ghcr.io'),
    'copies[0].upstream',
    /"ghcr.io" is a registry the pull-through cache serves \(GitHub Container Registry\); add a rule with upstream "github-container-registry" to "rules" instead/,
  ],
  ['a Docker Hub alias', (c) => (c.copies[0].upstream = 'registry-1.docker.io'), 'copies[0].upstream', /upstream "docker-hub" to "rules"/],
  [
    'an Azure registry',
    (c) => (c.copies[0].upstream = 'myregistry.azurecr.io'),
    'copies[0].upstream',
    /upstream "azure-container-registry"/,
  ],
  [
    'a private ECR registry',
    (c) => (c.copies[0].upstream = '444455556666.dkr.ecr.us-east-1.amazonaws.com'),
    'copies[0].upstream',
    /upstream "ecr"/,
  ],
  [
    'an upstream with a scheme',
    (c) => (c.copies[0].upstream = 'https://gcr.io'),
    'copies[0].upstream',
    /must be a registry host\[:port\] only/,
  ],
  [
    'an upstream in upper case',
    (c) => (c.copies[0].upstream = 'GCR.io'),
    'copies[0].upstream',
    /not a registry host\[:port\] in lower case/,
  ],
  [
    'two entries for one upstream',
    (c) => c.copies.push({ prefix: 'gcr2', upstream: 'gcr.io' }),
    'copies[1].upstream',
    /already copied by copies\[0\]/,
  ],
  ["a prefix equal to a rule's", (c) => (c.copies[0].prefix = 'k8s'), 'copies[0].prefix', /"k8s" is already rules\[1\]'s/],
  [
    "a prefix inside a rule's namespace",
    (c) => (c.copies[0].prefix = 'docker-hub/gcr'),
    'copies[0].prefix',
    /overlaps rules\[0\]'s prefix "docker-hub"/,
  ],
  ["a prefix above a rule's", (c) => (c.rules[1].prefix = 'gcr/k8s'), 'copies[0].prefix', /overlaps rules\[1\]'s prefix "gcr\/k8s"/],
  [
    "a prefix nested in another copy's",
    (c) => c.copies.push({ prefix: 'gcr/nv', upstream: 'nvcr.io' }),
    'copies[1].prefix',
    /overlaps copies\[0\]'s prefix "gcr"/,
  ],
  ['a prefix ECR refuses', (c) => (c.copies[0].prefix = 'G'), 'copies[0].prefix', /2 to 30 characters/],
  [
    'an image of another registry',
    (c) => c.copies[0].images.push('ghcr.io/org/app:1'),
    'copies[0].images[2]',
    /"ghcr.io\/org\/app:1" is on "ghcr.io", not on this entry's upstream "gcr.io"/,
  ],
  [
    'an image without a host (Docker Hub)',
    (c) => c.copies[0].images.push('nginx:1.27'),
    'copies[0].images[2]',
    /is on "docker.io", not on this entry's upstream/,
  ],
  [
    'a malformed digest',
    (c) => c.copies[0].images.push('gcr.io/a/b@sha256:abc'),
    'copies[0].images[2]',
    /not a valid image reference: digest "sha256:abc" must be "sha256:" followed by 64 lower-case hex digits/,
  ],
  [
    'an image that does not parse',
    (c) => c.copies[0].images.push('gcr.io/A/b:1'),
    'copies[0].images[2]',
    /not a valid image reference: repository path must be lower case/,
  ],
  [
    'a digest-only image with a platforms subset',
    (c) => c.copies[0].images.push(`gcr.io/a/b@${DIGEST}`),
    'copies[0].images[2]',
    /names a digest only, but "platforms" makes the copy a new index/,
  ],
  [
    'a copy repository over 256 characters',
    (c) => {
      c.copies[0].prefix = 'g'.repeat(30);
      c.copies[0].images.push(`gcr.io/${'a'.repeat(120)}/${'b'.repeat(110)}:1`);
    },
    'copies[0].images[2]',
    /copy repository would be 262 characters long/,
  ],
  [
    'a platform that is not one',
    (c) => (c.copies[0].platforms = ['amd64']),
    'copies[0].platforms[0]',
    /"amd64" is not a platform such as "linux\/amd64"/,
  ],
  ['an empty platforms list', (c) => (c.copies[0].platforms = []), 'copies[0].platforms', /list at least one platform/],
  [
    'a schedule EventBridge refuses',
    (c) => (c.copies[0].schedule = 'rate(1 hours)'),
    'copies[0].schedule',
    /a rate of 1 takes a singular unit/,
  ],
  [
    'a cron field out of range',
    (c) => (c.copies[0].schedule = 'cron(0 25 * * ? *)'),
    'copies[0].schedule',
    /hours value 25 is out of range 0-23/,
  ],
  [
    'a secret name Secrets Manager refuses',
    (c) => (c.copies[0].credentials.secretName = 'ptc copy'),
    'copies[0].credentials.secretName',
    /not a Secrets Manager secret name/,
  ],
  [
    "a rule's secret",
    (c) => (c.copies[0].credentials.secretName = 'ecr-pullthroughcache/docker-hub'),
    'copies[0].credentials.secretName',
    /already the secret of rules\[0\]/,
  ],
  [
    "another copy's secret",
    (c) => c.copies.push({ prefix: 'nvidia', upstream: 'nvcr.io', credentials: { secretName: 'ptc-copy/gcr' } }),
    'copies[1].credentials.secretName',
    /already the secret of copies\[0\]/,
  ],
  ['a misspelt key', (c) => (c.copies[0].image = []), 'copies[0]', /unknown key "image"; did you mean "images"\?/],
  [
    'a copied image in prewarm.images',
    (c) => (c.prewarm = { images: ['gcr.io/distroless/static:nonroot'] }),
    'prewarm.images[0]',
    /"gcr.io\/distroless\/static:nonroot" is copied by copies\[0\], not cached: prewarm warms the pull-through cache only/,
  ],
];

describe('an invalid copies list', () => {
  test.each(cases)('%s is reported at its field', (_name, mutate, path, message) => {
    const c = base();
    mutate(c);
    const issues = issuesOf(c);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)!.message).toMatch(message);
  });
});

describe('pullThroughUpstreamOf', () => {
  test.each([
    ['quay.io', 'quay'],
    ['public.ecr.aws', 'ecr-public'],
    ['registry.k8s.io', 'k8s'],
    ['cgr.dev', 'chainguard'],
    ['registry.gitlab.com', 'gitlab-container-registry'],
    ['docker.io', 'docker-hub'],
    ['gcr.io', undefined],
    ['mcr.microsoft.com', undefined],
    ['registry.gitlab.example.com', undefined],
  ])('%s is served by %s', (host, upstream) => {
    expect(pullThroughUpstreamOf(host)).toBe(upstream);
  });
});

describe('ptc validate-config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ptc-copy-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('prints one line per copies problem, naming the field, and exits 1', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'account: "111122223333"',
        'region: eu-west-2',
        'rules: [{ prefix: k8s, upstream: k8s }]',
        'copies:',
        '  - prefix: gcr',
        '    upstream: quay.io',
        '    images: [quay.io/org/app:1, gcr.io/x/y:2]',
        '',
      ].join('\n'),
    );
    const io = recordingIo();
    const code = await run(['validate-config', file], io);
    expect(code).toBe(1);
    expect(io.out).toBe('');
    expect(io.err).toContain('copies[0].upstream: "quay.io" is a registry the pull-through cache serves (Quay)');
    expect(io.err).toContain('copies[0].images[1]: "gcr.io/x/y:2" is on "gcr.io", not on this entry\'s upstream "quay.io"');
    expect(io.err).not.toMatch(/\n\s+at /);
  });

  test('accepts a config with copies', async () => {
    const file = path.join(dir, 'good.yaml');
    writeFileSync(
      file,
      [
        'account: "111122223333"',
        'region: eu-west-2',
        'rules: [{ prefix: k8s, upstream: k8s }]',
        'copies:',
        '  - { prefix: gcr, upstream: gcr.io, images: [gcr.io/distroless/static:nonroot] }',
        '',
      ].join('\n'),
    );
    const io = recordingIo();
    expect(await run(['validate-config', file], io)).toBe(0);
    expect(io.out).toContain('valid (1 rules');
  });
});
