/**
 * The copy-images handler as Lambda runs it: settings from its environment variable, Powertools
 * logs and EMF metrics on stdout (namespace PtcAutopilot, service copy-images, per prefix and in
 * total), a malformed payload dropped with its reason. Its upstream is a loopback port nothing
 * listens on and the invocation has no time left, so no image is started.
 */
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig } from '../../core';
import { COPY_SETTINGS_VARIABLE, encodeCopySettings } from '../../core/lambda-contracts/copy-images/settings';
import { captureOutput } from '../functions/captured-output';
import { copyFixture } from './helpers';

const ecrMock = mockClient(ECRClient);
const where = { account: '111122223333', region: 'eu-west-2' };
const config = parseConfig({
  ...where,
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  copies: [{ prefix: 'up', upstream: '127.0.0.1:9', images: ['127.0.0.1:9/team/app:v1'] }],
});
Object.assign(process.env, {
  [COPY_SETTINGS_VARIABLE]: encodeCopySettings(config, where),
  POWERTOOLS_SERVICE_NAME: 'copy-images',
  POWERTOOLS_METRICS_NAMESPACE: 'PtcAutopilot',
  AWS_REGION: 'eu-west-2',
});
const { handler } = require('../../functions/copy-images/handler') as typeof import('../../functions/copy-images/handler');

const context = {
  functionName: 'PtcAutopilot-CopyFunction',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:111122223333:function:PtcAutopilot-CopyFunction',
  memoryLimitInMB: '1024',
  getRemainingTimeInMillis: () => 1_000,
} as unknown as Context;

beforeEach(() => {
  ecrMock.reset();
  ecrMock.on(GetAuthorizationTokenCommand).resolves(copyFixture('get-authorization-token.json'));
});

describe('copy-images handler', () => {
  test('publishes every copy metric per prefix and in total, and says what is left for the next run', async () => {
    const run = await captureOutput(() => handler({ prefixes: ['up'] }, context));
    expect(run.result).toEqual({ copied: 0, unchanged: 0, failed: 0, left: 1, bytes: 0 });
    const emf = run.lines.filter((l) => l._aws !== undefined);
    const perPrefix = emf.filter((l) => l.prefix === 'up');
    const total = emf.filter((l) => l.prefix === undefined);
    for (const docs of [perPrefix, total]) {
      const names = docs.flatMap((d) => d._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name));
      expect(names).toEqual(['ImagesCopied', 'ImagesUnchanged', 'ImagesFailed', 'ImagesLeft', 'BytesCopied']);
      for (const d of docs) expect(d._aws.CloudWatchMetrics[0].Namespace).toBe('PtcAutopilot');
    }
    expect(perPrefix[0]!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'prefix']]);
    expect(total[0]!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
    expect(total.find((d) => d.ImagesLeft !== undefined)).toMatchObject({ service: 'copy-images', ImagesLeft: 1 });
    expect(perPrefix.find((d) => d.BytesCopied !== undefined)!._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'BytesCopied', Unit: 'Bytes' },
    ]);
    expect(run.lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'copy run stopped starting images before the timeout; the next scheduled run copies the rest',
      }),
    );
  });

  test('drops a malformed payload with its reason instead of failing (a retry would not help)', async () => {
    const run = await captureOutput(() => handler({ prefixes: ['nope'] }, context));
    expect(run.failed).toBe(false);
    expect(run.result).toEqual({ rejected: 'no copies entry has prefix "nope"; redeploy, or name a configured prefix' });
    expect(run.lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'copy request rejected' }));
  });
});
