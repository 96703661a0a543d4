import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig, predictedReplicaResourceCount, replicaDestinations, type PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { PtcReplicaStack } from '../../infra/stacks/replica-stack';
import { everyFeatureTwoEnvironments, replicaDestinationsWithKeys } from './helpers';

const KEY_EU = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_DEST = 'arn:aws:kms:eu-west-1:444455556666:key/5678abcd-12ab-34cd-56ef-1234567890ab';

function config(replication: Record<string, unknown>, extra: Record<string, unknown> = {}): PtcConfig {
  return parseConfig({
    environments: [
      { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
      { name: 'prod-us', account: '111122223333', region: 'us-east-1' },
    ],
    rules: [
      { prefix: 'k8s', upstream: 'k8s' },
      { prefix: 'quay', upstream: 'quay' },
      { prefix: 'ecr', upstream: 'ecr-public' },
    ],
    repositories: {
      lifecycle: { untaggedExpireDays: 7, keepLastTagged: 50 },
      pullAccounts: ['444455556666'],
      tags: { team: 'platform' },
      overrides: [{ prefix: 'k8s', lifecycle: { keepLastTagged: 20 }, imageTagMutability: 'IMMUTABLE' }],
    },
    replication,
    ...extra,
  });
}

/** Synthesizes without bundling the Lambda code (the templates are otherwise the same). */
const noBundling = () => ({ nag: false, app: new App({ context: { 'aws:cdk:bundling-stacks': [] } }) });

function replicaStacks(app: ReturnType<typeof buildApp>['app']): PtcReplicaStack[] {
  return app.node.children.filter((c): c is PtcReplicaStack => c instanceof PtcReplicaStack);
}

/** The templates of a stack, by prefix, with the properties a repository is born with. */
function templatesOf(stack: Stack): Record<string, Record<string, unknown>> {
  const found = Template.fromStack(stack).findResources('AWS::ECR::RepositoryCreationTemplate');
  return Object.fromEntries(
    Object.values(found).map((r) => [(r.Properties as { Prefix: string }).Prefix, r.Properties as Record<string, unknown>]),
  );
}

const settingsOf = (t: Record<string, unknown>) => ({
  lifecycle: t.LifecyclePolicy,
  policy: t.RepositoryPolicy,
  tags: t.ResourceTags,
  mutability: t.ImageTagMutability,
  encryption: t.EncryptionConfiguration,
});

describe('a replication destination no environment deploys gets a replica stack', () => {
  const threeDestinations = config({
    destinations: [
      { region: 'us-east-1' },
      { region: 'eu-west-1', account: '444455556666', prefixes: ['k8s', 'quay'] },
      { region: 'ap-south-1', prefixes: ['ecr'] },
    ],
  });
  const built = buildApp(threeDestinations, noBundling());
  const [cross, same] = replicaStacks(built.app);

  test('one stack per such destination, in its account and Region', () => {
    expect(replicaStacks(built.app).map((s) => [s.stackName, s.account, s.region])).toEqual([
      ['PtcAutopilot-replica-444455556666-eu-west-1', '444455556666', 'eu-west-1'],
      ['PtcAutopilot-replica-111122223333-ap-south-1', '111122223333', 'ap-south-1'],
    ]);
  });

  test('its templates cover exactly the prefixes replicated there and apply to REPLICATION only', () => {
    expect(Object.keys(templatesOf(cross!)).sort()).toEqual(['k8s', 'quay']);
    expect(Object.keys(templatesOf(same!))).toEqual(['ecr']);
    for (const t of [...Object.values(templatesOf(cross!)), ...Object.values(templatesOf(same!))])
      expect(t.AppliedFor).toEqual(['REPLICATION']);
  });

  test("each template gives the same lifecycle, repository policy, tags, mutability and encryption as the source's", () => {
    const source = templatesOf(built.stacks[0]!);
    for (const [prefix, t] of Object.entries({ ...templatesOf(cross!), ...templatesOf(same!) }))
      expect({ prefix, ...settingsOf(t) }).toEqual({ prefix, ...settingsOf(source[prefix]!) });
    expect(templatesOf(cross!).k8s!.ImageTagMutability).toBe('IMMUTABLE');
  });

  test('the creation role may create, tag and replicate only under the replicated prefixes of that registry', () => {
    Template.fromStack(cross!).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['ecr:CreateRepository', 'ecr:TagResource', 'ecr:ReplicateImage'],
            Effect: 'Allow',
            Resource: ['arn:aws:ecr:eu-west-1:444455556666:repository/k8s/*', 'arn:aws:ecr:eu-west-1:444455556666:repository/quay/*'],
          },
        ],
      },
    });
  });

  test('another account gets the registry policy statement through the registry-settings custom resource, and nothing else of it', () => {
    const t = Template.fromStack(cross!);
    t.resourceCountIs('Custom::PtcRegistryPolicy', 1);
    t.resourceCountIs('Custom::PtcReplication', 0);
    t.resourceCountIs('Custom::PtcScanning', 0);
    t.hasResourceProperties('Custom::PtcRegistryPolicy', {
      Kind: 'RegistryPolicy',
      RegistryId: '444455556666',
      Region: 'eu-west-1',
      SourceAccounts: ['111122223333'],
      RepositoryArns: ['arn:aws:ecr:eu-west-1:444455556666:repository/k8s/*', 'arn:aws:ecr:eu-west-1:444455556666:repository/quay/*'],
    });
  });

  test('the same account needs no registry policy, so no Lambda', () => {
    const t = Template.fromStack(same!);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.resourceCountIs('Custom::PtcRegistryPolicy', 0);
  });

  test('the stacks replicating there depend on it, so cdk deploy creates the templates first', () => {
    for (const source of built.stacks)
      expect(source.dependencies.map((d) => d.stackName).sort()).toEqual([
        'PtcAutopilot-replica-111122223333-ap-south-1',
        'PtcAutopilot-replica-444455556666-eu-west-1',
      ]);
  });

  test('its resource count is the one the deploy-limit check predicts', () => {
    const predicted = replicaDestinations(threeDestinations).map(predictedReplicaResourceCount);
    const synthesized = [cross!, same!].map((s) => Object.keys(Template.fromStack(s).toJSON().Resources as object).length);
    expect(synthesized).toEqual(predicted);
  });
});

describe('no replica stack where none is needed', () => {
  test('a destination an environment deploys gets its templates from that stack (PULL_THROUGH_CACHE and REPLICATION)', () => {
    const built = buildApp(config({ destinations: [{ region: 'us-east-1' }] }), noBundling());
    expect(replicaStacks(built.app)).toEqual([]);
    expect(
      Template.fromStack(built.stacks[1]!).findResources('AWS::ECR::RepositoryCreationTemplate', {
        Properties: { AppliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION'] },
      }),
    ).not.toEqual({});
  });

  test('templates: false leaves the destination to whoever manages it', () => {
    const built = buildApp(config({ destinations: [{ region: 'eu-west-1', account: '444455556666', templates: false }] }), noBundling());
    expect(replicaStacks(built.app)).toEqual([]);
    expect(built.stacks.every((s) => s.dependencies.length === 0)).toBe(true);
  });
});

describe("the destination's own KMS key", () => {
  test("encrypts the replica's templates, and its creation role may use that key only", () => {
    const built = buildApp(
      config(
        { destinations: [{ region: 'eu-west-1', account: '444455556666', kmsKeyArn: KEY_DEST }] },
        {
          environments: [{ name: 'prod-eu', account: '111122223333', region: 'eu-west-2' }],
          repositories: { encryption: { type: 'KMS', kmsKeyArn: KEY_EU } },
        },
      ),
      noBundling(),
    );
    const [replica] = replicaStacks(built.app);
    for (const t of Object.values(templatesOf(replica!)))
      expect(t.EncryptionConfiguration).toEqual({ EncryptionType: 'KMS', KmsKey: KEY_DEST });
    Template.fromStack(replica!).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['kms:CreateGrant', 'kms:RetireGrant', 'kms:DescribeKey'], Effect: 'Allow', Resource: KEY_DEST },
        ]),
      },
    });
    expect(JSON.stringify(Template.fromStack(replica!).toJSON())).not.toContain(KEY_EU);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test.each([
    ['every feature, two environments', everyFeatureTwoEnvironments],
    ['replica destinations with their own KMS keys', replicaDestinationsWithKeys],
  ] as const)('the replica stacks of %s have no unacknowledged finding', (_name, make) => {
    const { app } = buildApp(make(), noBundling());
    const replicas = replicaStacks(app);
    expect(replicas.map((s) => s.stackName).sort()).toEqual([
      'PtcAutopilot-replica-111122223333-ap-south-1',
      'PtcAutopilot-replica-444455556666-eu-west-1',
    ]);
    for (const stack of replicas)
      expect({ stack: stack.stackName, violations: new AwsSolutionsChecks().validateScope(stack).violations }).toEqual({
        stack: stack.stackName,
        violations: [],
      });
  });
});
