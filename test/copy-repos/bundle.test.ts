/**
 * The reconciler Lambda as `cdk synth` bundles it, required in plain node with its template's
 * environment (the AWS-truth harness, test/aws-truth/bundles.ts), driven with AWS's documented push
 * and CreateRepository samples (test/fixtures/aws-events, verbatim; SOURCE.md gives each address) for
 * a copy repository: it writes the lifecycle the copy creation template gives new copy repositories,
 * and a pull-only repository policy.
 */
import { parseConfig } from '../../core';
import { documentedEvents, withRepository } from '../aws-truth/aws-events';
import { bundledFunctions, runBundle, sent, type MockSpec } from '../aws-truth/bundles';
import { removeAssemblies, synthesize } from '../aws-truth/synth';

/** Invented: one environment, one rule, one copies entry, with cross-account pull and an untagged rule for cache repositories. */
const config = parseConfig({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  copies: [{ prefix: 'gcr', upstream: 'gcr.io', images: ['gcr.io/distroless/static:nonroot'] }],
  repositories: { lifecycle: { untaggedExpireDays: 7, keepLastTagged: 50 }, pullAccounts: ['444455556666'] },
});
const app = synthesize('copies, bundled', config, { bundle: true });
afterAll(() => removeAssemblies([app]));

const ECR = { module: '@aws-sdk/client-ecr', client: 'ECRClient' } as const;
const EVENTS = { module: '@aws-sdk/client-eventbridge', client: 'EventBridgeClient' } as const;
const NAME = 'gcr/distroless/static';

test('the bundled reconciler configures a copy repository on a documented push and CreateRepository, as the copy template would', () => {
  const fn = bundledFunctions(app).find((f) => f.service === 'reconcile-repository')!;
  const arn = `arn:aws:ecr:${fn.stack.region}:${fn.stack.account}:repository/${NAME}`;
  const mocks: MockSpec[] = [
    {
      ...ECR,
      command: 'DescribeRepositoriesCommand',
      input: { repositoryNames: [NAME] },
      resolves: {
        repositories: [
          { repositoryName: NAME, repositoryArn: arn, imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: false } },
        ],
      },
    },
    { ...ECR, command: 'ListTagsForResourceCommand', resolves: { tags: [] } },
    {
      ...ECR,
      command: 'GetLifecyclePolicyCommand',
      rejects: { name: 'LifecyclePolicyNotFoundException', message: 'Lifecycle policy does not exist' },
    },
    {
      ...ECR,
      command: 'GetRepositoryPolicyCommand',
      state: { store: 'policy', key: 'repositoryName', field: 'policyText', op: 'get' },
      rejects: { name: 'RepositoryPolicyNotFoundException', message: 'Repository policy does not exist' },
    },
    { ...ECR, command: 'SetRepositoryPolicyCommand', state: { store: 'policy', key: 'repositoryName', field: 'policyText', op: 'set' } },
    {
      ...EVENTS,
      command: 'PutEventsCommand',
      resolves: { FailedEntryCount: 0, Entries: [{ EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' }] },
    },
  ];
  const events = documentedEvents();
  const run = runBundle(fn, mocks, [
    withRepository(events['ECR Image Action (push)']!, NAME),
    withRepository(events['AWS API Call via CloudTrail (CreateRepository)']!, NAME),
    withRepository(events['ECR Image Action (push)']!, 'gcrx/distroless/static'),
  ]);
  expect(run.loadError).toBeUndefined();
  expect(run.results.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
  expect(run.results[2]!.ok).toMatchObject({ status: 'dropped' });

  const template = Object.values(fn.stack.resources).find(
    (r) => r.Type === 'AWS::ECR::RepositoryCreationTemplate' && (r.Properties as { Prefix: string }).Prefix === 'gcr',
  )!.Properties as { LifecyclePolicy: string; AppliedFor: string[] };
  expect(template.AppliedFor).toEqual(['CREATE_ON_PUSH']);
  const lifecycles = sent(run, 'PutLifecyclePolicyCommand');
  // Each of the two events finds no lifecycle policy (the mock keeps only the repository policy) and writes it.
  expect(lifecycles).toHaveLength(2);
  for (const input of lifecycles) {
    expect(input.repositoryName).toBe(NAME);
    expect(JSON.parse(String(input.lifecyclePolicyText))).toEqual(JSON.parse(template.LifecyclePolicy));
    expect(String(input.lifecyclePolicyText)).not.toContain('untagged');
  }
  const [policy] = sent(run, 'SetRepositoryPolicyCommand');
  expect(JSON.parse(String(policy!.policyText)).Statement).toEqual([
    {
      Sid: 'PtcAutopilotCrossAccountPull',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::444455556666:root'] },
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
    },
  ]);
});
