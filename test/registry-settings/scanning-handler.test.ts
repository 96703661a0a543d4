import { ECRClient, GetRegistryScanningConfigurationCommand, PutRegistryScanningConfigurationCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { onEvent } from '../../functions/registry-settings/on-event';
import { eventFixture, fixture, successResponse } from './helpers';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'eu-west-2' });
const FOREIGN = fixture<object>('get-registry-scanning-configuration.foreign.json');
const w = (filter: string) => ({ filter, filterType: 'WILDCARD' as const });

beforeEach(() => ecrMock.reset());

describe('scanning custom resource', () => {
  test('Create adds our filters to the rule of our frequency, keeps every foreign filter, and records the original scan type', async () => {
    ecrMock.on(GetRegistryScanningConfigurationCommand).resolves(FOREIGN);
    const event = eventFixture('scanning-create.event.json');
    const result = await onEvent(event, { ecr });
    expect(ecrMock).toHaveReceivedCommandWith(PutRegistryScanningConfigurationCommand, {
      scanType: 'ENHANCED',
      rules: [
        { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('prod-*')] },
        { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [w('payments'), w('docker-hub/*'), w('k8s/*')] },
      ],
    });
    expect(successResponse(event, result)).toEqual(fixture('scanning-create.response.json'));
  });

  test('Update moves our filters to the new frequency and drops prefixes removed from the config', async () => {
    ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({
      scanningConfiguration: {
        scanType: 'ENHANCED',
        rules: [
          { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('prod-*')] },
          { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [w('payments'), w('docker-hub/*'), w('k8s/*')] },
        ],
      },
    });
    const event = eventFixture('scanning-update.event.json');
    const result = await onEvent(event, { ecr });
    expect(ecrMock).toHaveReceivedCommandWith(PutRegistryScanningConfigurationCommand, {
      scanType: 'ENHANCED',
      rules: [
        { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('prod-*'), w('k8s/*'), w('quay/*')] },
        { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [w('payments')] },
      ],
    });
    expect(result.PhysicalResourceId).toBe('ptc-autopilot:scanning:111122223333:eu-west-2:original-scan-type=ENHANCED');
  });

  test('Delete removes our filters and keeps the scan type foreign rules rely on', async () => {
    ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({
      scanningConfiguration: {
        scanType: 'ENHANCED',
        rules: [
          { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('prod-*')] },
          { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [w('docker-hub/*'), w('payments'), w('k8s/*')] },
        ],
      },
    });
    await onEvent(eventFixture('scanning-delete.event.json'), { ecr });
    expect(ecrMock).toHaveReceivedCommandWith(PutRegistryScanningConfigurationCommand, {
      scanType: 'ENHANCED',
      rules: [
        { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('prod-*')] },
        { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [w('payments')] },
      ],
    });
  });

  test('Delete restores the scan type the registry had before us when no foreign rule remains', async () => {
    ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({
      scanningConfiguration: {
        scanType: 'ENHANCED',
        rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [w('docker-hub/*'), w('k8s/*')] }],
      },
    });
    await onEvent(eventFixture('scanning-delete.event.json'), { ecr });
    expect(ecrMock).toHaveReceivedCommandWith(PutRegistryScanningConfigurationCommand, { scanType: 'BASIC', rules: [] });
  });

  test('Create on a BASIC registry without rules records BASIC in the physical id and switches to ENHANCED', async () => {
    ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({ scanningConfiguration: { scanType: 'BASIC', rules: [] } });
    const result = await onEvent(eventFixture('scanning-create.event.json'), { ecr });
    expect(result.PhysicalResourceId).toBe('ptc-autopilot:scanning:111122223333:eu-west-2:original-scan-type=BASIC');
    expect(ecrMock).toHaveReceivedCommandWith(PutRegistryScanningConfigurationCommand, {
      scanType: 'ENHANCED',
      rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [w('docker-hub/*'), w('k8s/*')] }],
    });
  });

  test('a scan type change under foreign rules fails naming scanning.type and writes nothing', async () => {
    ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({
      scanningConfiguration: { scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('*')] }] },
    });
    await expect(onEvent(eventFixture('scanning-create.event.json'), { ecr })).rejects.toThrow(
      /^scanning\.type: the registry scans with BASIC and has scanning rules ptc-autopilot did not create \(SCAN_ON_PUSH: \*\)/,
    );
    expect(ecrMock).toHaveReceivedCommandTimes(PutRegistryScanningConfigurationCommand, 0);
  });

  test('an unchanged configuration is not written again', async () => {
    ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({
      scanningConfiguration: {
        scanType: 'ENHANCED',
        rules: [
          { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('prod-*'), w('k8s/*'), w('quay/*')] },
          { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [w('payments')] },
        ],
      },
    });
    const result = await onEvent(eventFixture('scanning-update.event.json'), { ecr });
    expect(result.Data.Changed).toBe('false');
    expect(ecrMock).toHaveReceivedCommandTimes(PutRegistryScanningConfigurationCommand, 0);
  });
});
