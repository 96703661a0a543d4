import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig, type PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';

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
  replication: { destinations: [{ region: 'us-east-1', account: '444455556666' }, { region: 'eu-west-1', prefixes: ['k8s'] }], acceptFrom: ['555566667777'] },
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
      t.hasResourceProperties('Custom::PtcScanning', { Kind: 'Scanning', Prefixes: ['docker-hub', 'k8s'], ScanType: 'ENHANCED', ScanFrequency: 'CONTINUOUS_SCAN' });
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
    eu.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'registry-settings' }) } });
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
