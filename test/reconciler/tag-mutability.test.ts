/**
 * Tag mutability exclusion filters through the reconciler: PutImageTagMutability carries exactly the
 * config's `WILDCARD` patterns, a repository holding the same patterns (in any order) is compliant,
 * different patterns are drift, and exclusions set outside a config that sets none are kept.
 */
import { ECRClient, PutImageTagMutabilityCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { handleEvent } from '../../functions/reconcile-repository/run';
import { FakeRegistry, freshFakeEcr } from './fake-registry';
import { fixture, RECONCILER_TEST_CONFIG_INPUT, reconcilerTestConfig, testDeps } from './helpers';

const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);
const ecr = new ECRClient({ region: 'eu-west-2' });
const events = new EventBridgeClient({ region: 'eu-west-2' });
/** The repository the documented pull through cache event names. */
const NAME = 'docker-hub/alpine';

/** The test config with the base block's mutability replaced. */
const withMutability = (mutability: Record<string, unknown>) =>
  reconcilerTestConfig({ repositories: { ...RECONCILER_TEST_CONFIG_INPUT.repositories, ...mutability } });
const wildcard = (...filters: string[]) => filters.map((filter) => ({ filterType: 'WILDCARD', filter }));

let registry: FakeRegistry;
beforeEach(() => {
  registry = freshFakeEcr(ecrMock, eventsMock);
});

describe('a config with exclusion filters', () => {
  const config = withMutability({
    imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
    imageTagMutabilityExclusionFilters: ['latest', 'v*-rc*'],
  });

  test('sends PutImageTagMutability with exactly its patterns to a MUTABLE repository', async () => {
    registry.add(NAME);
    await handleEvent(fixture('ecr-pull-through-cache-action'), testDeps(ecr, events, { config }).deps);
    const calls = ecrMock.commandCalls(PutImageTagMutabilityCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      {
        repositoryName: NAME,
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: wildcard('latest', 'v*-rc*'),
      },
    ]);
    expect(registry.get(NAME)).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: wildcard('latest', 'v*-rc*'),
    });
  });

  test('sends nothing to a repository holding the same patterns in another order', async () => {
    registry.add(NAME, {
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: wildcard('v*-rc*', 'latest'),
    });
    await handleEvent(fixture('ecr-pull-through-cache-action'), testDeps(ecr, events, { config }).deps);
    expect(ecrMock.commandCalls(PutImageTagMutabilityCommand)).toHaveLength(0);
  });

  test('rewrites a repository whose patterns differ (drift)', async () => {
    registry.add(NAME, { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: wildcard('latest') });
    await handleEvent(fixture('ecr-pull-through-cache-action'), testDeps(ecr, events, { config }).deps);
    expect(ecrMock.commandCalls(PutImageTagMutabilityCommand).map((c) => c.args[0].input)).toEqual([
      {
        repositoryName: NAME,
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: wildcard('latest', 'v*-rc*'),
      },
    ]);
  });

  test('rewrites a repository with the same patterns under the other mutability', async () => {
    registry.add(NAME, { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: wildcard('latest', 'v*-rc*') });
    await handleEvent(fixture('ecr-pull-through-cache-action'), testDeps(ecr, events, { config }).deps);
    expect(ecrMock.commandCalls(PutImageTagMutabilityCommand)).toHaveLength(1);
  });
});

describe('a config without exclusion filters', () => {
  test('keeps exclusion filters found on the repository and sends no filters with plain values', async () => {
    registry.add(NAME, { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: wildcard('prod-*') });
    const { deps } = testDeps(ecr, events, { config: withMutability({ imageTagMutability: 'IMMUTABLE' }) });
    await handleEvent(fixture('ecr-pull-through-cache-action'), deps);
    expect(ecrMock.commandCalls(PutImageTagMutabilityCommand)).toHaveLength(0);
    expect(registry.get(NAME).imageTagMutabilityExclusionFilters).toEqual(wildcard('prod-*'));

    registry.add('docker-hub/nginx');
    await handleEvent(
      {
        ...fixture('ecr-pull-through-cache-action'),
        detail: { ...fixture('ecr-pull-through-cache-action').detail, 'repository-name': 'docker-hub/nginx' },
      },
      deps,
    );
    expect(ecrMock.commandCalls(PutImageTagMutabilityCommand).map((c) => c.args[0].input)).toEqual([
      { repositoryName: 'docker-hub/nginx', imageTagMutability: 'IMMUTABLE' },
    ]);
  });
});
