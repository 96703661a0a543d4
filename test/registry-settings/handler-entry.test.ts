import { DescribeRegistryCommand, ECRClient, PutReplicationConfigurationCommand } from '@aws-sdk/client-ecr';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { eventFixture, fixture } from './helpers';

process.env.POWERTOOLS_METRICS_NAMESPACE = 'PtcAutopilot';
process.env.POWERTOOLS_SERVICE_NAME = 'registry-settings';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const ecrMock = mockClient(ECRClient);
const context = { functionName: 'registry-settings', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

/** The EMF lines the handler printed, parsed. */
function emitted(spy: jest.SpyInstance): { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } }[] {
  return spy.mock.calls
    .flatMap((c) => String(c[0]).split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));
}

describe('registry-settings handler entry point', () => {
  let stdout: jest.SpyInstance;
  beforeEach(() => {
    ecrMock.reset();
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => stdout.mockRestore());

  test('delegates to onEvent with the module client and counts a write', async () => {
    const { handler } = await import('../../functions/registry-settings/handler');
    ecrMock.on(DescribeRegistryCommand).resolves(fixture('describe-registry.foreign.json'));
    const result = await handler(eventFixture('replication-create.event.json'), context);
    expect(result.PhysicalResourceId).toBe('ptc-autopilot:replication:111122223333:eu-west-2');
    expect(ecrMock).toHaveReceivedCommandTimes(PutReplicationConfigurationCommand, 1);
    const names = emitted(stdout).flatMap((e) => e._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name)));
    expect(names).toContain('RegistrySettingsWritten');
  });

  test('rethrows bad input so CloudFormation fails with the message, and counts it', async () => {
    const { handler } = await import('../../functions/registry-settings/handler');
    const event = eventFixture('replication-create.event.json');
    const bad = { ...event, ResourceProperties: { ...event.ResourceProperties, Kind: 'Lifecycle' } } as typeof event;
    await expect(handler(bad, context)).rejects.toThrow(
      'custom resource property ResourceProperties.Kind: Kind must be "Replication", "Scanning" or "RegistryPolicy"',
    );
    const names = emitted(stdout).flatMap((e) => e._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name)));
    expect(names).toContain('RegistrySettingsRejected');
  });
});
