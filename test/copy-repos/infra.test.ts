/**
 * The synthesized hub with `copies` and consumers: the reconciler's EventBridge rules fire on AWS's
 * documented push and CreateRepository samples for a copy repository (test/fixtures/aws-events,
 * verbatim, SOURCE.md gives each address; only the repository name is changed in memory), its IAM
 * and payload cover the copy prefixes, the copy creation templates grant consumers pull only, every
 * consumer node policy (plain stacks and the StackSet body) pulls the hub's copy repositories and
 * nothing more, the policies fit the Service Authorization Reference, and cdk-nag finds nothing.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { App } from 'aws-cdk-lib';
import { parseConfig, type PtcConfig } from '../../core';
import { decodeConfig } from '../../core/lambda-contracts/reconcile-repository/settings';
import { buildApp } from '../../infra/build-app';
import { cloudTrailCreateRepository, awsSample, withRepository, type AwsEvent } from '../aws-truth/aws-events';
import { matchesPattern } from '../aws-truth/event-pattern';
import { checkPolicyDocument } from '../aws-truth/iam-check';
import { removeAssemblies, synthesize, type CfnResource } from '../aws-truth/synth';
import { defaultConsumers } from '../consumers/helpers';
import { everyFeatureTwoEnvironments } from '../infra/helpers';

const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/** Invented: the AWS-truth harness's "every feature" hub (test/infra/helpers.ts) with its consumers and two copies entries. */
function hubWithCopies(): PtcConfig {
  const hub = JSON.parse(JSON.stringify(everyFeatureTwoEnvironments())) as Record<string, unknown>;
  return parseConfig({
    ...hub,
    consumers: defaultConsumers(),
    copies: [
      { prefix: 'gcr', upstream: 'gcr.io', images: ['gcr.io/distroless/static:nonroot'] },
      { prefix: 'nvidia', upstream: 'nvcr.io' },
    ],
  });
}

const config = hubWithCopies();
const app = synthesize('hub with copies and consumers', config);
afterAll(() => removeAssemblies([app]));
const hub = app.stacks.find((s) => s.region === 'eu-west-2' && s.account === '111122223333' && !s.stackName.includes('consumer'))!;
const ofType = (resources: Record<string, CfnResource>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type) as Array<[string, CfnResource & { Properties: Record<string, any> }]>;

describe("the reconciler's rules fire on AWS's documented samples for a copy repository", () => {
  const rules = ofType(hub.resources, 'AWS::Events::Rule').filter(([id]) => id.includes('Reconciler'));
  const patternOf = (suffix: string) => rules.find(([id]) => id.includes(suffix))![1].Properties.EventPattern as Record<string, unknown>;
  const push = () => awsSample('ecr-image-action-push.json') as AwsEvent;

  test.each([
    ['ImagePushRule', 'ECR Image Action PUSH', push],
    ['CreateRepositoryRule', 'CloudTrail CreateRepository', cloudTrailCreateRepository],
  ])('%s matches %s into gcr/distroless/static and nvidia/cuda, never gcrx/...', (suffix, _what, sample) => {
    const pattern = patternOf(suffix);
    expect(matchesPattern(pattern, withRepository(sample(), 'gcr/distroless/static'))).toBe(true);
    expect(matchesPattern(pattern, withRepository(sample(), 'nvidia/cuda'))).toBe(true);
    expect(matchesPattern(pattern, withRepository(sample(), 'gcrx/distroless/static'))).toBe(false);
    // The sample as published names a repository under no prefix.
    expect(matchesPattern(pattern, sample())).toBe(false);
  });

  test('its role may configure the copy repositories, and its payload names the copy prefixes', () => {
    const policies = ofType(hub.resources, 'AWS::IAM::Policy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement as any[]);
    const managed = policies.find((s) => s.Sid === 'ReconcileManagedRepositories')!;
    expect(managed.Resource).toEqual(
      expect.arrayContaining([
        'arn:aws:ecr:eu-west-2:111122223333:repository/gcr/*',
        'arn:aws:ecr:eu-west-2:111122223333:repository/nvidia/*',
      ]),
    );
    const fn = ofType(hub.resources, 'AWS::Lambda::Function').find(([id]) => id.includes('ReconcilerFunction'))![1];
    const variables = fn.Properties.Environment.Variables as Record<string, string>;
    expect(decodeConfig(variables.PTC_RECONCILER_CONFIG).copies).toEqual([{ prefix: 'gcr' }, { prefix: 'nvidia' }]);
  });
});

describe('copy creation templates', () => {
  const templates = ofType(hub.resources, 'AWS::ECR::RepositoryCreationTemplate').map(([, r]) => r.Properties);
  const gcr = templates.find((t) => t.Prefix === 'gcr')!;

  test('grant the consumer accounts and OUs pull only, like the reconciler', () => {
    const statements = JSON.parse(gcr.RepositoryPolicy as string).Statement as Array<{ Sid: string; Action: string[]; Principal: unknown }>;
    expect(statements.map((s) => s.Sid)).toEqual(
      expect.arrayContaining(['PtcAutopilotCrossAccountPull', 'PtcAutopilotOrganizationalUnitPull']),
    );
    for (const s of statements) expect(s.Action).toEqual(PULL);
    const accounts = (statements.find((s) => s.Sid === 'PtcAutopilotCrossAccountPull')!.Principal as { AWS: string[] }).AWS;
    expect(accounts).toEqual(expect.arrayContaining(['arn:aws:iam::444455556666:root', 'arn:aws:iam::777788889999:root']));
    const k8s = templates.find((t) => t.Prefix === 'k8s')!;
    expect(k8s.RepositoryPolicy).toContain('ecr:BatchImportUpstreamImage');
  });

  test('write no untagged and no archive rule, whatever the cache repositories get', () => {
    const rules = JSON.parse(gcr.LifecyclePolicy.LifecyclePolicyText ?? gcr.LifecyclePolicy).rules as Array<{
      selection: { tagStatus: string };
    }>;
    expect(rules.map((r) => r.selection.tagStatus)).toEqual(['tagged']);
  });
});

describe('consumer node policies', () => {
  const consumerStacks = app.stacks.filter((s) => s.stackName.includes('consumer'));
  const bodies = consumerStacks.flatMap((s) =>
    ofType(s.resources, 'AWS::CloudFormation::StackSet').map(
      ([, r]) => (JSON.parse(r.Properties.TemplateBody as string) as { Resources: Record<string, CfnResource> }).Resources,
    ),
  );
  const documents = [...consumerStacks.map((s) => s.resources), ...bodies].flatMap((resources) =>
    ofType(resources, 'AWS::IAM::ManagedPolicy').map(([id, r]) => ({ id, document: r.Properties.PolicyDocument, resources })),
  );

  test('every one pulls the hub copy repositories (pull only) and fits the Service Authorization Reference', async () => {
    expect(documents.length).toBeGreaterThanOrEqual(3);
    for (const { id, document, resources } of documents) {
      const copied = (document.Statement as any[]).find((s) => s.Sid === 'PtcAutopilotHubCopiedPull');
      // The consumer's hub Region, from its cache pull statement.
      const hubRegion = String((document.Statement as any[]).find((s) => s.Sid === 'PtcAutopilotHubPull').Resource[0]).split(':')[3];
      expect({ id, copied }).toEqual({
        id,
        copied: {
          Sid: 'PtcAutopilotHubCopiedPull',
          Effect: 'Allow',
          Action: PULL,
          Resource: [`arn:aws:ecr:${hubRegion}:111122223333:repository/gcr/*`, `arn:aws:ecr:${hubRegion}:111122223333:repository/nvidia/*`],
        },
      });
      const firstPull = (document.Statement as any[]).find((s) => s.Sid === 'PtcAutopilotHubFirstPull');
      expect(JSON.stringify(firstPull.Resource)).not.toMatch(/gcr|nvidia/);
      expect(
        await checkPolicyDocument(
          document as never,
          { where: id, partition: 'aws', region: 'eu-west-2', account: '333344445555' },
          resources,
        ),
      ).toEqual([]);
    }
  });
});

test('cdk-nag finds nothing in any stack', () => {
  const { app: built } = buildApp(config, { nag: false, app: new App({ context: { 'aws:cdk:bundling-stacks': [] } }) });
  expect(new AwsSolutionsChecks().validateScope(built).violations).toEqual([]);
});
