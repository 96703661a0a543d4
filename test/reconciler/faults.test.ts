import {
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { effectiveSettings, OWNED_SIDS, pullStatements, UnreadablePolicyError } from '../../core';
import { SweepIncompleteError } from '../../engines/reconcile/errors';
import { handleEvent } from '../../functions/reconcile-repository/run';
import { arnOf, FakeRegistry, freshFakeEcr, REGION } from './fake-registry';
import { fixture, reconcilerTestConfig, testDeps } from './helpers';

const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);
const ecr = new ECRClient({ region: REGION });
const events = new EventBridgeClient({ region: REGION });
let registry: FakeRegistry;

const serviceError = (name: string, status: number) =>
  new ECRServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} from ECR`,
  });
const throttling = () => serviceError('ThrottlingException', 400);
const pullThroughCache = (name: string) => ({
  ...fixture('ecr-pull-through-cache-action'),
  detail: { ...fixture('ecr-pull-through-cache-action').detail, 'repository-name': name },
});

beforeEach(() => {
  registry = freshFakeEcr(ecrMock, eventsMock);
});

describe('throttling', () => {
  test('an event whose reads stay throttled after the SDK retries is thrown for Lambda to retry, and the retry succeeds', async () => {
    registry.add('docker-hub/alpine');
    ecrMock
      .on(GetLifecyclePolicyCommand)
      .rejectsOnce(throttling())
      .callsFake((input) => registry.handle('GetLifecyclePolicy', input));
    const first = testDeps(ecr, events);
    await expect(handleEvent(fixture('ecr-pull-through-cache-action'), first.deps)).rejects.toThrow('ThrottlingException from ECR');
    expect(first.metrics.Failures).toBe(1);
    expect(first.log.lines.find((l) => l.level === 'error')).toMatchObject({
      message: 'repository not reconciled; Lambda will retry the event',
      attributes: { repositoryName: 'docker-hub/alpine', prefix: 'docker-hub', error: 'ThrottlingException' },
    });
    expect(registry.get('docker-hub/alpine').lifecyclePolicyText).toBeUndefined();

    const retry = testDeps(ecr, events);
    expect(await handleEvent(fixture('ecr-pull-through-cache-action'), retry.deps)).toMatchObject({ status: 'configured' });
    expect(retry.metrics.Failures).toBe(0);
  });

  test('a sweep tries a throttled repository again after the rest of the page: none is lost', async () => {
    for (const n of ['a', 'b', 'c']) registry.add(`k8s/${n}`);
    ecrMock
      .on(ListTagsForResourceCommand, { resourceArn: arnOf('k8s/b') })
      .rejectsOnce(throttling())
      .rejectsOnce(serviceError('ServerException', 500))
      .callsFake((input) => registry.handle('ListTagsForResource', input));
    const { deps, metrics, log } = testDeps(ecr, events);
    const result = await handleEvent({ sweep: true }, deps);
    expect(result).toMatchObject({ status: 'swept', report: { managed: 3, configured: 3, failedCount: 0 } });
    expect(metrics.Failures).toBe(0);
    expect(log.lines.filter((l) => l.message === 'retrying repositories after transient errors').map((l) => l.attributes)).toEqual([
      { count: 1, round: 1 },
      { count: 1, round: 2 },
    ]);
    expect(registry.get('k8s/b').tags['ptc-autopilot:managed']).toBe('true');
  });

  test('a 5xx that outlasts the retries of an event is thrown', async () => {
    registry.add('docker-hub/alpine');
    ecrMock.on(SetRepositoryPolicyCommand).rejects(serviceError('ServerException', 500));
    const { deps, metrics } = testDeps(ecr, events);
    await expect(handleEvent(fixture('ecr-pull-through-cache-action'), deps)).rejects.toThrow('ServerException from ECR');
    expect(metrics.Failures).toBe(1);
  });
});

describe('repository not found', () => {
  test('a repository deleted before the event is handled is logged and not retried', async () => {
    const { deps, log, metrics } = testDeps(ecr, events);
    expect(await handleEvent(fixture('ecr-pull-through-cache-action'), deps)).toEqual({
      status: 'not-found',
      repositoryName: 'docker-hub/alpine',
      writes: 0,
    });
    expect(ecrMock).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 1);
    expect(ecrMock).not.toHaveReceivedCommand(ListTagsForResourceCommand);
    expect(log.lines).toContainEqual({
      level: 'info',
      message: 'repository not found; nothing to do',
      attributes: { repositoryName: 'docker-hub/alpine', prefix: 'docker-hub' },
    });
    expect(metrics.Failures).toBe(0);
  });

  test('a repository deleted in the middle of a reconcile ends the same way', async () => {
    registry.add('docker-hub/alpine');
    ecrMock
      .on(GetRepositoryPolicyCommand)
      .rejects(new RepositoryNotFoundException({ message: 'gone', $metadata: { httpStatusCode: 400 } }));
    const { deps, log } = testDeps(ecr, events);
    expect(await handleEvent(fixture('ecr-pull-through-cache-action'), deps)).toMatchObject({ status: 'not-found' });
    expect(log.lines.map((l) => l.message)).toContain('repository deleted while being reconciled; not retried');
  });
});

describe('malformed and irrelevant events are logged, counted and dropped', () => {
  const cases: [string, unknown, string][] = [
    ['null', null, 'event is null, not an object'],
    ['an array', [], 'event is an array, not an object'],
    ['a string', 'docker-hub/alpine', 'event is string, not an object'],
    [
      'an unknown invocation',
      { hello: 'world' },
      'not an event the reconciler handles (expected an ECR or scheduled event, {"sweep": true} or {"repositoryName": "..."})',
    ],
    ['no detail', { 'detail-type': 'ECR Image Action', source: 'aws.ecr' }, '"ECR Image Action" event has no detail object'],
    ['a non-string detail-type', { 'detail-type': 7, source: 'aws.ecr', detail: {} }, 'detail-type is not a string'],
    [
      'no repository name',
      { ...fixture('ecr-pull-through-cache-action'), detail: { 'sync-status': 'SUCCESS' } },
      'detail.repository-name is missing or not a string',
    ],
    [
      'an invalid repository name',
      pullThroughCache('Docker-Hub/Alpine'),
      'detail.repository-name "Docker-Hub/Alpine" is not an ECR repository name',
    ],
    [
      'a failed CreateRepository',
      {
        ...fixture('cloudtrail-ecr-create-repository'),
        detail: { ...fixture('cloudtrail-ecr-create-repository').detail, errorCode: 'RepositoryAlreadyExistsException' },
      },
      'CreateRepository failed (RepositoryAlreadyExistsException); nothing was created',
    ],
    [
      'another CloudTrail call',
      {
        ...fixture('cloudtrail-ecr-create-repository'),
        detail: { ...fixture('cloudtrail-ecr-create-repository').detail, eventName: 'DeleteRepository' },
      },
      'CloudTrail event ecr.amazonaws.com DeleteRepository is not ECR CreateRepository',
    ],
    [
      'an image deletion',
      { ...fixture('ecr-image-action-push'), detail: { ...fixture('ecr-image-action-push').detail, 'action-type': 'DELETE' } },
      'ECR Image Action DELETE/SUCCESS is not a successful push',
    ],
    [
      'another ECR event',
      { ...fixture('ecr-image-action-push'), 'detail-type': 'ECR Image Scan' },
      'ECR event "ECR Image Scan" is not handled',
    ],
    [
      'another source',
      { ...fixture('ecr-image-action-push'), source: 'aws.s3' },
      'event from source "aws.s3" (ECR Image Action) is not handled',
    ],
    [
      'a continuation without token',
      { source: 'ptc-autopilot', 'detail-type': 'Cache Repository Sweep Continued', detail: {} },
      'sweep continuation without detail.nextToken',
    ],
    [
      'a continuation with bad retry names',
      { source: 'ptc-autopilot', 'detail-type': 'Cache Repository Sweep Continued', detail: { nextToken: 'x', retry: ['../etc'] } },
      'sweep continuation detail.retry is not a list of repository names',
    ],
    ['an unmanaged repository', pullThroughCache('team-a/service'), 'repository "team-a/service" is not under a managed prefix'],
  ];

  test.each(cases)('%s', async (_what, event, reason) => {
    const { deps, metrics, log } = testDeps(ecr, events);
    expect(await handleEvent(event, deps)).toEqual({ status: 'dropped', reason });
    expect(metrics).toMatchObject({ EventsDropped: 1, Failures: 0 });
    expect(log.lines[0]).toMatchObject({ level: 'warn', message: 'event dropped', attributes: { reason } });
    expect(ecrMock.calls()).toHaveLength(0);
  });
});

describe('a foreign statement shaped like ours (Sid with our prefix, but not one of our Sids)', () => {
  const ours = pullStatements(effectiveSettings(reconcilerTestConfig(), 'docker-hub'));
  const lookalike = {
    Sid: `${OWNED_SIDS.crossAccountPull}Legacy`,
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::999999999999:root' },
    Action: ['ecr:BatchGetImage', 'ecr:PutImage'],
  };
  const theirs = { Sid: 'TeamDenyDelete', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' };

  test('is kept verbatim and in place while our drifted statement is repaired, with exactly one SetRepositoryPolicy', async () => {
    const drifted = { ...ours[0]!, Action: 'ecr:*' };
    registry.add('docker-hub/alpine', {
      policyText: JSON.stringify({ Version: '2012-10-17', Id: 'team', Statement: [lookalike, drifted, theirs] }),
    });
    const { deps } = testDeps(ecr, events);
    await handleEvent(fixture('ecr-pull-through-cache-action'), deps);

    expect(ecrMock).toHaveReceivedCommandTimes(SetRepositoryPolicyCommand, 1);
    expect(ecrMock).toHaveReceivedCommandWith(SetRepositoryPolicyCommand, {
      repositoryName: 'docker-hub/alpine',
      policyText: JSON.stringify({ Version: '2012-10-17', Id: 'team', Statement: [lookalike, ours[0], theirs, ours[1]] }),
    });
  });

  test('the next event finds the repository compliant: reads only, the lookalike untouched', async () => {
    registry.add('docker-hub/alpine', { policyText: JSON.stringify({ Version: '2012-10-17', Statement: [lookalike] }) });
    await handleEvent(fixture('ecr-pull-through-cache-action'), testDeps(ecr, events).deps);
    const after = registry.get('docker-hub/alpine').policyText;
    ecrMock.resetHistory();

    const { deps, metrics } = testDeps(ecr, events);
    expect(await handleEvent(fixture('ecr-pull-through-cache-action'), deps)).toEqual({
      status: 'compliant',
      repositoryName: 'docker-hub/alpine',
      writes: 0,
    });
    expect(ecrMock).not.toHaveReceivedCommand(SetRepositoryPolicyCommand);
    expect(ecrMock).not.toHaveReceivedCommand(PutLifecyclePolicyCommand);
    expect(ecrMock).not.toHaveReceivedCommand(TagResourceCommand);
    expect(registry.get('docker-hub/alpine').policyText).toBe(after);
    expect(JSON.parse(after!).Statement[0]).toEqual(lookalike);
    expect(metrics).toMatchObject({ ReposCompliant: 1, ChangesApplied: 0 });
  });
});

describe('an existing policy that is not readable', () => {
  test('nothing is written, and the error names the policy so the event ends in the DLQ', async () => {
    registry.add('docker-hub/alpine', { policyText: '{"Version": "2012-10-17", "Statement": [' });
    const { deps, metrics, log } = testDeps(ecr, events);
    const error = await handleEvent(fixture('ecr-pull-through-cache-action'), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadablePolicyError);
    expect((error as Error).message).toMatch(/^the existing repository policy cannot be read \(not JSON: .+\); left untouched$/);
    expect(registry.totals().writes).toBe(0);
    expect(metrics.Failures).toBe(1);
    expect(log.lines.find((l) => l.level === 'error')?.attributes).toMatchObject({
      repositoryName: 'docker-hub/alpine',
      prefix: 'docker-hub',
      error: 'UnreadablePolicyError',
    });
  });
});

describe('partial failures', () => {
  test('a repository the sweep cannot reconcile does not stop the others; the sweep then throws for the DLQ', async () => {
    for (const n of ['a', 'b', 'c']) registry.add(`k8s/${n}`);
    ecrMock.on(ListTagsForResourceCommand, { resourceArn: arnOf('k8s/b') }).rejects(serviceError('AccessDeniedException', 400));
    const { deps, metrics } = testDeps(ecr, events);
    const error = await handleEvent({ sweep: true }, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SweepIncompleteError);
    expect((error as Error).message).toBe('sweep could not reconcile 1 repositories (k8s/b); see the log');
    expect(metrics).toMatchObject({ ReposConfigured: 2, Failures: 1 });
  });

  test('an event EventBridge refuses is logged and counted; the configured repository is not redone', async () => {
    registry.add('docker-hub/alpine');
    eventsMock
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    const { deps, metrics, log } = testDeps(ecr, events);
    expect(await handleEvent(fixture('ecr-pull-through-cache-action'), deps)).toMatchObject({ status: 'configured' });
    expect(metrics).toMatchObject({ ReposConfigured: 1, Failures: 1 });
    expect(log.lines.find((l) => l.level === 'error')?.attributes).toMatchObject({
      error: 'EventNotPublishedError',
      reason: 'could not put the "Cache Repository Configured" event: InternalFailure: try again',
    });
  });
});

describe('long sweeps continue in a new invocation', () => {
  test('a sweep out of time puts a continuation, and the chain reaches every repository exactly once', async () => {
    for (let i = 0; i < 5; i++) registry.add(`docker-hub/image-${i}`);
    const { deps } = testDeps(ecr, events, { pageSize: 2, remainingTimeMs: () => 60_000 });
    let event: unknown = fixture('scheduled-event');
    const invocations: unknown[] = [];
    for (let i = 0; i < 10 && event !== undefined; i++) {
      eventsMock.resetHistory();
      const result = await handleEvent(event, deps);
      invocations.push(result);
      const continuation = eventsMock
        .commandCalls(PutEventsCommand)
        .map((c) => c.args[0].input.Entries![0]!)
        .find((e) => e.DetailType === 'Cache Repository Sweep Continued');
      event = continuation && {
        version: '0',
        id: 'c',
        'detail-type': continuation.DetailType,
        source: continuation.Source,
        account: '111122223333',
        time: '2024-01-01T00:00:00Z',
        region: REGION,
        resources: [],
        detail: JSON.parse(continuation.Detail!),
      };
    }
    expect(invocations.map((r) => (r as { continued: boolean }).continued)).toEqual([true, true, false]);
    expect(ecrMock.commandCalls(DescribeRepositoriesCommand).map((c) => c.args[0].input)).toEqual([
      { maxResults: 2, nextToken: undefined },
      { maxResults: 2, nextToken: '2' },
      { maxResults: 2, nextToken: '4' },
    ]);
    expect(registry.calls.get('TagResource')).toBe(5);
  });

  test('repositories a middle invocation could not reconcile travel with the continuation and are tried first', async () => {
    registry.add('docker-hub/late');
    const { deps } = testDeps(ecr, events);
    const continuation = {
      source: 'ptc-autopilot',
      'detail-type': 'Cache Repository Sweep Continued',
      detail: { nextToken: '1', retry: ['docker-hub/late'] },
    };
    expect(await handleEvent(continuation, deps)).toMatchObject({ status: 'swept', report: { configured: 1, listed: 0 } });
    expect(ecrMock).toHaveReceivedNthCommandWith(1, DescribeRepositoriesCommand, { repositoryNames: ['docker-hub/late'] });
  });
});
