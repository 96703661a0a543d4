import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig } from '../../core';
import { encodePrewarmSettings, SETTINGS_VARIABLE } from '../../core/lambda-contracts/prewarm/settings';
import { fixture } from '../validation/helpers';
import { captureOutput } from '../functions/captured-output';

const ecrMock = mockClient(ECRClient);
const context = {
  functionName: 'PtcAutopilot-PrewarmFunction',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:111122223333:function:PtcAutopilot-PrewarmFunction',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

// No configured images: these tests exercise the handler's wiring, never a registry outside 127.0.0.1.
const config = parseConfig({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] });
Object.assign(process.env, {
  [SETTINGS_VARIABLE]: encodePrewarmSettings(config, { account: '111122223333', region: 'eu-west-2' }),
  POWERTOOLS_SERVICE_NAME: 'prewarm',
  POWERTOOLS_METRICS_NAMESPACE: 'PtcAutopilot',
  AWS_REGION: 'eu-west-2',
});
const { handler } = require('../../functions/prewarm/handler') as typeof import('../../functions/prewarm/handler');

async function invoke(event: unknown): Promise<{ result: unknown; error?: Error; lines: Record<string, any>[] }> {
  const run = await captureOutput(() => handler(event, context));
  return { result: run.result, ...(run.error !== undefined ? { error: run.error as Error } : {}), lines: run.lines };
}

const emf = (lines: Record<string, any>[]) => lines.find((l) => l._aws !== undefined);

beforeEach(() => ecrMock.reset());

describe('prewarm handler', () => {
  test('publishes every prewarm metric, zeros included, under the prewarm service', async () => {
    const { result, lines } = await invoke(fixture('events/scheduled-event.json'));
    expect(result).toEqual({ summary: { images: 0, ok: 0, missing: 0, denied: 0, failed: 0 }, problems: [] });
    const metrics = emf(lines)!;
    expect(metrics._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'PtcAutopilot', Dimensions: [['service']] });
    expect(metrics).toMatchObject({ service: 'prewarm', ImagesOk: 0, ImagesMissing: 0, ImagesDenied: 0, ImagesFailed: 0, Failures: 0 });
  });

  test('drops a malformed on-demand request with its reason instead of failing (a retry would not help)', async () => {
    const { result, error, lines } = await invoke({ images: [42] });
    expect(error).toBeUndefined();
    expect(result).toEqual({ rejected: '"images" must be a non-empty list of image references, such as {"images": ["nginx:1.27"]}' });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'prewarm request rejected' }));
  });

  test('fails the invocation when ECR will not give a login, so Lambda retries it', async () => {
    ecrMock.on(GetAuthorizationTokenCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const { error } = await invoke({ images: ['registry.k8s.io/pause:3.9'] });
    expect(error?.message).toBe('GetAuthorizationToken failed: AccessDeniedException: User is not authorized');
  });
});
