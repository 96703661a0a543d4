import { parseConfig, parseConfigText } from '../../core';
import { issuesOf } from './issues-of';

/** A valid config every case starts from; each case breaks one thing. */
function base(): Record<string, any> {
  return {
    account: '111122223333',
    region: 'eu-west-2',
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      { prefix: 'k8s', upstream: 'k8s' },
      { prefix: 'quay', upstream: 'quay' },
    ],
    repositories: {
      lifecycle: { untaggedExpireDays: 7, keepLastTagged: 50 },
      pullAccounts: ['444455556666'],
      pullOrganizations: ['o-a1b2c3d4e5'],
      tags: { team: 'platform' },
      overrides: [{ prefix: 'k8s', lifecycle: { keepLastTagged: 20 } }],
    },
    prewarm: { schedule: 'rate(12 hours)', images: ['nginx:1.27'] },
    validation: { schedule: 'rate(1 hour)', alarmEmail: 'ops@example.com' },
  };
}

type Case = [name: string, mutate: (c: Record<string, any>) => void, path: string, message: RegExp];

const cases: Case[] = [
  [
    'an unknown upstream, with a suggestion',
    (c) => (c.rules[0].upstream = 'dockerhub'),
    'rules[0].upstream',
    /"dockerhub" is not a known upstream; did you mean "docker-hub"\?/,
  ],
  [
    'an unknown upstream far from any name',
    (c) => (c.rules[1].upstream = 'artifactory'),
    'rules[1].upstream',
    /not a known upstream; use one of: docker-hub, ecr-public/,
  ],
  [
    'a duplicate prefix',
    (c) => c.rules.push({ prefix: 'k8s', upstream: 'quay' }),
    'rules[3].prefix',
    /duplicate prefix "k8s" \(already used by rules\[1\]\)/,
  ],
  ['a prefix too short', (c) => (c.rules[1].prefix = 'k'), 'rules[1].prefix', /2 to 30 characters/],
  ['a prefix too long', (c) => (c.rules[1].prefix = 'a'.repeat(31)), 'rules[1].prefix', /2 to 30 characters .* it has 31/],
  ['a prefix with upper case', (c) => (c.rules[1].prefix = 'K8s'), 'rules[1].prefix', /does not match ECR's prefix pattern/],
  ['a prefix with a trailing separator', (c) => (c.rules[1].prefix = 'k8s-'), 'rules[1].prefix', /does not match ECR's prefix pattern/],
  ['a prefix with a doubled slash', (c) => (c.rules[1].prefix = 'team//k8s'), 'rules[1].prefix', /does not match ECR's prefix pattern/],
  ['the ROOT prefix', (c) => (c.rules[1].prefix = 'ROOT'), 'rules[1].prefix', /"ROOT" is not supported/],
  [
    "a prefix nested in another rule's namespace",
    (c) => c.rules.push({ prefix: 'k8s/extra', upstream: 'ecr-public' }),
    'rules[3].prefix',
    /lies inside the namespace of rules\[1\]/,
  ],
  ['missing credentials for Docker Hub', (c) => delete c.rules[0].credentials, 'rules[0].credentials', /Docker Hub requires credentials/],
  [
    'credentials on an anonymous upstream',
    (c) => (c.rules[1].credentials = { secretName: 'ecr-pullthroughcache/k8s' }),
    'rules[1].credentials',
    /does not take credentials/,
  ],
  [
    'a secret name without the ECR prefix',
    (c) => (c.rules[0].credentials.secretName = 'dockerhub-token'),
    'rules[0].credentials.secretName',
    /must start with "ecr-pullthroughcache\/"/,
  ],
  [
    'both secretName and secretArn',
    (c) => (c.rules[0].credentials.secretArn = 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/x-AbCdEf'),
    'rules[0].credentials',
    /exactly one of "secretName"/,
  ],
  [
    'a secret ARN of a secret without the prefix',
    (c) => (c.rules[0].credentials = { secretArn: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:dockerhub-AbCdEf' }),
    'rules[0].credentials.secretArn',
    /whose name starts with "ecr-pullthroughcache\/"/,
  ],
  ['a malformed account ID', (c) => (c.account = '12345'), 'account', /12-digit AWS account ID, got "12345"/],
  ['an account ID that lost its leading zero in YAML', (c) => (c.account = 12345678901), 'account', /quote account IDs/],
  [
    'a malformed pull account',
    (c) => (c.repositories.pullAccounts = ['4444-5555-6666']),
    'repositories.pullAccounts[0]',
    /12-digit AWS account ID/,
  ],
  [
    'a malformed organization ID',
    (c) => (c.repositories.pullOrganizations = ['org-123']),
    'repositories.pullOrganizations[0]',
    /AWS Organizations ID such as "o-a1b2c3d4e5"/,
  ],
  [
    'an OU ID where an OU path belongs',
    (c) => (c.repositories.pullOrganizationalUnits = ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', 'ou-ab12-11111111']),
    'repositories.pullOrganizationalUnits[1]',
    /must be an OU path such as "o-a1b2c3d4e5\/r-ab12\/ou-ab12-11111111\/".*got "ou-ab12-11111111"$/,
  ],
  [
    'an OU path whose root ID is malformed',
    (c) => (c.repositories.pullOrganizationalUnits = ['o-a1b2c3d4e5/root/ou-ab12-11111111/']),
    'repositories.pullOrganizationalUnits[0]',
    /"root" is not a root ID/,
  ],
  [
    'an OU path with a malformed nested OU',
    (c) => (c.repositories.pullOrganizationalUnits = ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22/']),
    'repositories.pullOrganizationalUnits[0]',
    /"ou-ab12-22" is not an OU ID/,
  ],
  [
    'an OU of another root',
    (c) => (c.repositories.pullOrganizationalUnits = ['o-a1b2c3d4e5/r-ab12/ou-cd34-11111111/']),
    'repositories.pullOrganizationalUnits[0]',
    /"ou-cd34-11111111" is not in root "r-ab12"/,
  ],
  [
    'an OU path in an override',
    (c) => (c.repositories.overrides[0].pullOrganizationalUnits = ['o-a1b2c3d4e5']),
    'repositories.overrides[0].pullOrganizationalUnits[0]',
    /must be an OU path/,
  ],
  ['a rate with a plural unit for 1', (c) => (c.validation.schedule = 'rate(1 hours)'), 'validation.schedule', /singular unit/],
  ['a rate with a singular unit for many', (c) => (c.prewarm.schedule = 'rate(12 hour)'), 'prewarm.schedule', /plural unit/],
  [
    'a cron expression with 5 fields',
    (c) => (c.prewarm.schedule = 'cron(0 3 * * *)'),
    'prewarm.schedule',
    /has 6 fields .* this one has 5/,
  ],
  [
    'a schedule that is neither rate nor cron',
    (c) => (c.validation.schedule = 'hourly'),
    'validation.schedule',
    /not a schedule expression/,
  ],
  [
    'untaggedExpireDays of 0',
    (c) => (c.repositories.lifecycle.untaggedExpireDays = 0),
    'repositories.lifecycle.untaggedExpireDays',
    /from 1 to 3650, got 0/,
  ],
  [
    'keepLastTagged above the limit',
    (c) => (c.repositories.lifecycle.keepLastTagged = 10001),
    'repositories.lifecycle.keepLastTagged',
    /from 1 to 10000, got 10001/,
  ],
  [
    'a fractional lifecycle number',
    (c) => (c.repositories.lifecycle.untaggedExpireDays = 1.5),
    'repositories.lifecycle.untaggedExpireDays',
    /whole number/,
  ],
  [
    'an override for a prefix no rule has',
    (c) => (c.repositories.overrides[0].prefix = 'k8z'),
    'repositories.overrides[0].prefix',
    /no rule has prefix "k8z"; did you mean "k8s"\?/,
  ],
  ['an unknown top-level key', (c) => (c.rule = []), '', /unknown key "rule"; did you mean "rules"\?/],
  [
    'an unknown key inside a rule',
    (c) => (c.rules[1].credential = {}),
    'rules[1]',
    /unknown key "credential"; did you mean "credentials"\?/,
  ],
  ['an unknown key inside lifecycle', (c) => (c.repositories.lifecycle.keepLast = 5), 'repositories.lifecycle', /unknown key "keepLast"/],
  ['a bad alarm email', (c) => (c.validation.alarmEmail = 'ops-at-example'), 'validation.alarmEmail', /not an email address/],
  ['no rules at all', (c) => (c.rules = []), 'rules', /at least one rule/],
  ['a bad region', (c) => (c.region = 'europe-west'), 'region', /AWS region code/],
  ['no account and no environments', (c) => delete c.account, 'account', /required \(or list "environments"\)/],
  [
    'duplicate environment names',
    (c) =>
      (c.environments = [
        { name: 'prod', account: '111122223333', region: 'eu-west-2' },
        { name: 'prod', account: '222233334444', region: 'eu-west-1' },
      ]),
    'environments[1].name',
    /duplicate environment name "prod"/,
  ],
  [
    'an environment name that cannot name a stack',
    (c) => (c.environments = [{ name: 'prod eu', account: '111122223333', region: 'eu-west-2' }]),
    'environments[0].name',
    /must start with a letter/,
  ],
  [
    'two rules creating the same secret',
    (c) => c.rules.push({ prefix: 'hub2', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } }),
    'rules[3].credentials.secretName',
    /"ecr-pullthroughcache\/docker-hub" is already the secret of rules\[0\]/,
  ],
  [
    'an imported secret in another Region than the rule',
    (c) => (c.rules[0].credentials = { secretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/hub-AbCdEf' }),
    'rules[0].credentials.secretArn',
    /the secret is in account 111122223333, us-east-1 but the rule deploys to 111122223333, eu-west-2; ECR needs the secret in the rule's account and Region/,
  ],
  [
    'an imported secret in another account than one environment',
    (c) => {
      c.rules[0].credentials = { secretArn: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/hub-AbCdEf' };
      c.environments = [
        { name: 'a', account: '111122223333', region: 'eu-west-2' },
        { name: 'b', account: '555566667777', region: 'eu-west-2' },
      ];
    },
    'rules[0].credentials.secretArn',
    /but the rule deploys to 555566667777, eu-west-2/,
  ],
  [
    'a partial secret ARN (without the 6-character suffix)',
    (c) => (c.rules[0].credentials = { secretArn: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/hub' }),
    'rules[0].credentials.secretArn',
    /must be the complete ARN/,
  ],
  [
    'top-level account and region that no environment deploys',
    (c) => (c.environments = [{ name: 'prod-us', account: '111122223333', region: 'us-east-1' }]),
    'account',
    /111122223333 in eu-west-2 is none of the environments \(prod-us: 111122223333\/us-east-1\)/,
  ],
  [
    "an override whose tags, merged with the base tags, pass ECR's limit",
    (c) => {
      c.repositories.tags = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`base${i}`, 'x']));
      c.repositories.overrides[0].tags = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k8s${i}`, 'x']));
    },
    'repositories.overrides[0].tags',
    /repositories under "k8s" would get 60 tags with the base tags merged in; at most 48/,
  ],
  ['a reserved tag key', (c) => (c.repositories.tags = { 'aws:team': 'x' }), 'repositories.tags.aws:team', /reserved "aws:" prefix/],
  [
    'a tag key in our own namespace',
    (c) => (c.repositories.tags = { 'ptc-autopilot:managed': 'false' }),
    'repositories.tags.ptc-autopilot:managed',
    /reserves for itself/,
  ],
  [
    'an Azure rule without its registry URL',
    (c) => c.rules.push({ prefix: 'acr', upstream: 'azure-container-registry', credentials: { secretName: 'ecr-pullthroughcache/acr' } }),
    'rules[3].registryUrl',
    /needs "registryUrl"/,
  ],
  [
    'an ECR upstream without its role',
    (c) => c.rules.push({ prefix: 'central', upstream: 'ecr', upstreamAccount: '999988887777', upstreamRegion: 'us-east-1' }),
    'rules[3].customRoleArn',
    /an "ecr" upstream needs "customRoleArn"/,
  ],
  [
    'an ECR-only key on another upstream',
    (c) => (c.rules[2].upstreamAccount = '999988887777'),
    'rules[2].upstreamAccount',
    /only for the "ecr" upstream/,
  ],
  [
    'a node role that is not a role ARN',
    (c) => (c.nodeRoleArns = ['arn:aws:iam::111122223333:user/bob']),
    'nodeRoleArns[0]',
    /must be an IAM role ARN/,
  ],
  ['a prewarm concurrency of 0', (c) => (c.prewarm.concurrency = 0), 'prewarm.concurrency', /from 1 to 64, got 0/],
];

describe('invalid configs are rejected with an error naming the field', () => {
  test.each(cases)('%s', (_name, mutate, path, message) => {
    const config = base();
    mutate(config);
    const issues = issuesOf(config);
    const match = issues.find((i) => i.path === path && message.test(i.message));
    expect({ found: match !== undefined, issues }).toEqual(expect.objectContaining({ found: true }));
  });

  test('the base config of these cases is itself valid', () => {
    expect(() => parseConfig(base())).not.toThrow();
  });
});

describe('error messages', () => {
  test('name the path as "config error at rules[1].upstream: ..."', () => {
    const config = base();
    config.rules[1].upstream = 'kubernetes';
    expect(() => parseConfig(config)).toThrow(/^config error at rules\[1\]\.upstream: "kubernetes" is not a known upstream/m);
  });

  test('list every problem, not only the first', () => {
    const config = base();
    config.rules[0].upstream = 'dockerhub';
    config.repositories.pullAccounts = ['1'];
    expect(issuesOf(config).map((i) => i.path)).toEqual(expect.arrayContaining(['rules[0].upstream', 'repositories.pullAccounts[0]']));
  });

  test('point at the YAML line of the bad value', () => {
    const text = ['account: "111122223333"', 'region: eu-west-2', 'rules:', '  - prefix: k8s', '    upstream: kubernetes'].join('\n');
    expect(() => parseConfigText(text)).toThrow(/config error at rules\[0\]\.upstream: .* \(line 5\)/);
  });

  test('an empty file, or one of comments only, says so and names the file', () => {
    for (const text of ['', '# only a comment\n'])
      expect(() => parseConfigText(text, 'ptc.yaml')).toThrow(
        'config error: ptc.yaml holds no configuration (it is empty or only comments)',
      );
  });

  test('report YAML syntax errors with their position', () => {
    expect(() => parseConfigText('rules: [\n  - prefix: k8s\n')).toThrow(/config error: invalid YAML \(line \d+, column \d+\)/);
  });

  test('report a duplicate YAML key instead of silently keeping the last one', () => {
    expect(() =>
      parseConfigText('account: "111122223333"\naccount: "222233334444"\nregion: eu-west-2\nrules: [{prefix: k8s, upstream: k8s}]\n'),
    ).toThrow(/invalid YAML/);
  });
});
