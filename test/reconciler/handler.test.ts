import { ECRClient, ECRServiceException, ListTagsForResourceCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CONFIG_VARIABLE, encodeConfig, PARTITION_VARIABLE } from '../../core/lambda-contracts/reconcile-repository/settings';
import { FakeRegistry, installEcrMock } from './fake-registry';
import { fixture, reconcilerTestConfig } from './helpers';
import { captureOutput } from '../functions/captured-output';

const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);

const context = {
  functionName: 'PtcAutopilot-ReconcilerFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:111122223333:function:PtcAutopilot-ReconcilerFunction',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/PtcAutopilot-ReconcilerFunction',
  logStreamName: '2024/01/01/[$LATEST]abcdef',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

// The environment the construct gives the function, set before handler.ts is first loaded.
Object.assign(process.env, {
  [CONFIG_VARIABLE]: encodeConfig(reconcilerTestConfig(), { account: '111122223333', region: 'eu-west-2' }),
  [PARTITION_VARIABLE]: 'aws',
  POWERTOOLS_SERVICE_NAME: 'reconcile-repository',
  POWERTOOLS_METRICS_NAMESPACE: 'PtcAutopilot',
  AWS_REGION: 'eu-west-2',
});
const { handler } =
  require('../../functions/reconcile-repository/handler') as typeof import('../../functions/reconcile-repository/handler');

/** Invokes the handler and returns what it printed on stdout and stderr as JSON lines (logs and EMF). */
async function invoke(event: unknown): Promise<{ result: unknown; error?: unknown; lines: Record<string, any>[] }> {
  const run = await captureOutput(() => handler(event, context));
  return { result: run.result, error: run.error, lines: run.lines };
}

beforeEach(() => {
  ecrMock.reset();
  eventsMock.reset();
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

test('handler.ts reads its settings from the environment, logs with repositoryName and prefix, and publishes the five EMF metrics once', async () => {
  const registry = new FakeRegistry();
  registry.add('docker-hub/alpine');
  installEcrMock(ecrMock, registry);
  const { result, lines } = await invoke(fixture('ecr-pull-through-cache-action'));

  expect(result).toEqual({ status: 'configured', repositoryName: 'docker-hub/alpine', writes: 4 });
  const configured = lines.find((l) => l.message === 'repository configured');
  expect(configured).toMatchObject({
    level: 'INFO',
    service: 'reconcile-repository',
    repositoryName: 'docker-hub/alpine',
    prefix: 'docker-hub',
    function_request_id: context.awsRequestId,
  });
  const emf = lines.filter((l) => l._aws !== undefined);
  expect(emf).toHaveLength(1);
  expect(emf[0]!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'PtcAutopilot', Dimensions: [['service']] });
  expect(emf[0]!._aws.CloudWatchMetrics[0].Metrics).toEqual(
    ['ReposConfigured', 'ReposCompliant', 'ChangesApplied', 'EventsDropped', 'Failures', 'SettingsRefused'].map((Name) => ({
      Name,
      Unit: 'Count',
    })),
  );
  expect(emf[0]).toMatchObject({
    service: 'reconcile-repository',
    ReposConfigured: 1,
    ReposCompliant: 0,
    ChangesApplied: 4,
    EventsDropped: 0,
    Failures: 0,
  });
});

test('a dropped event is counted in the EMF line and the invocation succeeds', async () => {
  installEcrMock(ecrMock, new FakeRegistry());
  const { result, lines } = await invoke({ 'detail-type': 'ECR Image Action', source: 'aws.ecr' });
  expect(result).toEqual({ status: 'dropped', reason: '"ECR Image Action" event has no detail object' });
  expect(lines.find((l) => l._aws !== undefined)).toMatchObject({ EventsDropped: 1 });
});

test('a failure is thrown for Lambda to retry, and the EMF line still goes out with Failures counted', async () => {
  const registry = new FakeRegistry();
  registry.add('docker-hub/alpine');
  installEcrMock(ecrMock, registry);
  ecrMock
    .on(ListTagsForResourceCommand)
    .rejects(
      new ECRServiceException({ name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'internal error' }),
    );
  const { error, lines } = await invoke(fixture('ecr-pull-through-cache-action'));

  expect(error).toMatchObject({ name: 'ServerException', message: 'internal error' });
  expect(lines.find((l) => l.level === 'ERROR')).toMatchObject({
    message: 'repository not reconciled; Lambda will retry the event',
    repositoryName: 'docker-hub/alpine',
    prefix: 'docker-hub',
    error: 'ServerException',
  });
  const emf = lines.filter((l) => l._aws !== undefined);
  expect(emf).toHaveLength(1);
  expect(emf[0]).toMatchObject({ ReposConfigured: 0, ReposCompliant: 0, ChangesApplied: 0, EventsDropped: 0, Failures: 1 });
});
