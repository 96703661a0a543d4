import { ConfigError, parseConfig, registrySettingsIssues, type PtcConfig } from '../../core';

const base = {
  account: '111122223333',
  region: 'eu-west-2',
  rules: [
    { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/dh' } },
    { prefix: 'k8s', upstream: 'k8s' },
  ],
};

function issuesOf(input: Record<string, unknown>): string[] {
  try {
    parseConfig({ ...base, ...input });
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  return [];
}

const regions = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ca-central-1',
];

describe('ECR limits become config errors naming the field', () => {
  test('more than 25 replication destinations', () => {
    const destinations = Array.from({ length: 26 }, (_, i) => ({ region: regions[i % regions.length], account: String(100000000000 + i) }));
    expect(issuesOf({ replication: { destinations } })).toContain(
      'config error at replication.destinations: at most 25 destinations (ECR allows 25 unique destinations across all replication rules of a registry), got 26',
    );
  });

  test('more than 10 replication rules (distinct "prefixes" lists)', () => {
    const rules = Array.from({ length: 11 }, (_, i) => ({ prefix: `team${i}`, upstream: 'k8s' }));
    const destinations = rules.map((r, i) => ({ region: regions[i]!, prefixes: [r.prefix] }));
    expect(issuesOf({ rules, replication: { destinations } })).toEqual([
      'config error at replication.destinations: these destinations need 11 replication rules (one per distinct "prefixes" list); ECR allows 10 per registry, so give more destinations the same "prefixes"',
    ]);
  });

  test('more than 100 filters in one replication rule, and in the scanning rule', () => {
    // ECR's quota of 50 pull through cache rules refuses such a config first (config error at rules), so
    // the filter limits are checked on the document directly.
    const rules = Array.from({ length: 101 }, (_, i) => ({ prefix: `p${String(i).padStart(3, '0')}`, upstream: 'k8s' }));
    expect(issuesOf({ rules })).toEqual([expect.stringMatching(/^config error at rules: at most 50 rules/)]);
    const document = {
      ...parseConfig(base),
      rules,
      replication: { destinations: [{ region: 'us-east-1' }] },
      scanning: { type: 'BASIC', frequency: 'SCAN_ON_PUSH' },
    } as unknown as PtcConfig;
    expect(registrySettingsIssues(document).map((i) => `config error at ${i.path.join('.')}: ${i.message}`)).toEqual([
      'config error at replication: a replication rule would need 101 repository filters (one per prefix); ECR allows 100 per rule, so list "prefixes" on the destinations',
      'config error at scanning: the scanning rule would need 101 repository filters (one per rule prefix); ECR allows 100 per scanning rule',
    ]);
  });

  test('a scan frequency the scan type does not support', () => {
    expect(issuesOf({ scanning: { type: 'BASIC', frequency: 'CONTINUOUS_SCAN' } })).toEqual([
      'config error at scanning.frequency: "CONTINUOUS_SCAN" does not go with type "BASIC": ECR supports "SCAN_ON_PUSH" and "MANUAL" with BASIC scanning (use type "ENHANCED" for continuous scanning)',
    ]);
    expect(issuesOf({ scanning: { type: 'ENHANCED', frequency: 'MANUAL' } })).toEqual([
      'config error at scanning.frequency: "MANUAL" does not go with type "ENHANCED": ECR supports "SCAN_ON_PUSH" and "CONTINUOUS_SCAN" with ENHANCED scanning',
    ]);
  });

  test('destinations: unknown prefix with a hint, duplicates, other partitions, the source itself', () => {
    expect(
      issuesOf({
        replication: {
          destinations: [
            { region: 'us-east-1', prefixes: ['k8z'] },
            { region: 'us-east-1' },
            { region: 'cn-north-1', account: '444455556666' },
            { region: 'eu-west-2', account: '111122223333' },
          ],
        },
      }),
    ).toEqual([
      'config error at replication.destinations[0].prefixes[0]: no rule has prefix "k8z"; did you mean "k8s"?',
      'config error at replication.destinations[1]: duplicate of replication.destinations[0] ((source account)/us-east-1)',
      'config error at replication.destinations[2].region: "cn-north-1" is in partition aws-cn but the source eu-west-2 is in aws; ECR cannot replicate across partitions',
      'config error at replication.destinations[3].region: "eu-west-2" in account 111122223333 is the source registry; replicate to another region or account',
    ]);
  });

  test('acceptFrom: duplicates and the own account', () => {
    expect(issuesOf({ replication: { acceptFrom: ['444455556666', '444455556666', '111122223333'] } })).toEqual([
      'config error at replication.acceptFrom[1]: 444455556666 is already listed at replication.acceptFrom[0]',
      "config error at replication.acceptFrom[2]: 111122223333 is this config's own account; replication within an account needs no registry policy",
    ]);
  });

  test('an empty replication block says what to list', () => {
    expect(issuesOf({ replication: {} })).toEqual([
      'config error at replication.destinations: list at least one destination (or "acceptFrom" accounts)',
    ]);
  });

  test('a valid replication and scanning config parses, with destinations defaulting to every prefix', () => {
    const config = parseConfig({
      ...base,
      replication: { destinations: [{ region: 'us-east-1' }, { region: 'eu-west-1', account: '444455556666', prefixes: ['k8s'] }] },
      scanning: { type: 'ENHANCED', frequency: 'CONTINUOUS_SCAN' },
    });
    expect(config.replication?.destinations).toHaveLength(2);
    expect(config.scanning).toEqual({ type: 'ENHANCED', frequency: 'CONTINUOUS_SCAN' });
  });

  test("a repository policy over ECR's 10,240 characters, from the base settings or from an override", () => {
    // OUs 5 levels deep (AWS's maximum) with 32-character IDs (the longest the ID pattern allows): about 230 characters each.
    const deep = (n: number) =>
      `o-a1b2c3d4e5/r-ab12/${Array.from({ length: 5 }, (_, k) => `ou-ab12-${String(n * 10 + k).padStart(32, '0')}`).join('/')}/`;
    const ous = Array.from({ length: 50 }, (_, i) => deep(i));
    // The same OUs trigger first pulls, so the registry policy is over too.
    const registryOver = expect.stringMatching(
      /^config error at repositories: the registry policy would be \d{5} characters \(first-pull statements \d{5}/,
    );
    expect(issuesOf({ repositories: { pullOrganizationalUnits: ous } })).toEqual([
      expect.stringMatching(
        /^config error at repositories: the repository policy of "docker-hub\/\.\.\." repositories would be \d{5} characters; ECR allows 10240 \(SetRepositoryPolicy and creation templates\): list fewer pull accounts, organizations or OUs/,
      ),
      registryOver,
    ]);
    expect(issuesOf({ repositories: { overrides: [{ prefix: 'k8s', pullOrganizationalUnits: ous }] } })).toEqual([
      expect.stringMatching(
        /^config error at repositories\.overrides\[0\]: the repository policy of "k8s\/\.\.\." repositories would be \d{5} characters/,
      ),
      registryOver,
    ]);
    // 30 such OUs fit.
    expect(issuesOf({ repositories: { pullOrganizationalUnits: ous.slice(0, 30) } })).toEqual([]);
  });

  test("a registry policy over ECR's 10,240 characters: first pulls of many prefixes with principals of their own", () => {
    const rules = Array.from({ length: 40 }, (_, i) => ({ prefix: `team-${String(i).padStart(2, '0')}`, upstream: 'k8s' }));
    const overrides = rules.map((r, i) => ({ prefix: r.prefix, pullAccounts: [String(200000000000 + i), String(300000000000 + i)] }));
    expect(issuesOf({ rules, repositories: { overrides } })).toEqual([
      expect.stringMatching(
        /^config error at repositories: the registry policy would be \d{5} characters \(first-pull statements \d{5}, the rest replication access\); ECR allows 10240 \(PutRegistryPolicy\)/,
      ),
    ]);
    // The same accounts for every prefix share one statement, and fit.
    expect(issuesOf({ rules, repositories: { pullAccounts: ['200000000000', '300000000000'] } })).toEqual([]);
  });
});
