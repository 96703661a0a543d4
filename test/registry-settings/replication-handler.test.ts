import {
  DescribeRegistryCommand,
  ECRClient,
  PutReplicationConfigurationCommand,
  type DescribeRegistryCommandOutput,
  type ReplicationRule,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { RegistryConflictError, RegistryLimitError } from '../../core';
import { onEvent } from '../../functions/registry-settings/on-event';
import { eventFixture, fixture, successResponse } from './helpers';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'eu-west-2' });

const FOREIGN = fixture<DescribeRegistryCommandOutput>('describe-registry.foreign.json');
const foreignRules: ReplicationRule[] = FOREIGN.replicationConfiguration!.rules!;
const [teamA, everything, handWritten] = foreignRules as [ReplicationRule, ReplicationRule, ReplicationRule];
const ours = (prefixes: string[]): ReplicationRule => ({
  destinations: [
    { region: 'us-east-1', registryId: '111122223333' },
    { region: 'ap-southeast-2', registryId: '444455556666' },
  ],
  repositoryFilters: prefixes.map((p) => ({ filter: `${p}/`, filterType: 'PREFIX_MATCH' as const })),
});

beforeEach(() => ecrMock.reset());

describe('replication custom resource', () => {
  test('Create appends our rule after the foreign rules and answers with the documented response', async () => {
    ecrMock.on(DescribeRegistryCommand).resolves(FOREIGN);
    const event = eventFixture('replication-create.event.json');
    const result = await onEvent(event, { ecr });
    expect(ecrMock).toHaveReceivedCommandTimes(PutReplicationConfigurationCommand, 1);
    expect(ecrMock).toHaveReceivedCommandWith(PutReplicationConfigurationCommand, {
      replicationConfiguration: { rules: [...foreignRules, ours(['docker-hub', 'k8s'])] },
    });
    expect(successResponse(event, result)).toEqual(fixture('replication-create.response.json'));
  });

  test('Create leaves a hand-written "docker-hub" filter (no slash) alone: it is not ours', async () => {
    ecrMock.on(DescribeRegistryCommand).resolves(FOREIGN);
    await onEvent(eventFixture('replication-create.event.json'), { ecr });
    const put = ecrMock.commandCalls(PutReplicationConfigurationCommand)[0]!.args[0].input;
    expect(put.replicationConfiguration?.rules?.[2]).toEqual({
      destinations: [{ region: 'us-east-1', registryId: '111122223333' }],
      repositoryFilters: [{ filter: 'docker-hub', filterType: 'PREFIX_MATCH' }],
    });
  });

  test('Create on a registry that already holds exactly our rule adopts it and writes nothing', async () => {
    ecrMock.on(DescribeRegistryCommand).resolves({ replicationConfiguration: { rules: [ours(['k8s', 'docker-hub'])] } });
    const result = await onEvent(eventFixture('replication-create.event.json'), { ecr });
    expect(ecrMock).toHaveReceivedCommandTimes(PutReplicationConfigurationCommand, 0);
    expect(result.Data).toEqual({ Changed: 'false', Owned: '1', Foreign: '0' });
  });

  test('Create refuses a rule shaped like ours that replicates elsewhere, and writes nothing', async () => {
    const stray: ReplicationRule = {
      destinations: [{ region: 'us-west-1', registryId: '111122223333' }],
      repositoryFilters: [{ filter: 'k8s/', filterType: 'PREFIX_MATCH' }],
    };
    ecrMock.on(DescribeRegistryCommand).resolves({ replicationConfiguration: { rules: [...foreignRules, stray] } });
    const run = onEvent(eventFixture('replication-create.event.json'), { ecr });
    await expect(run).rejects.toBeInstanceOf(RegistryConflictError);
    await expect(onEvent(eventFixture('replication-create.event.json'), { ecr })).rejects.toThrow(
      /^replication: the registry already has a replication rule for "k8s\/" -> 111122223333\/us-west-1 that ptc-autopilot did not create/,
    );
    expect(ecrMock).toHaveReceivedCommandTimes(PutReplicationConfigurationCommand, 0);
  });

  test('Update replaces our rule in place and drops prefixes removed from the config (old properties)', async () => {
    ecrMock.on(DescribeRegistryCommand).resolves({
      replicationConfiguration: { rules: [teamA, ours(['docker-hub', 'k8s']), everything, handWritten] },
    });
    const event = eventFixture('replication-update.event.json');
    const result = await onEvent(event, { ecr });
    expect(ecrMock).toHaveReceivedCommandWith(PutReplicationConfigurationCommand, {
      replicationConfiguration: { rules: [teamA, ours(['k8s', 'quay']), everything, handWritten] },
    });
    expect(result.PhysicalResourceId).toBe('ptc-autopilot:replication:111122223333:eu-west-2');
  });

  test('Delete removes only our rule and keeps the physical id', async () => {
    ecrMock.on(DescribeRegistryCommand).resolves({ replicationConfiguration: { rules: [ours(['docker-hub', 'k8s']), ...foreignRules] } });
    const event = eventFixture('replication-delete.event.json');
    const result = await onEvent(event, { ecr });
    expect(ecrMock).toHaveReceivedCommandWith(PutReplicationConfigurationCommand, { replicationConfiguration: { rules: foreignRules } });
    expect(result.PhysicalResourceId).toBe('ptc-autopilot:replication:111122223333:eu-west-2');
  });

  test('Delete with nothing of ours in the registry writes nothing', async () => {
    ecrMock.on(DescribeRegistryCommand).resolves(FOREIGN);
    await onEvent(eventFixture('replication-delete.event.json'), { ecr });
    expect(ecrMock).toHaveReceivedCommandTimes(PutReplicationConfigurationCommand, 0);
  });

  test('Delete of a resource whose Create failed (not our physical id) touches nothing', async () => {
    const event = {
      ...eventFixture('replication-delete.event.json'),
      PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
    };
    await onEvent(event, { ecr });
    expect(ecrMock).toHaveReceivedCommandTimes(DescribeRegistryCommand, 0);
    expect(ecrMock).toHaveReceivedCommandTimes(PutReplicationConfigurationCommand, 0);
  });

  test('Delete after a Create refused for its properties succeeds without reading them, so the rollback completes', async () => {
    const event = eventFixture('replication-delete.event.json');
    const rollback = {
      ...event,
      PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
      ResourceProperties: { ...event.ResourceProperties, Rules: [{ Prefixes: [], Destinations: [] }] },
    } as typeof event;
    await expect(onEvent(rollback, { ecr })).resolves.toEqual({
      PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
      Data: { Changed: 'false', Owned: '0', Foreign: '0' },
    });
    expect(ecrMock).toHaveReceivedCommandTimes(DescribeRegistryCommand, 0);
  });

  test("a registry already at 10 foreign rules fails with ECR's limit and writes nothing", async () => {
    const ten = Array.from({ length: 10 }, (_, i): ReplicationRule => ({
      destinations: [{ region: 'us-west-2', registryId: '111122223333' }],
      repositoryFilters: [{ filter: `team-${i}`, filterType: 'PREFIX_MATCH' }],
    }));
    ecrMock.on(DescribeRegistryCommand).resolves({ replicationConfiguration: { rules: ten } });
    await expect(onEvent(eventFixture('replication-create.event.json'), { ecr })).rejects.toThrow(
      new RegistryLimitError(
        'replication.destinations',
        'the registry would hold 11 replication rules (10 not created by ptc-autopilot); ECR allows 10',
      ),
    );
    expect(ecrMock).toHaveReceivedCommandTimes(PutReplicationConfigurationCommand, 0);
  });

  test('malformed properties fail with the property named, before any call', async () => {
    const event = eventFixture('replication-create.event.json');
    const bad = {
      ...event,
      ResourceProperties: { ...event.ResourceProperties, Rules: [{ Prefixes: [], Destinations: [] }] },
    } as typeof event;
    await expect(onEvent(bad, { ecr })).rejects.toThrow(/^custom resource property ResourceProperties\.Rules\[0\]\.Prefixes: /);
    expect(ecrMock).toHaveReceivedCommandTimes(DescribeRegistryCommand, 0);
  });
});
