import { DescribePullThroughCacheRulesCommand, ECRClient, ValidatePullThroughCacheRuleCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { encodeRules, RULES_VARIABLE } from '../../core/lambda-contracts/validate-rules/settings';
import { fixture, validationConfig } from './helpers';
import { captureOutput } from '../functions/captured-output';

const ecrMock = mockClient(ECRClient);
const secretsMock = mockClient(SecretsManagerClient);
const eventsMock = mockClient(EventBridgeClient);

const context = {
  functionName: 'PtcAutopilot-ValidationFunction',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:111122223333:function:PtcAutopilot-ValidationFunction',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 300_000,
} as unknown as Context;

// The environment the construct gives the function, set before handler.ts is first loaded.
Object.assign(process.env, {
  [RULES_VARIABLE]: encodeRules(validationConfig().rules, { account: '111122223333', region: 'eu-west-2' }),
  POWERTOOLS_SERVICE_NAME: 'validate-rules',
  POWERTOOLS_METRICS_NAMESPACE: 'PtcAutopilot',
  AWS_REGION: 'eu-west-2',
});
const { handler } = require('../../functions/validate-rules/handler') as typeof import('../../functions/validate-rules/handler');

/** Invokes the handler and returns the JSON lines it printed (logs and EMF). */
async function invoke(event: unknown): Promise<{ result: unknown; lines: Record<string, any>[] }> {
  const run = await captureOutput(() => handler(event, context));
  if (run.failed) throw run.error;
  return { result: run.result, lines: run.lines };
}

beforeEach(() => {
  ecrMock.reset();
  secretsMock.reset();
  eventsMock.reset();
  ecrMock.on(DescribePullThroughCacheRulesCommand).resolves(fixture('validation/describe-pull-through-cache-rules.json'));
  ecrMock.on(ValidatePullThroughCacheRuleCommand).resolves(fixture('validation/validate-pull-through-cache-rule.valid.json'));
  secretsMock.on(GetSecretValueCommand).resolves(fixture('validation/get-secret-value.credentials.json'));
  eventsMock.on(PutEventsCommand).resolves(fixture('validation/put-events.response.json'));
});

const emf = (lines: Record<string, any>[], name: string) => lines.filter((l) => l._aws !== undefined && name in l);

describe('validate-rules handler', () => {
  test('on the schedule, publishes RuleValid per prefix with the service and prefix dimensions', async () => {
    secretsMock
      .on(GetSecretValueCommand, {
        SecretId: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf',
      })
      .resolves(fixture('validation/get-secret-value.placeholder.json'));
    const { result, lines } = await invoke(fixture('events/scheduled-event.json'));
    expect(result).toMatchObject({ kind: 'validated', valid: 2, invalid: 1 });
    const points = emf(lines, 'RuleValid').map((l) => ({
      prefix: l.prefix,
      value: l.RuleValid,
      service: l.service,
      dims: l._aws.CloudWatchMetrics[0].Dimensions,
      ns: l._aws.CloudWatchMetrics[0].Namespace,
    }));
    expect(points).toEqual([
      { prefix: 'docker-hub', value: 0, service: 'validate-rules', dims: [['service', 'prefix']], ns: 'PtcAutopilot' },
      { prefix: 'github', value: 1, service: 'validate-rules', dims: [['service', 'prefix']], ns: 'PtcAutopilot' },
      { prefix: 'k8s', value: 1, service: 'validate-rules', dims: [['service', 'prefix']], ns: 'PtcAutopilot' },
    ]);
    const error = lines.find((l) => l.message === 'pull through cache rule invalid');
    expect(error).toMatchObject({
      level: 'ERROR',
      prefix: 'docker-hub',
      upstream: 'docker-hub',
      failure: expect.stringContaining('still holds the placeholder'),
    });
  });

  test('on a FAILED sync event, publishes SyncFailures for the prefix', async () => {
    const { result, lines } = await invoke(fixture('validation/ecr-pull-through-cache-action.failed.json'));
    expect(result).toEqual({ kind: 'sync', outcome: { counted: true, prefix: 'docker-hub' } });
    expect(emf(lines, 'SyncFailures').map((l) => [l.prefix, l.SyncFailures])).toEqual([['docker-hub', 1]]);
    expect(ecrMock).not.toHaveReceivedAnyCommand();
  });
});
