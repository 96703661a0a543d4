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

  test('Update replaces our statement in place, between foreign ones, with the new accounts and prefixes', async () => {
    const later = {
      Sid: 'PullForCi',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::121212121212:root' },
      Action: 'ecr:BatchGetImage',
      Resource: '*',
    };
    ecrMock
      .on(GetRegistryPolicyCommand)
      .resolves({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: [foreignStatement, OURS, later] }) });
    const result = await onEvent(eventFixture('registry-policy-update.event.json'), { ecr });
    expect(putPolicy()).toEqual({
      Version: '2012-10-17',
      Statement: [
        foreignStatement,
        {
          ...OURS,
          Principal: { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::555566667777:root'] },
          Resource: ['arn:aws:ecr:us-east-1:444455556666:repository/k8s/*', 'arn:aws:ecr:us-east-1:444455556666:repository/quay/*'],
        },
        later,
      ],
    });
    expect(ecrMock).toHaveReceivedCommandTimes(DeleteRegistryPolicyCommand, 0);
    expect(result).toEqual({
      PhysicalResourceId: 'ptc-autopilot:registry-policy:444455556666:us-east-1',
      Data: { Changed: 'true', Owned: '1', Foreign: '2' },
    });
  });

  test('Update of a policy already holding the wanted statement writes nothing', async () => {
    const wanted = {
      ...OURS,
      Principal: { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::555566667777:root'] },
      Resource: ['arn:aws:ecr:us-east-1:444455556666:repository/k8s/*', 'arn:aws:ecr:us-east-1:444455556666:repository/quay/*'],
    };
    ecrMock
      .on(GetRegistryPolicyCommand)
      .resolves({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: [foreignStatement, wanted] }) });
    const result = await onEvent(eventFixture('registry-policy-update.event.json'), { ecr });
    expect(result.Data.Changed).toBe('false');
    expect(ecrMock).toHaveReceivedCommandTimes(PutRegistryPolicyCommand, 0);
  });

  test('Delete removes our statement and keeps the foreign one', async () => {
    ecrMock
      .on(GetRegistryPolicyCommand)
      .resolves({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: [OURS, foreignStatement] }) });
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
    ecrMock
      .on(GetRegistryPolicyCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: ecr:GetRegistryPolicy'), { name: 'AccessDeniedException' }));
    await expect(onEvent(eventFixture('registry-policy-create.event.json'), { ecr })).rejects.toThrow(/not authorized/);
    expect(ecrMock).toHaveReceivedCommandTimes(PutRegistryPolicyCommand, 0);
  });
});
