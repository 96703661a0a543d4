/**
 * Copy repositories (`copies[N].prefix`) are managed like cache repositories: the reconciler's
 * payload carries the copy prefixes, a push into a copy repository (AWS's documented "ECR Image
 * Action" sample, test/fixtures/events/ecr-image-action-push.json, verbatim from
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html with only the
 * repository name changed in memory) wakes it, and the sweep reconciles them. ECR through
 * aws-sdk-client-mock, every write asserted with its exact input.
 */
import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  LifecyclePolicyNotFoundException,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseTrigger } from '../../engines/reconcile/events';
import { sweep } from '../../engines/reconcile/sweep';
import { handleEvent } from '../../functions/reconcile-repository/run';
import { readReconcilerPayload, reconcilerPayload } from '../../core/lambda-settings';
import { ConfigError } from '../../core';
import { fixture, reconcilerTestConfig, testDeps } from '../reconciler/helpers';
import { ACCOUNT, REGION } from '../reconciler/fake-registry';

const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);
const ecr = new ECRClient({ region: REGION });
const events = new EventBridgeClient({ region: REGION });

/** The reconciler tests' config (base lifecycle `untaggedExpireDays: 7, keepLastTagged: 50`) with one copies entry. */
const config = reconcilerTestConfig({
  copies: [{ prefix: 'gcr', upstream: 'gcr.io', images: ['gcr.io/distroless/static:nonroot'] }],
});
/** What the Lambda reads: the payload through JSON, checked as the handler checks it. */
const payload = readReconcilerPayload(JSON.parse(JSON.stringify(reconcilerPayload(config, { account: ACCOUNT, region: REGION }))));
const arn = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;

/** A repository as DescribeRepositories lists it, before anything configured it (ECR's defaults). */
const listed = (repositoryName: string) => ({
  repositoryName,
  repositoryArn: arn(repositoryName),
  imageTagMutability: 'MUTABLE' as const,
  imageScanningConfiguration: { scanOnPush: false },
});

beforeEach(() => {
  ecrMock.reset();
  eventsMock.reset();
  ecrMock.on(ListTagsForResourceCommand).resolves({ tags: [] });
  ecrMock.on(GetLifecyclePolicyCommand).rejects(new LifecyclePolicyNotFoundException({ message: 'not found', $metadata: {} }));
  // The repository policy is read back after it is written (the guarded write, engines/reconcile/policy-write.ts).
  const policies = new Map<string, string>();
  ecrMock.on(SetRepositoryPolicyCommand).callsFake((input: { repositoryName: string; policyText: string }) => {
    policies.set(input.repositoryName, input.policyText);
    return { repositoryName: input.repositoryName, policyText: input.policyText };
  });
  ecrMock.on(GetRepositoryPolicyCommand).callsFake((input: { repositoryName: string }) => {
    const policyText = policies.get(input.repositoryName);
    if (policyText === undefined) throw new RepositoryPolicyNotFoundException({ message: 'not found', $metadata: {} });
    return { repositoryName: input.repositoryName, policyText };
  });
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});

/** The writes a fresh copy repository gets, each with its exact input. */
function expectCopyRepositoryConfigured(repositoryName: string): void {
  expect(ecrMock).toHaveReceivedCommandWith(PutLifecyclePolicyCommand, { repositoryName, lifecyclePolicyText: expect.any(String) });
  const lifecycle = ecrMock.commandCalls(PutLifecyclePolicyCommand, { repositoryName })[0]!.args[0].input.lifecyclePolicyText!;
  // The base untaggedExpireDays (7) is a cache setting: a copy repository gets the tagged rule only.
  expect(JSON.parse(lifecycle)).toEqual({
    rules: [
      {
        rulePriority: 2,
        description: 'ptc-autopilot: keep the newest 50 tagged images',
        selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 50 },
        action: { type: 'expire' },
      },
    ],
  });
  const policyText = ecrMock.commandCalls(SetRepositoryPolicyCommand, { repositoryName })[0]!.args[0].input.policyText!;
  // Pull only: nothing imports into a copy repository, so no ecr:BatchImportUpstreamImage.
  expect(JSON.parse(policyText)).toEqual({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PtcAutopilotCrossAccountPull',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::444455556666:root'] },
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      },
      {
        Sid: 'PtcAutopilotOrganizationPull',
        Effect: 'Allow',
        Principal: '*',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5'] } },
      },
    ],
  });
  expect(ecrMock).toHaveReceivedCommandWith(PutImageScanningConfigurationCommand, {
    repositoryName,
    imageScanningConfiguration: { scanOnPush: true },
  });
  const tags = ecrMock.commandCalls(TagResourceCommand, { resourceArn: arn(repositoryName) })[0]!.args[0].input.tags!;
  expect(Object.fromEntries(tags.map((t) => [t.Key, t.Value]))).toMatchObject({ team: 'platform', 'ptc-autopilot:managed': 'true' });
  expect(ecrMock).not.toHaveReceivedCommandWith(PutImageTagMutabilityCommand, { repositoryName });
}

describe("the reconciler's payload carries the copy prefixes, and only them", () => {
  test('copies travel as { prefix } (no images, no upstream), and read back as they were written', () => {
    expect(reconcilerPayload(config, { account: ACCOUNT, region: REGION }).copies).toEqual([{ prefix: 'gcr' }]);
    expect(payload.copies).toEqual([{ prefix: 'gcr' }]);
    expect(reconcilerPayload(reconcilerTestConfig(), { account: ACCOUNT, region: REGION })).not.toHaveProperty('copies');
  });

  test('a malformed copy prefix in the variable is one line naming the field', () => {
    const raw = { ...JSON.parse(JSON.stringify(payload)), copies: [{ prefix: 'GCR/' }] };
    expect(() => readReconcilerPayload(raw)).toThrow(ConfigError);
    expect(() => readReconcilerPayload(raw)).toThrow(/^config error at copies\[0\]\.prefix: /);
  });
});

describe("a push into a copy repository (AWS's documented ECR Image Action sample)", () => {
  const push = (repositoryName: string) => {
    const event = fixture('ecr-image-action-push');
    event.detail['repository-name'] = repositoryName;
    return event;
  };

  test('is a repository trigger under the copy prefix; a name that only starts like it is dropped', () => {
    expect(parseTrigger(push('gcr/distroless/static'), payload)).toEqual({
      kind: 'repository',
      repositoryName: 'gcr/distroless/static',
      prefix: 'gcr',
      source: 'image-push',
    });
    expect(parseTrigger(push('gcrx/distroless/static'), payload)).toMatchObject({ kind: 'drop' });
    expect(parseTrigger(push('gcr/distroless/static'), reconcilerTestConfig())).toMatchObject({ kind: 'drop' });
  });

  test('configures the copy repository with the cache settings less the untagged rule, pull-only grants', async () => {
    ecrMock.on(DescribeRepositoriesCommand, { repositoryNames: ['gcr/distroless/static'] }).resolves({
      repositories: [listed('gcr/distroless/static')],
    });
    const { deps } = testDeps(ecr, events, { config: payload });
    const result = await handleEvent(push('gcr/distroless/static'), deps);
    expect(result).toMatchObject({ status: 'configured', repositoryName: 'gcr/distroless/static' });
    expect(ecrMock).toHaveReceivedCommandWith(DescribeRepositoriesCommand, { repositoryNames: ['gcr/distroless/static'] });
    expectCopyRepositoryConfigured('gcr/distroless/static');
  });
});

describe('the sweep', () => {
  test('reconciles copy repositories beside cache repositories, and nothing outside the managed prefixes', async () => {
    ecrMock.on(DescribeRepositoriesCommand, { maxResults: 1000, nextToken: undefined }).resolves({
      repositories: [listed('gcr/distroless/static'), listed('gcrx/other'), listed('team-a/service'), listed('k8s/pause')],
    });
    const { deps } = testDeps(ecr, events, { config: payload });
    const report = await sweep(deps, { concurrency: 2, sleep: async () => {} });
    expect(report).toMatchObject({ listed: 4, managed: 2, configured: 2, failedCount: 0 });
    expectCopyRepositoryConfigured('gcr/distroless/static');
    // The cache repository keeps its own settings: the untagged rule and the import action.
    const cacheLifecycle = ecrMock.commandCalls(PutLifecyclePolicyCommand, { repositoryName: 'k8s/pause' })[0]!.args[0].input;
    expect(
      JSON.parse(cacheLifecycle.lifecyclePolicyText!).rules.map((r: { selection: { tagStatus: string } }) => r.selection.tagStatus),
    ).toEqual(['untagged', 'tagged']);
    const cachePolicy = ecrMock.commandCalls(SetRepositoryPolicyCommand, { repositoryName: 'k8s/pause' })[0]!.args[0].input.policyText!;
    expect(cachePolicy).toContain('ecr:BatchImportUpstreamImage');
    for (const name of ['gcrx/other', 'team-a/service']) {
      expect(ecrMock).not.toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: arn(name) });
      expect(ecrMock).not.toHaveReceivedCommandWith(PutLifecyclePolicyCommand, { repositoryName: name });
    }
  });

  test('without the copies in its config, the same listing leaves the copy repository alone', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves({ repositories: [listed('gcr/distroless/static')] });
    const { deps } = testDeps(ecr, events, { config: reconcilerTestConfig() });
    const report = await sweep(deps, { concurrency: 2, sleep: async () => {} });
    expect(report).toMatchObject({ listed: 1, managed: 0 });
    expect(ecrMock).not.toHaveReceivedCommand(PutLifecyclePolicyCommand);
  });
});
