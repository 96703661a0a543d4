import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import {
  canonicalJson,
  effectiveSettings,
  lifecyclePolicy,
  MANAGED_TAG_KEY,
  OWNED_TAGS_TAG_KEY,
  pullStatements,
  tagKeyFingerprint,
} from '../../core';
import { handleEvent } from '../../functions/reconcile-repository/run';
import { arnOf, FakeRegistry, freshFakeEcr } from './fake-registry';
import { fixture, reconcilerTestConfig, testDeps } from './helpers';

const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);
const ecr = new ECRClient({ region: 'eu-west-2' });
const events = new EventBridgeClient({ region: 'eu-west-2' });
const config = reconcilerTestConfig();
let registry: FakeRegistry;

/** Every ECR command received, in order, as [name, input]. */
const ecrCalls = () => ecrMock.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);

beforeEach(() => {
  registry = freshFakeEcr(ecrMock, eventsMock, '11710aed-b79e-4468-a20b-bb3c0c3b4860');
});

const withRepositoryName = (event: Record<string, any>, name: string) => {
  const copy = structuredClone(event);
  if (copy.detail.requestParameters != null) {
    copy.detail.requestParameters.repositoryName = name;
    copy.detail.responseElements.repository.repositoryName = name;
  } else {
    copy.detail['repository-name'] = name;
  }
  return copy;
};

const expectedTags = (team = 'platform') => [
  { Key: 'team', Value: team },
  { Key: MANAGED_TAG_KEY, Value: 'true' },
  { Key: OWNED_TAGS_TAG_KEY, Value: tagKeyFingerprint('team') },
];

describe('ECR Pull Through Cache Action (documented event, docker-hub/alpine)', () => {
  test('configures a new cache repository with exactly these reads and writes, then announces it', async () => {
    registry.add('docker-hub/alpine');
    const { deps, metrics } = testDeps(ecr, events);
    const result = await handleEvent(fixture('ecr-pull-through-cache-action'), deps);

    const settings = effectiveSettings(config, 'docker-hub');
    const name = 'docker-hub/alpine';
    const arn = arnOf(name);
    expect(ecrCalls()).toEqual([
      ['DescribeRepositoriesCommand', { repositoryNames: [name] }],
      ['ListTagsForResourceCommand', { resourceArn: arn }],
      ['GetLifecyclePolicyCommand', { repositoryName: name }],
      ['GetRepositoryPolicyCommand', { repositoryName: name }],
      ['PutLifecyclePolicyCommand', { repositoryName: name, lifecyclePolicyText: canonicalJson(lifecyclePolicy(settings.lifecycle)) }],
      ['GetRepositoryPolicyCommand', { repositoryName: name }],
      [
        'SetRepositoryPolicyCommand',
        { repositoryName: name, policyText: JSON.stringify({ Version: '2012-10-17', Statement: pullStatements(settings) }) },
      ],
      ['GetRepositoryPolicyCommand', { repositoryName: name }],
      ['PutImageScanningConfigurationCommand', { repositoryName: name, imageScanningConfiguration: { scanOnPush: true } }],
      ['TagResourceCommand', { resourceArn: arn, tags: expectedTags() }],
    ]);
    expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventsMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'ptc-autopilot',
          DetailType: 'Cache Repository Configured',
          Resources: [arn],
          Detail: JSON.stringify({
            repository: name,
            repositoryName: name,
            prefix: 'docker-hub',
            changes: [
              { setting: 'lifecyclePolicy', action: 'put' },
              { setting: 'repositoryPolicy', action: 'set' },
              { setting: 'scanOnPush', action: 'set', value: true },
              { setting: 'tags', action: 'tag', keys: [MANAGED_TAG_KEY, OWNED_TAGS_TAG_KEY, 'team'].sort() },
            ],
          }),
        },
      ],
    });
    expect(result).toEqual({ status: 'configured', repositoryName: name, writes: 4 });
    expect(metrics).toEqual({
      ReposConfigured: 1,
      ReposCompliant: 0,
      ChangesApplied: 4,
      EventsDropped: 0,
      Failures: 0,
      SettingsRefused: 0,
    });
  });

  test('a compliant repository costs four reads, no write and no event', async () => {
    registry.add('docker-hub/alpine');
    await handleEvent(fixture('ecr-pull-through-cache-action'), testDeps(ecr, events).deps);
    ecrMock.resetHistory();
    eventsMock.resetHistory();

    const { deps, metrics } = testDeps(ecr, events);
    expect(await handleEvent(fixture('ecr-pull-through-cache-action'), deps)).toEqual({
      status: 'compliant',
      repositoryName: 'docker-hub/alpine',
      writes: 0,
    });
    expect(ecrCalls().map(([name]) => name)).toEqual([
      'DescribeRepositoriesCommand',
      'ListTagsForResourceCommand',
      'GetLifecyclePolicyCommand',
      'GetRepositoryPolicyCommand',
    ]);
    expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    expect(metrics.ReposCompliant).toBe(1);
  });
});

describe('CloudTrail CreateRepository (documented record, in a k8s repository)', () => {
  test('applies the k8s override (20 tagged images kept, immutable tags) with exactly these reads and writes', async () => {
    registry.add('k8s/pause');
    const { deps, metrics } = testDeps(ecr, events);
    const result = await handleEvent(withRepositoryName(fixture('cloudtrail-ecr-create-repository'), 'k8s/pause'), deps);

    const k8s = effectiveSettings(config, 'k8s');
    expect(k8s.lifecycle.keepLastTagged).toBe(20);
    const name = 'k8s/pause';
    const arn = arnOf(name);
    expect(ecrCalls()).toEqual([
      ['DescribeRepositoriesCommand', { repositoryNames: [name] }],
      ['ListTagsForResourceCommand', { resourceArn: arn }],
      ['GetLifecyclePolicyCommand', { repositoryName: name }],
      ['GetRepositoryPolicyCommand', { repositoryName: name }],
      ['PutLifecyclePolicyCommand', { repositoryName: name, lifecyclePolicyText: canonicalJson(lifecyclePolicy(k8s.lifecycle)) }],
      ['GetRepositoryPolicyCommand', { repositoryName: name }],
      [
        'SetRepositoryPolicyCommand',
        { repositoryName: name, policyText: JSON.stringify({ Version: '2012-10-17', Statement: pullStatements(k8s) }) },
      ],
      ['GetRepositoryPolicyCommand', { repositoryName: name }],
      ['PutImageScanningConfigurationCommand', { repositoryName: name, imageScanningConfiguration: { scanOnPush: true } }],
      ['PutImageTagMutabilityCommand', { repositoryName: name, imageTagMutability: 'IMMUTABLE' }],
      ['TagResourceCommand', { resourceArn: arn, tags: expectedTags() }],
    ]);
    expect(
      JSON.parse(ecrMock.commandCalls(PutLifecyclePolicyCommand)[0]!.args[0].input.lifecyclePolicyText!).rules[1].selection.countNumber,
    ).toBe(20);
    expect(eventsMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'ptc-autopilot',
          DetailType: 'Cache Repository Configured',
          Resources: [arn],
          Detail: JSON.stringify({
            repository: name,
            repositoryName: name,
            prefix: 'k8s',
            changes: [
              { setting: 'lifecyclePolicy', action: 'put' },
              { setting: 'repositoryPolicy', action: 'set' },
              { setting: 'scanOnPush', action: 'set', value: true },
              { setting: 'imageTagMutability', action: 'set', value: 'IMMUTABLE' },
              { setting: 'tags', action: 'tag', keys: [MANAGED_TAG_KEY, OWNED_TAGS_TAG_KEY, 'team'].sort() },
            ],
          }),
        },
      ],
    });
    expect(result).toEqual({ status: 'configured', repositoryName: name, writes: 5 });
    expect(metrics).toEqual({
      ReposConfigured: 1,
      ReposCompliant: 0,
      ChangesApplied: 5,
      EventsDropped: 0,
      Failures: 0,
      SettingsRefused: 0,
    });
    expect(registry.get(name)).toMatchObject({ imageTagMutability: 'IMMUTABLE', scanOnPush: true });
  });

  test('takes the name from responseElements when requestParameters lacks it', async () => {
    registry.add('k8s/pause');
    const event = withRepositoryName(fixture('cloudtrail-ecr-create-repository'), 'k8s/pause');
    delete event.detail.requestParameters.repositoryName;
    const { deps } = testDeps(ecr, events);
    expect(await handleEvent(event, deps)).toMatchObject({ status: 'configured', repositoryName: 'k8s/pause' });
    expect(ecrMock).toHaveReceivedNthCommandWith(1, DescribeRepositoriesCommand, { repositoryNames: ['k8s/pause'] });
  });

  test('the documented record itself (repository "testrepo") is outside the managed prefixes: dropped without an ECR call', async () => {
    const { deps, log, metrics } = testDeps(ecr, events);
    expect(await handleEvent(fixture('cloudtrail-ecr-create-repository'), deps)).toEqual({
      status: 'dropped',
      reason: 'repository "testrepo" is not under a managed prefix',
    });
    expect(ecrMock.calls()).toHaveLength(0);
    expect(metrics.EventsDropped).toBe(1);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'event dropped',
      attributes: { reason: 'repository "testrepo" is not under a managed prefix', repositoryName: 'testrepo' },
    });
  });
});

describe('ECR Image Action PUSH (documented event, in an ecr repository)', () => {
  test('configures the pushed repository with exactly these reads and writes (scan on push already on: no write for it)', async () => {
    registry.add('ecr/nginx/nginx', { scanOnPush: true });
    const { deps, metrics } = testDeps(ecr, events);
    expect(await handleEvent(withRepositoryName(fixture('ecr-image-action-push'), 'ecr/nginx/nginx'), deps)).toEqual({
      status: 'configured',
      repositoryName: 'ecr/nginx/nginx',
      writes: 3,
    });

    const settings = effectiveSettings(config, 'ecr');
    const name = 'ecr/nginx/nginx';
    const arn = arnOf(name);
    expect(ecrCalls()).toEqual([
      ['DescribeRepositoriesCommand', { repositoryNames: [name] }],
      ['ListTagsForResourceCommand', { resourceArn: arn }],
      ['GetLifecyclePolicyCommand', { repositoryName: name }],
      ['GetRepositoryPolicyCommand', { repositoryName: name }],
      ['PutLifecyclePolicyCommand', { repositoryName: name, lifecyclePolicyText: canonicalJson(lifecyclePolicy(settings.lifecycle)) }],
      ['GetRepositoryPolicyCommand', { repositoryName: name }],
      [
        'SetRepositoryPolicyCommand',
        { repositoryName: name, policyText: JSON.stringify({ Version: '2012-10-17', Statement: pullStatements(settings) }) },
      ],
      ['GetRepositoryPolicyCommand', { repositoryName: name }],
      ['TagResourceCommand', { resourceArn: arn, tags: expectedTags() }],
    ]);
    expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(JSON.parse(eventsMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.Detail!)).toMatchObject({
      repository: name,
      repositoryName: name,
      prefix: 'ecr',
    });
    expect(metrics).toMatchObject({ ReposConfigured: 1, ChangesApplied: 3 });
  });

  test('the documented event itself ("my-repository-name") is dropped', async () => {
    const { deps, metrics } = testDeps(ecr, events);
    expect(await handleEvent(fixture('ecr-image-action-push'), deps)).toMatchObject({ status: 'dropped' });
    expect(ecrMock.calls()).toHaveLength(0);
    expect(metrics.EventsDropped).toBe(1);
  });
});

describe('scheduled sweep (documented Scheduled Event)', () => {
  test('lists the registry, reconciles only managed repositories, and reads policies without describing each one again', async () => {
    registry.add('docker-hub/library/nginx');
    registry.add('team-a/service');
    registry.add('k8s/pause');
    const { deps } = testDeps(ecr, events);
    const result = await handleEvent(fixture('scheduled-event'), deps);

    expect(result).toMatchObject({ status: 'swept', continued: false, report: { listed: 3, managed: 2, configured: 2, failedCount: 0 } });
    expect(ecrMock).toHaveReceivedCommandWith(DescribeRepositoriesCommand, { maxResults: 250 });
    expect(ecrMock).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 1);
    expect(ecrMock).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 2);
    expect(ecrMock).not.toHaveReceivedCommandWith(GetLifecyclePolicyCommand, { repositoryName: 'team-a/service' });
    expect(registry.get('team-a/service')).toEqual({ name: 'team-a/service', scanOnPush: false, imageTagMutability: 'MUTABLE', tags: {} });
    expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 2);

    // Repositories are reconciled concurrently, so calls interleave; per repository they are exact.
    const callsFor = (name: string) =>
      ecrCalls().filter(
        ([, input]) =>
          (input as { repositoryName?: string; resourceArn?: string }).repositoryName === name ||
          (input as { resourceArn?: string }).resourceArn === arnOf(name),
      );
    const k8s = effectiveSettings(config, 'k8s');
    expect(callsFor('k8s/pause')).toEqual([
      ['ListTagsForResourceCommand', { resourceArn: arnOf('k8s/pause') }],
      ['GetLifecyclePolicyCommand', { repositoryName: 'k8s/pause' }],
      ['GetRepositoryPolicyCommand', { repositoryName: 'k8s/pause' }],
      ['PutLifecyclePolicyCommand', { repositoryName: 'k8s/pause', lifecyclePolicyText: canonicalJson(lifecyclePolicy(k8s.lifecycle)) }],
      ['GetRepositoryPolicyCommand', { repositoryName: 'k8s/pause' }],
      [
        'SetRepositoryPolicyCommand',
        { repositoryName: 'k8s/pause', policyText: JSON.stringify({ Version: '2012-10-17', Statement: pullStatements(k8s) }) },
      ],
      ['GetRepositoryPolicyCommand', { repositoryName: 'k8s/pause' }],
      ['PutImageScanningConfigurationCommand', { repositoryName: 'k8s/pause', imageScanningConfiguration: { scanOnPush: true } }],
      ['PutImageTagMutabilityCommand', { repositoryName: 'k8s/pause', imageTagMutability: 'IMMUTABLE' }],
      ['TagResourceCommand', { resourceArn: arnOf('k8s/pause'), tags: expectedTags() }],
    ]);
    expect(callsFor('docker-hub/library/nginx').map(([n]) => n)).toEqual([
      'ListTagsForResourceCommand',
      'GetLifecyclePolicyCommand',
      'GetRepositoryPolicyCommand',
      'PutLifecyclePolicyCommand',
      'GetRepositoryPolicyCommand',
      'SetRepositoryPolicyCommand',
      'GetRepositoryPolicyCommand',
      'PutImageScanningConfigurationCommand',
      'TagResourceCommand',
    ]);
    expect(callsFor('team-a/service')).toEqual([]);
  });
});

describe('on-demand invocation', () => {
  test('{"repositoryName": ...} reconciles that repository', async () => {
    registry.add('k8s/coredns/coredns');
    const { deps } = testDeps(ecr, events);
    expect(await handleEvent({ repositoryName: 'k8s/coredns/coredns' }, deps)).toMatchObject({ status: 'configured' });
  });

  test('{"sweep": true} sweeps', async () => {
    const { deps } = testDeps(ecr, events);
    expect(await handleEvent({ sweep: true }, deps)).toMatchObject({ status: 'swept' });
  });
});

describe('what the reconciler leaves alone', () => {
  test('a repository tagged ptc-autopilot:ignore=true costs two reads and nothing else', async () => {
    registry.add('docker-hub/alpine', { tags: { 'ptc-autopilot:ignore': 'true' } });
    const { deps } = testDeps(ecr, events);
    expect(await handleEvent(fixture('ecr-pull-through-cache-action'), deps)).toEqual({
      status: 'ignored',
      repositoryName: 'docker-hub/alpine',
      writes: 0,
    });
    expect(ecrCalls().map(([n]) => n)).toEqual(['DescribeRepositoriesCommand', 'ListTagsForResourceCommand']);
  });

  test('a foreign statement with an ours-looking Sid, a foreign tag and a foreign lifecycle rule are all kept', async () => {
    const foreignStatement = {
      Sid: 'PtcAutopilotSomethingElse',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:root' },
      Action: 'ecr:BatchGetImage',
    };
    const foreignLifecycle = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: 'team rule',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 },
          action: { type: 'expire' },
        },
      ],
    });
    registry.add('docker-hub/alpine', {
      policyText: JSON.stringify({ Version: '2012-10-17', Statement: [foreignStatement] }),
      lifecyclePolicyText: foreignLifecycle,
      tags: { team: 'data', owner: 'alice' },
    });
    const { deps, log } = testDeps(ecr, events);
    await handleEvent(fixture('ecr-pull-through-cache-action'), deps);

    const repo = registry.get('docker-hub/alpine');
    expect(JSON.parse(repo.policyText!).Statement).toEqual([foreignStatement, ...pullStatements(effectiveSettings(config, 'docker-hub'))]);
    expect(repo.lifecyclePolicyText).toBe(foreignLifecycle);
    expect(repo.tags).toMatchObject({ team: 'data', owner: 'alice', [MANAGED_TAG_KEY]: 'true' });
    expect(ecrMock).toHaveReceivedCommandTimes(PutLifecyclePolicyCommand, 0);
    expect(log.lines.find((l) => l.level === 'warn')?.attributes).toEqual({
      repositoryName: 'docker-hub/alpine',
      prefix: 'docker-hub',
      kept: [
        'lifecycle policy kept: 1 of 1 lifecycle rules were not written by ptc-autopilot',
        'tag "team" kept: set by someone else to "data" (desired "platform")',
      ],
    });
  });

  test('never calls GetRepositoryPolicy for an unmanaged invocation', async () => {
    const { deps } = testDeps(ecr, events);
    await handleEvent({ repositoryName: 'team-a/service' }, deps);
    expect(ecrMock).not.toHaveReceivedCommand(GetRepositoryPolicyCommand);
  });
});
