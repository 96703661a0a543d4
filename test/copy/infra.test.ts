/**
 * The infrastructure of `copies`: the node policy grants the pull actions (and only those: no first
 * pull, which would let a node create repositories) on each copy prefix's repositories in every
 * Region of the account; each copy prefix gets a creation template applied to CREATE_ON_PUSH, so the
 * first push of `ptc copy` creates the repository with the cache repositories' settings. The
 * synthesized templates fit the CloudFormation registry schemas the project stores, and cdk-nag
 * finds nothing.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { nodePolicyStatements, parseConfig } from '../../core';
import { PULL_ACTIONS } from '../../core/policy/repository-policy';
import { buildApp } from '../../infra/build-app';
import { checkTemplateAgainstSchemas } from '../aws-truth/cfn-schema';
import { synthesize } from '../aws-truth/synth';

const config = parseConfig({
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  copies: [
    { prefix: 'gcr', upstream: 'gcr.io', images: ['gcr.io/distroless/static:nonroot'] },
    { prefix: 'nvidia', upstream: 'nvcr.io' },
  ],
  environments: [
    { name: 'eu', account: '111122223333', region: 'eu-west-2' },
    { name: 'us', account: '111122223333', region: 'us-east-1' },
  ],
  nodeRoleArns: ['arn:aws:iam::111122223333:role/eks-nodes'],
});

type Statement = { Sid: string; Action: string[]; Resource: unknown };

test('copy prefixes get a pull-only statement; without copies the policy is unchanged', () => {
  const where = { partition: 'aws', region: 'eu-west-2', account: '111122223333' };
  expect(nodePolicyStatements(where, ['k8s'], ['gcr']).find((s) => s.Sid === 'CopiedImagesPull')).toEqual({
    Sid: 'CopiedImagesPull',
    Effect: 'Allow',
    Action: [...PULL_ACTIONS],
    Resource: ['arn:aws:ecr:eu-west-2:111122223333:repository/gcr/*'],
  });
  expect(nodePolicyStatements(where, ['k8s']).map((s) => s.Sid)).toEqual([
    'PullThroughCacheFirstPull',
    'PullThroughCachePull',
    'RegistryAuthToken',
  ]);
});

test('the synthesized node policy lets nodes pull every copy prefix in every Region of the account, and cdk-nag finds nothing', () => {
  const { app, stacks } = buildApp(config, { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } });
  const policies = Object.values(Template.fromStack(stacks[0]!).findResources('AWS::IAM::ManagedPolicy')) as {
    Properties: { PolicyDocument: { Statement: Statement[] } };
  }[];
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
  const copied = statements.find((s) => s.Sid === 'CopiedImagesPull')!;
  expect(copied.Action).toEqual([...PULL_ACTIONS]);
  expect(copied.Resource).toEqual([
    'arn:aws:ecr:eu-west-2:111122223333:repository/gcr/*',
    'arn:aws:ecr:eu-west-2:111122223333:repository/nvidia/*',
    'arn:aws:ecr:us-east-1:111122223333:repository/gcr/*',
    'arn:aws:ecr:us-east-1:111122223333:repository/nvidia/*',
  ]);
  const firstPull = statements.find((s) => s.Sid === 'PullThroughCacheFirstPull')!;
  expect(JSON.stringify(firstPull.Resource)).not.toMatch(/gcr|nvidia/);
  expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
});

test('each copy prefix gets a creation template for CREATE_ON_PUSH that the creation role may apply, and the templates fit the CloudFormation schemas', () => {
  const { stacks } = synthesize('copies', config);
  const eu = stacks.find((s) => s.region === 'eu-west-2')!;
  expect(checkTemplateAgainstSchemas(eu.resources, 'eu-west-2')).toEqual([]);
  const templates = Object.values(eu.resources)
    .filter((r) => r.Type === 'AWS::ECR::RepositoryCreationTemplate')
    .map((r) => r.Properties as { Prefix: string; AppliedFor: string[]; ImageTagMutability?: string });
  expect(templates.map((t) => [t.Prefix, t.AppliedFor])).toEqual([
    ['k8s', ['PULL_THROUGH_CACHE']],
    ['gcr', ['CREATE_ON_PUSH']],
    ['nvidia', ['CREATE_ON_PUSH']],
  ]);
  const role = Object.values(eu.resources).find(
    (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('ecr:CreateRepository'),
  )!;
  expect(JSON.stringify(role.Properties)).toContain('repository/gcr/*');
});
