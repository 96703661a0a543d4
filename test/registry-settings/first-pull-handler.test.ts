/**
 * The registry policy custom resource with first-pull grants: the properties come from a real
 * config through the construct's own functions (registryPolicyIntent, registryPolicyProperties),
 * the events from the CloudFormation fixture of test/fixtures/registry-settings.
 */
import { DeleteRegistryPolicyCommand, ECRClient, GetRegistryPolicyCommand, PutRegistryPolicyCommand } from '@aws-sdk/client-ecr';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig, RegistryLimitError, registryPolicyIntent, registryPolicyProperties, targets, type PtcConfig } from '../../core';
import { onEvent } from '../../functions/registry-settings/on-event';
import { eventFixture, fixture } from './helpers';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'us-east-1' });
const FOREIGN = fixture<{ policyText: string }>('get-registry-policy.foreign.json');
const foreignStatement = JSON.parse(FOREIGN.policyText).Statement[0];
const putPolicy = () => JSON.parse(ecrMock.commandCalls(PutRegistryPolicyCommand)[0]!.args[0].input.policyText!);

const hub = (repositories: Record<string, unknown>): PtcConfig =>
  parseConfig({
    account: '444455556666',
    region: 'us-east-1',
    rules: [
      { prefix: 'k8s', upstream: 'k8s' },
      { prefix: 'quay', upstream: 'quay' },
      { prefix: 'public', upstream: 'ecr-public' },
    ],
    repositories,
  });
const propsOf = (config: PtcConfig) => {
  const target = targets(config)[0]!;
  return registryPolicyProperties(registryPolicyIntent(config, target)!, target);
};
function event(type: 'Create' | 'Update' | 'Delete', config: PtcConfig, old?: PtcConfig): CloudFormationCustomResourceEvent {
  const base = eventFixture('registry-policy-create.event.json') as unknown as Record<string, unknown> & {
    ResourceProperties: { ServiceToken: string };
  };
  const ServiceToken = base.ResourceProperties.ServiceToken;
  return {
    ...base,
    RequestType: type,
    ResourceProperties: { ServiceToken, ...propsOf(config) },
    ...(type !== 'Create' ? { PhysicalResourceId: 'ptc-autopilot:registry-policy:444455556666:us-east-1' } : {}),
    ...(old !== undefined ? { OldResourceProperties: { ServiceToken, ...propsOf(old) } } : {}),
  } as unknown as CloudFormationCustomResourceEvent;
}

const GRANTS = {
  pullAccounts: ['222233334444'],
  pullOrganizations: ['o-a1b2c3d4e5'],
  pullOrganizationalUnits: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111'],
  overrides: [{ prefix: 'public', pullAccounts: ['777788889999'] }],
};
const arn = (p: string) => `arn:aws:ecr:us-east-1:444455556666:repository/${p}/*`;
const ACTIONS = ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'];

beforeEach(() => ecrMock.reset());

describe('registry policy first-pull statements', () => {
  test('Create adds one statement per kind of principal and per group of prefixes sharing principals, after the foreign one', async () => {
    ecrMock.on(GetRegistryPolicyCommand).resolves(FOREIGN);
    const result = await onEvent(event('Create', hub(GRANTS)), { ecr });
    expect(putPolicy()).toEqual({
      Version: '2012-10-17',
      Statement: [
        foreignStatement,
        {
          Sid: 'PtcAutopilotFirstPullAccounts',
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::222233334444:root'] },
          Action: ACTIONS,
          Resource: [arn('k8s'), arn('quay')],
        },
        // The override of public gives it other accounts: a second statement, numbered.
        {
          Sid: 'PtcAutopilotFirstPullAccounts2',
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::777788889999:root'] },
          Action: ACTIONS,
          Resource: [arn('public')],
        },
        {
          Sid: 'PtcAutopilotFirstPullOrganizations',
          Effect: 'Allow',
          Principal: '*',
          Action: ACTIONS,
          Resource: [arn('k8s'), arn('quay'), arn('public')],
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5'] } },
        },
        {
          Sid: 'PtcAutopilotFirstPullOrganizationalUnits',
          Effect: 'Allow',
          Principal: '*',
          Action: ACTIONS,
          Resource: [arn('k8s'), arn('quay'), arn('public')],
          Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'] } },
        },
      ],
    });
    expect(result.Data).toEqual({ Changed: 'true', Owned: '4', Foreign: '1' });
  });

  test('Update removes the statements of grants the config dropped, keeping the foreign one and the rest of ours', async () => {
    const before = hub(GRANTS);
    ecrMock.on(GetRegistryPolicyCommand).resolves(FOREIGN);
    await onEvent(event('Create', before), { ecr });
    const written = ecrMock.commandCalls(PutRegistryPolicyCommand)[0]!.args[0].input.policyText!;
    ecrMock.reset();
    ecrMock.on(GetRegistryPolicyCommand).resolves({ policyText: written });
    await onEvent(event('Update', hub({ pullAccounts: ['222233334444'] }), before), { ecr });
    expect(putPolicy().Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'ReplicationAccessCrossAccount',
      'PtcAutopilotFirstPullAccounts',
    ]);
    expect(putPolicy().Statement[1].Resource).toEqual([arn('k8s'), arn('quay'), arn('public')]);
  });

  test('Delete removes every statement of ours and keeps the foreign one', async () => {
    const config = hub(GRANTS);
    ecrMock.on(GetRegistryPolicyCommand).resolves(FOREIGN);
    await onEvent(event('Create', config), { ecr });
    const written = ecrMock.commandCalls(PutRegistryPolicyCommand)[0]!.args[0].input.policyText!;
    ecrMock.reset();
    ecrMock.on(GetRegistryPolicyCommand).resolves({ policyText: written });
    await onEvent(event('Delete', config), { ecr });
    expect(putPolicy()).toEqual({ Version: '2012-10-17', Statement: [foreignStatement] });
    expect(ecrMock).toHaveReceivedCommandTimes(DeleteRegistryPolicyCommand, 0);
  });

  test("a merged policy over ECR's 10,240 characters is refused before any write, naming the field", async () => {
    const bulky = Array.from({ length: 80 }, (_, i) => ({ ...foreignStatement, Sid: `Foreign${i}` }));
    ecrMock.on(GetRegistryPolicyCommand).resolves({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: bulky }) });
    await expect(onEvent(event('Create', hub(GRANTS)), { ecr })).rejects.toThrow(RegistryLimitError);
    await expect(onEvent(event('Create', hub(GRANTS)), { ecr })).rejects.toThrow(
      /^repositories: the registry policy with our statements would be \d+ characters \(ours take \d+, 80 statements not created by ptc-autopilot the rest\); ECR allows 10240/,
    );
    expect(ecrMock).toHaveReceivedCommandTimes(PutRegistryPolicyCommand, 0);
  });
});
