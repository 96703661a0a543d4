/**
 * The registry settings custom resource against request types and physical ids CloudFormation and
 * the `custom_resources.Provider` framework send outside the happy path: an unknown RequestType,
 * and an Update carrying the framework's failed-create marker
 * (`AWSCDK::CustomResourceProviderFramework::CREATE_FAILED`, aws-cdk-lib 2.276.0
 * custom-resources/lib/provider-framework/runtime/cfn-response.js).
 */
import {
  DescribeRegistryCommand,
  ECRClient,
  PutReplicationConfigurationCommand,
  type DescribeRegistryCommandOutput,
  type ReplicationConfiguration,
} from '@aws-sdk/client-ecr';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { UnknownRequestTypeError } from '../../functions/registry-settings/errors';
import { CREATE_FAILED_MARKER, onEvent } from '../../functions/registry-settings/on-event';
import { eventFixture, fixture } from './helpers';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'eu-west-2' });
const FOREIGN = fixture<DescribeRegistryCommandOutput>('describe-registry.foreign.json');
const OUR_ID = 'ptc-autopilot:replication:111122223333:eu-west-2';

/** The registry's replication configuration, read and written through the mock. */
function registry(initial: ReplicationConfiguration): { current: () => ReplicationConfiguration; failNextPut: () => void } {
  let state = structuredClone(initial);
  let fail = false;
  ecrMock
    .on(DescribeRegistryCommand)
    .callsFake(async () => ({ registryId: '111122223333', replicationConfiguration: structuredClone(state) }));
  ecrMock.on(PutReplicationConfigurationCommand).callsFake(async (input: { replicationConfiguration: ReplicationConfiguration }) => {
    if (fail) {
      fail = false;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    state = structuredClone(input.replicationConfiguration);
    return { replicationConfiguration: state };
  });
  return { current: () => state, failNextPut: () => (fail = true) };
}

/**
 * What the Provider framework does around onEvent (cfn-response.js, safeHandler): a Delete carrying
 * the marker never reaches onEvent; a Create that throws is answered with the marker as its id.
 */
async function framework(event: CloudFormationCustomResourceEvent): Promise<{ status: 'SUCCESS' | 'FAILED'; physicalId: string }> {
  if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_MARKER)
    return { status: 'SUCCESS', physicalId: CREATE_FAILED_MARKER };
  try {
    return { status: 'SUCCESS', physicalId: (await onEvent(event, { ecr })).PhysicalResourceId };
  } catch {
    return { status: 'FAILED', physicalId: event.RequestType === 'Create' ? CREATE_FAILED_MARKER : event.PhysicalResourceId };
  }
}

beforeEach(() => ecrMock.reset());

describe('registry settings request types', () => {
  test.each(['Replace', 'create', ''])('RequestType %p is refused before any read or write', async (requestType) => {
    const event = {
      ...eventFixture('replication-create.event.json'),
      RequestType: requestType,
    } as unknown as CloudFormationCustomResourceEvent;
    await expect(onEvent(event, { ecr })).rejects.toThrow(new UnknownRequestTypeError(requestType));
    await expect(onEvent(event, { ecr })).rejects.toThrow(
      `RequestType "${requestType}" is not one CloudFormation sends (Create, Update or Delete); nothing was changed`,
    );
    expect(ecrMock.calls()).toHaveLength(0);
  });

  test('a missing RequestType is refused too, naming its type', async () => {
    const { RequestType: _gone, ...event } = eventFixture('replication-create.event.json');
    await expect(onEvent(event as unknown as CloudFormationCustomResourceEvent, { ecr })).rejects.toThrow(
      'RequestType of type undefined is not one CloudFormation sends (Create, Update or Delete); nothing was changed',
    );
    expect(ecrMock.calls()).toHaveLength(0);
  });

  test('an Update carrying the failed-create marker is applied as a Create and answered with our physical id', async () => {
    const ecrState = registry(FOREIGN.replicationConfiguration!);
    const update = {
      ...eventFixture('replication-update.event.json'),
      PhysicalResourceId: CREATE_FAILED_MARKER,
    } as CloudFormationCustomResourceEvent;
    const result = await onEvent(update, { ecr });
    expect(result.PhysicalResourceId).toBe(OUR_ID);
    // Create semantics: the current properties' prefixes, nothing taken from OldResourceProperties.
    expect(ecrState.current().rules).toEqual([
      ...FOREIGN.replicationConfiguration!.rules!,
      {
        destinations: [
          { region: 'us-east-1', registryId: '111122223333' },
          { region: 'ap-southeast-2', registryId: '444455556666' },
        ],
        repositoryFilters: [
          { filter: 'k8s/', filterType: 'PREFIX_MATCH' },
          { filter: 'quay/', filterType: 'PREFIX_MATCH' },
        ],
      },
    ]);
  });

  test('a failed Create, kept and deployed again, then the stack deleted: no setting is left behind', async () => {
    const ecrState = registry(FOREIGN.replicationConfiguration!);
    // 1. Create fails (the write is throttled past its retries); with --no-rollback the resource stays CREATE_FAILED under the marker.
    ecrState.failNextPut();
    const create = eventFixture('replication-create.event.json');
    expect(await framework(create)).toEqual({ status: 'FAILED', physicalId: CREATE_FAILED_MARKER });
    // 2. The next deploy updates the failed resource: CloudFormation sends Update with the marker as physical id.
    const update = {
      ...eventFixture('replication-update.event.json'),
      PhysicalResourceId: CREATE_FAILED_MARKER,
    } as CloudFormationCustomResourceEvent;
    const updated = await framework(update);
    expect(updated).toEqual({ status: 'SUCCESS', physicalId: OUR_ID });
    expect(ecrState.current().rules).toHaveLength(FOREIGN.replicationConfiguration!.rules!.length + 1);
    // 3. The id changed, so CloudFormation deletes the old one in cleanup: the framework swallows the marker's Delete.
    const cleanup = {
      ...eventFixture('replication-delete.event.json'),
      PhysicalResourceId: CREATE_FAILED_MARKER,
    } as CloudFormationCustomResourceEvent;
    expect(await framework(cleanup)).toEqual({ status: 'SUCCESS', physicalId: CREATE_FAILED_MARKER });
    // 4. The stack is deleted: Delete with the id the Update answered, and the current properties.
    const stackDelete = {
      ...eventFixture('replication-delete.event.json'),
      PhysicalResourceId: updated.physicalId,
      ResourceProperties: update.ResourceProperties,
    } as CloudFormationCustomResourceEvent;
    expect(await framework(stackDelete)).toEqual({ status: 'SUCCESS', physicalId: OUR_ID });
    expect(ecrState.current().rules).toEqual(FOREIGN.replicationConfiguration!.rules);
  });
});
