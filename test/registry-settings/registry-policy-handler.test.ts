import {
  DeleteRegistryPolicyCommand,
  ECRClient,
  GetRegistryPolicyCommand,
  PutRegistryPolicyCommand,
  RegistryPolicyNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { onEvent } from '../../functions/registry-settings/on-event';
import { eventFixture, fixture } from './helpers';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'us-east-1' });
const FOREIGN = fixture<{ policyText: string }>('get-registry-policy.foreign.json');
const foreignStatement = JSON.parse(FOREIGN.policyText).Statement[0];
const OURS = {
  Sid: 'PtcAutopilotReplicationAccess',
  Effect: 'Allow',
  Principal: { AWS: ['arn:aws:iam::111122223333:root'] },
  Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
  Resource: ['arn:aws:ecr:us-east-1:444455556666:repository/docker-hub/*', 'arn:aws:ecr:us-east-1:444455556666:repository/k8s/*'],
};
const putPolicy = () => JSON.parse(ecrMock.commandCalls(PutRegistryPolicyCommand)[0]!.args[0].input.policyText!);
const notFound = () => new RegistryPolicyNotFoundException({ message: 'Registry policy does not exist', $metadata: {} });

beforeEach(() => ecrMock.reset());

describe('registry policy custom resource', () => {
  test('Create adds our statement after the foreign one', async () => {
    ecrMock.on(GetRegistryPolicyCommand).resolves(FOREIGN);
    const result = await onEvent(eventFixture('registry-policy-create.event.json'), { ecr });
    expect(putPolicy()).toEqual({ Version: '2012-10-17', Statement: [foreignStatement, OURS] });
    expect(result.PhysicalResourceId).toBe('ptc-autopilot:registry-policy:444455556666:us-east-1');
  });

  test('Create on a registry without a policy puts one holding only our statement', async () => {
    ecrMock.on(GetRegistryPolicyCommand).rejects(notFound());
    await onEvent(eventFixture('registry-policy-create.event.json'), { ecr });
    expect(putPolicy()).toEqual({ Version: '2012-10-17', Statement: [OURS] });
  });

  test('Delete removes our statement and keeps the foreign one', async () => {
    ecrMock.on(GetRegistryPolicyCommand).resolves({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: [OURS, foreignStatement] }) });
    await onEvent(eventFixture('registry-policy-delete.event.json'), { ecr });
    expect(putPolicy()).toEqual({ Version: '2012-10-17', Statement: [foreignStatement] });
    expect(ecrMock).toHaveReceivedCommandTimes(DeleteRegistryPolicyCommand, 0);
  });

  test('Delete deletes the policy when our statement was its only one', async () => {
    ecrMock.on(GetRegistryPolicyCommand).resolves({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: [OURS] }) });
    await onEvent(eventFixture('registry-policy-delete.event.json'), { ecr });
    expect(ecrMock).toHaveReceivedCommandTimes(DeleteRegistryPolicyCommand, 1);
    expect(ecrMock).toHaveReceivedCommandTimes(PutRegistryPolicyCommand, 0);
  });

  test('Delete on a registry without a policy does nothing', async () => {
    ecrMock.on(GetRegistryPolicyCommand).rejects(notFound());
    await onEvent(eventFixture('registry-policy-delete.event.json'), { ecr });
    expect(ecrMock).toHaveReceivedCommandTimes(DeleteRegistryPolicyCommand, 0);
    expect(ecrMock).toHaveReceivedCommandTimes(PutRegistryPolicyCommand, 0);
  });

  test('an access error reading the policy propagates, so nothing is overwritten blindly', async () => {
    ecrMock.on(GetRegistryPolicyCommand).rejects(Object.assign(new Error('User is not authorized to perform: ecr:GetRegistryPolicy'), { name: 'AccessDeniedException' }));
    await expect(onEvent(eventFixture('registry-policy-create.event.json'), { ecr })).rejects.toThrow(/not authorized/);
    expect(ecrMock).toHaveReceivedCommandTimes(PutRegistryPolicyCommand, 0);
  });
});
