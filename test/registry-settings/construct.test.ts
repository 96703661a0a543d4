import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig, type PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { ENHANCED_SCANNING_ACTIONS, REGISTRY_SETTINGS_ACTIONS, RegistrySettings } from '../../infra/constructs/registry-settings';

function config(extra: Record<string, unknown> = {}): PtcConfig {
  return parseConfig({
    environments: [
      { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
      { name: 'dr-us', account: '444455556666', region: 'us-east-1' },
    ],
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      { prefix: 'k8s', upstream: 'k8s' },
    ],
    ...extra,
  });
}

const WITH_SETTINGS = config({
  replication: {
    destinations: [
      { region: 'us-east-1', account: '444455556666' },
      { region: 'eu-west-1', prefixes: ['k8s'] },
    ],
    acceptFrom: ['555566667777'],
  },
  scanning: { type: 'ENHANCED', frequency: 'CONTINUOUS_SCAN' },
});
const built = buildApp(WITH_SETTINGS, { nag: false });
const eu = Template.fromStack(built.stacks[0]!);
const us = Template.fromStack(built.stacks[1]!);

describe('RegistrySettings construct', () => {
  test('the source registry gets a replication custom resource grouping destinations by prefixes', () => {
    eu.hasResourceProperties('Custom::PtcReplication', {
      ServiceToken: Match.anyValue(),
      Kind: 'Replication',
      RegistryId: '111122223333',
      Region: 'eu-west-2',
      Rules: [
        { Prefixes: ['docker-hub', 'k8s'], Destinations: [{ Region: 'us-east-1', RegistryId: '444455556666' }] },
        { Prefixes: ['k8s'], Destinations: [{ Region: 'eu-west-1', RegistryId: '111122223333' }] },
      ],
    });
  });

  test('every registry gets the scanning custom resource for the managed prefixes', () => {
    for (const t of [eu, us]) {
      t.hasResourceProperties('Custom::PtcScanning', {
        Kind: 'Scanning',
        Prefixes: ['docker-hub', 'k8s'],
        ScanType: 'ENHANCED',
        ScanFrequency: 'CONTINUOUS_SCAN',
      });
    }
  });

  test('the destination environment deploys the registry policy for its sources, and only it', () => {
    us.hasResourceProperties('Custom::PtcRegistryPolicy', {
      Kind: 'RegistryPolicy',
      RegistryId: '444455556666',
      Region: 'us-east-1',
      Partition: 'aws',
      SourceAccounts: ['111122223333', '555566667777'],
      RepositoryArns: ['arn:aws:ecr:us-east-1:444455556666:repository/docker-hub/*', 'arn:aws:ecr:us-east-1:444455556666:repository/k8s/*'],
    });
    // acceptFrom applies to every environment of the config; prod-eu receives from 555566667777 too.
    eu.hasResourceProperties('Custom::PtcRegistryPolicy', { SourceAccounts: ['555566667777'] });
  });

  test('creation templates also apply to REPLICATION where repositories arrive by replication', () => {
    us.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', { Prefix: 'k8s', AppliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION'] });
  });

  test('the Lambda may call the registry-level actions and create only the two service-linked roles', () => {
    eu.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'RegistrySettings',
            Action: [
              'ecr:DescribeRegistry',
              'ecr:PutReplicationConfiguration',
              'ecr:GetRegistryScanningConfiguration',
              'ecr:PutRegistryScanningConfiguration',
              'ecr:GetRegistryPolicy',
              'ecr:PutRegistryPolicy',
              'ecr:DeleteRegistryPolicy',
            ],
            Resource: '*',
          }),
          Match.objectLike({
            Sid: 'ServiceLinkedRoles',
            Action: 'iam:CreateServiceLinkedRole',
            Condition: { StringEquals: { 'iam:AWSServiceName': ['replication.ecr.amazonaws.com', 'inspector2.amazonaws.com'] } },
            Resource: [
              'arn:aws:iam::111122223333:role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication',
              'arn:aws:iam::111122223333:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2',
            ],
          }),
        ]),
      },
    });
    eu.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'registry-settings' }) },
    });
  });

  test('only the registry-level actions are granted on "*", and the nag acknowledgement gives a reason for each', () => {
    type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
    const policies = Object.values(eu.findResources('AWS::IAM::Policy')).map(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    const ownPolicy = policies.filter((statements) => statements.some((s) => s.Sid === 'RegistrySettings'));
    expect(ownPolicy).toHaveLength(1);
    const wildcard = ownPolicy[0]!.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
    expect(wildcard.sort()).toEqual([...REGISTRY_SETTINGS_ACTIONS, ...ENHANCED_SCANNING_ACTIONS].sort());

    const settings = built.stacks[0]!.node.findAll().find((c): c is RegistrySettings => c instanceof RegistrySettings)!;
    const acks = settings.function.function.node.metadata
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    const wildcardAck = acks.filter(([id]) => id === 'Annotation::AwsSolutions-IAM5[Resource::*]');
    expect(wildcardAck).toHaveLength(1);
    const reason = wildcardAck[0]![1];
    for (const action of [...REGISTRY_SETTINGS_ACTIONS, ...ENHANCED_SCANNING_ACTIONS]) expect(reason).toMatch(new RegExp(`${action}: \\w`));
    // L1 and IAM4 are acknowledged once, by PtcFunction, not again here.
    expect(acks.filter(([id]) => id === 'Annotation::AwsSolutions-L1')).toHaveLength(1);
  });

  test('a config that only accepts replication deploys the registry policy and nothing else', () => {
    const accepting = parseConfig({
      account: '444455556666',
      region: 'us-east-1',
      rules: [{ prefix: 'k8s', upstream: 'k8s' }],
      replication: { acceptFrom: ['111122223333'] },
    });
    const t = Template.fromStack(buildApp(accepting, { nag: false }).stacks[0]!);
    t.resourceCountIs('Custom::PtcReplication', 0);
    t.resourceCountIs('Custom::PtcScanning', 0);
    t.hasResourceProperties('Custom::PtcRegistryPolicy', {
      RegistryId: '444455556666',
      Region: 'us-east-1',
      SourceAccounts: ['111122223333'],
      RepositoryArns: ['arn:aws:ecr:us-east-1:444455556666:repository/k8s/*'],
    });
    t.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', { Prefix: 'k8s', AppliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION'] });
  });

  test('pull grants alone deploy one registry policy resource, carrying replication access and first pulls together', () => {
    const hub = parseConfig({
      account: '444455556666',
      region: 'us-east-1',
      rules: [
        { prefix: 'k8s', upstream: 'k8s' },
        { prefix: 'quay', upstream: 'quay' },
      ],
      repositories: { pullAccounts: ['222233334444'], pullOrganizationalUnits: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111'] },
      replication: { acceptFrom: ['111122223333'] },
    });
    const t = Template.fromStack(buildApp(hub, { nag: false }).stacks[0]!);
    t.resourceCountIs('Custom::PtcRegistryPolicy', 1);
    const arns = ['arn:aws:ecr:us-east-1:444455556666:repository/k8s/*', 'arn:aws:ecr:us-east-1:444455556666:repository/quay/*'];
    t.hasResourceProperties('Custom::PtcRegistryPolicy', {
      SourceAccounts: ['111122223333'],
      RepositoryArns: arns,
      FirstPull: {
        Accounts: [{ Principals: ['222233334444'], RepositoryArns: arns }],
        Organizations: [],
        OrganizationalUnitPaths: [{ Principals: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'], RepositoryArns: arns }],
      },
    });
  });

  test('a config without replication or scanning deploys none of it', () => {
    const plain = Template.fromStack(buildApp(config(), { nag: false }).stacks[0]!);
    for (const type of ['Custom::PtcReplication', 'Custom::PtcScanning', 'Custom::PtcRegistryPolicy']) plain.resourceCountIs(type, 0);
    plain.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', { Prefix: 'k8s', AppliedFor: ['PULL_THROUGH_CACHE'] });
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    const { app } = buildApp(WITH_SETTINGS, { nag: false });
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });
});
