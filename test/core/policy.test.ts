import {
  desiredState,
  effectiveSettings,
  lifecyclePolicy,
  nodePolicyStatements,
  parseConfig,
  pullStatements,
  ruleForRepository,
  isOwnedStatement,
  canonicalJson,
} from '../../core';

const config = parseConfig({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [
    { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
    { prefix: 'k8s', upstream: 'k8s' },
  ],
  repositories: {
    lifecycle: { untaggedExpireDays: 7, keepLastTagged: 50 },
    pullAccounts: ['444455556666'],
    pullOrganizations: ['o-a1b2c3d4e5'],
    tags: { team: 'platform' },
    scanOnPush: true,
    overrides: [{ prefix: 'k8s', lifecycle: { keepLastTagged: 20 }, tags: { tier: 'system' }, pullAccounts: [] }],
  },
});

describe('effective settings', () => {
  test('an override merges lifecycle numbers key by key', () => {
    expect(effectiveSettings(config, 'k8s').lifecycle).toEqual({ untaggedExpireDays: 7, keepLastTagged: 20 });
    expect(effectiveSettings(config, 'docker-hub').lifecycle).toEqual({ untaggedExpireDays: 7, keepLastTagged: 50 });
  });

  test('an override merges tags and replaces lists', () => {
    const k8s = effectiveSettings(config, 'k8s');
    expect(k8s.tags).toEqual({ team: 'platform', tier: 'system' });
    expect(k8s.pullAccounts).toEqual([]);
    expect(k8s.pullOrganizations).toEqual(['o-a1b2c3d4e5']);
  });

  test('defaults apply when the config says nothing', () => {
    const bare = parseConfig({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] });
    expect(effectiveSettings(bare, 'k8s')).toEqual({
      lifecycle: { keepLastTagged: 100 },
      pullAccounts: [],
      pullOrganizations: [],
      pullOrganizationalUnits: [],
      tags: {},
      scanOnPush: true,
      imageTagMutability: 'MUTABLE',
      imageTagMutabilityExclusionFilters: [],
      encryption: { type: 'AES256' },
    });
  });
});

describe('repository naming', () => {
  test('a repository belongs to a prefix on a whole path component only', () => {
    expect(ruleForRepository(config, 'docker-hub/library/nginx')?.prefix).toBe('docker-hub');
    expect(ruleForRepository(config, 'docker-hubx/library/nginx')).toBeUndefined();
    expect(ruleForRepository(config, 'docker-hub')).toBeUndefined();
  });

  test('an unmanaged repository has the desired state {managed: false}', () => {
    expect(desiredState(config, 'team-a/service')).toEqual({ managed: false });
  });
});

describe('documents', () => {
  test('the lifecycle policy expires untagged images by age and keeps the newest tagged ones', () => {
    expect(lifecyclePolicy({ untaggedExpireDays: 3, keepLastTagged: 9 }).rules.map((r) => r.selection)).toEqual([
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 },
      { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 9 },
    ]);
  });

  test('pull statements grant the three pull actions and the import of an uncached tag, to accounts, organizations and OUs', () => {
    const statements = pullStatements({
      pullAccounts: ['444455556666', '222233334444'],
      pullOrganizations: ['o-a1b2c3d4e5'],
      pullOrganizationalUnits: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111', 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'],
    });
    const actions = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchImportUpstreamImage'];
    expect(statements).toEqual([
      {
        Sid: 'PtcAutopilotCrossAccountPull',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::222233334444:root', 'arn:aws:iam::444455556666:root'] },
        Action: actions,
      },
      {
        Sid: 'PtcAutopilotOrganizationPull',
        Effect: 'Allow',
        Principal: '*',
        Action: actions,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5'] } },
      },
      {
        Sid: 'PtcAutopilotOrganizationalUnitPull',
        Effect: 'Allow',
        Principal: '*',
        Action: actions,
        // One path, normalized; `*` takes in the OUs under it.
        Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'] } },
      },
    ]);
  });

  test('consumers are unioned into the same statements', () => {
    const withConsumers = parseConfig({
      account: '111122223333',
      region: 'eu-west-2',
      rules: [{ prefix: 'k8s', upstream: 'k8s' }],
      repositories: { pullAccounts: ['444455556666'] },
      consumers: {
        accounts: [
          { name: 'payments', account: '444455556666' },
          { name: 'billing', account: '222233334444' },
        ],
        organizationalUnits: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111'],
        regions: ['eu-west-2'],
      },
    });
    const statements = pullStatements(effectiveSettings(withConsumers, 'k8s'), 'aws-cn');
    expect(statements.map((s) => [s.Sid, s.Principal, s.Condition])).toEqual([
      ['PtcAutopilotCrossAccountPull', { AWS: ['arn:aws-cn:iam::222233334444:root', 'arn:aws-cn:iam::444455556666:root'] }, undefined],
      [
        'PtcAutopilotOrganizationalUnitPull',
        '*',
        { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'] } },
      ],
    ]);
  });

  test('ownership is by exact Sid: a look-alike Sid is not ours', () => {
    expect(isOwnedStatement({ Sid: 'PtcAutopilotCrossAccountPull' })).toBe(true);
    expect(isOwnedStatement({ Sid: 'PtcAutopilotCrossAccountPullLegacy' })).toBe(false);
    expect(isOwnedStatement({})).toBe(false);
  });

  test('the desired state carries the marker tag besides the configured tags', () => {
    const state = desiredState(config, 'k8s/pause');
    expect(state).toMatchObject({
      managed: true,
      prefix: 'k8s',
      tags: { team: 'platform', tier: 'system', 'ptc-autopilot:managed': 'true' },
    });
  });

  test('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } })).toBe(canonicalJson({ a: { c: [3, { e: 5, f: 4 }], d: 2 }, b: 1 }));
  });

  test('node policy statements are scoped to the managed prefixes, except the auth token', () => {
    const statements = nodePolicyStatements({ partition: 'aws', region: 'eu-west-2', account: '111122223333' }, ['docker-hub', 'k8s']);
    expect(statements[0]).toEqual({
      Sid: 'PullThroughCacheFirstPull',
      Effect: 'Allow',
      Action: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
      Resource: ['arn:aws:ecr:eu-west-2:111122223333:repository/docker-hub/*', 'arn:aws:ecr:eu-west-2:111122223333:repository/k8s/*'],
    });
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual([['ecr:GetAuthorizationToken']]);
  });
});
