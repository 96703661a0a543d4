/**
 * The same promise as foreign-survive.property.test.ts, end to end: CloudFormation's Create,
 * Update and Delete events (with the rollbacks it sends after a refusal) go through `onEvent`
 * against an in-memory registry served by aws-sdk-client-mock, so the SDK conversions of
 * ecr-state.ts are covered too.
 */
import {
  DeleteRegistryPolicyCommand,
  DescribeRegistryCommand,
  ECRClient,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  PutRegistryPolicyCommand,
  PutRegistryScanningConfigurationCommand,
  PutReplicationConfigurationCommand,
  RegistryPolicyNotFoundException,
  type RegistryScanningRule,
  type ReplicationRule,
} from '@aws-sdk/client-ecr';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import {
  PtcError,
  REGISTRY_POLICY_SID,
  isOwnedReplicationRule,
  isOwnedScanningFilter,
  registryPolicyProperties,
  replicationProperties,
  scanningProperties,
  type RegistrySettingsProperties,
} from '../../core';
import { onEvent } from '../../functions/registry-settings/on-event';
import { eventFixture } from './helpers';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'eu-west-2' });
const TARGET = { account: '111122223333', region: 'eu-west-2', partition: 'aws' };
const PREFIXES = ['docker-hub', 'k8s', 'quay', 'k8s-mirror'];
const OWNED = new Set(PREFIXES);
const REGIONS = ['us-east-1', 'us-west-2', 'ap-southeast-2'];
const ACCOUNTS = ['111122223333', '444455556666'];
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The registry the mock serves. */
interface Registry {
  replication: ReplicationRule[];
  scanning: { scanType: 'BASIC' | 'ENHANCED'; rules: RegistryScanningRule[] };
  policyText?: string;
}

function serve(registry: Registry): void {
  ecrMock.reset();
  ecrMock.on(DescribeRegistryCommand).callsFake(() => ({ registryId: TARGET.account, replicationConfiguration: { rules: clone(registry.replication) } }));
  ecrMock.on(PutReplicationConfigurationCommand).callsFake((input) => {
    registry.replication = clone(input.replicationConfiguration.rules);
    return { replicationConfiguration: input.replicationConfiguration };
  });
  ecrMock.on(GetRegistryScanningConfigurationCommand).callsFake(() => ({ registryId: TARGET.account, scanningConfiguration: clone(registry.scanning) }));
  ecrMock.on(PutRegistryScanningConfigurationCommand).callsFake((input) => {
    registry.scanning = { scanType: input.scanType, rules: clone(input.rules) };
    return { registryScanningConfiguration: registry.scanning };
  });
  ecrMock.on(GetRegistryPolicyCommand).callsFake(() => {
    if (registry.policyText === undefined) throw new RegistryPolicyNotFoundException({ message: 'Registry policy does not exist', $metadata: {} });
    return { registryId: TARGET.account, policyText: registry.policyText };
  });
  ecrMock.on(PutRegistryPolicyCommand).callsFake((input) => {
    registry.policyText = input.policyText;
    return { registryId: TARGET.account, policyText: input.policyText };
  });
  ecrMock.on(DeleteRegistryPolicyCommand).callsFake(() => {
    const policyText = registry.policyText;
    registry.policyText = undefined;
    return { registryId: TARGET.account, policyText };
  });
}

/** A CloudFormation event of the given type, built on a real-shaped fixture. */
function event(
  type: 'Create' | 'Update' | 'Delete',
  props: RegistrySettingsProperties,
  extra: { physicalId?: string; old?: RegistrySettingsProperties } = {},
): CloudFormationCustomResourceEvent {
  const { RequestType: _t, PhysicalResourceId: _p, OldResourceProperties: _o, ...base } = eventFixture('replication-update.event.json') as CloudFormationCustomResourceEvent & {
    PhysicalResourceId: string;
    OldResourceProperties: unknown;
  };
  const ServiceToken = base.ResourceProperties.ServiceToken;
  const withToken = (p: RegistrySettingsProperties) => ({ ServiceToken, ...p });
  const out: Record<string, unknown> = { ...base, RequestType: type, ResourceProperties: withToken(props) };
  if (type !== 'Create') out.PhysicalResourceId = extra.physicalId;
  if (type === 'Update') out.OldResourceProperties = withToken(extra.old!);
  return out as unknown as CloudFormationCustomResourceEvent;
}

type Step = { kind: 'deploy'; props: RegistrySettingsProperties } | { kind: 'delete' };

/**
 * Runs steps as CloudFormation would. A refused Create is followed by the Delete of the
 * framework's failure id; a refused Update by the rollback Update back to the old properties.
 * After every event, `check` sees the registry.
 */
async function lifecycle(registry: Registry, sequence: Step[], check: () => void): Promise<void> {
  let deployed: { props: RegistrySettingsProperties; physicalId: string } | undefined;
  const send = async (e: CloudFormationCustomResourceEvent) => {
    const before = clone(registry);
    try {
      return await onEvent(e, { ecr });
    } catch (err) {
      if (!(err instanceof PtcError)) throw err;
      // A refusal writes nothing.
      expect(registry).toEqual(before);
      return undefined;
    } finally {
      check();
    }
  };
  for (const step of sequence) {
    if (step.kind === 'delete') {
      if (deployed === undefined) continue;
      await send(event('Delete', deployed.props, { physicalId: deployed.physicalId }));
      deployed = undefined;
    } else if (deployed === undefined) {
      const out = await send(event('Create', step.props));
      if (out === undefined) await send(event('Delete', step.props, { physicalId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' }));
      else deployed = { props: step.props, physicalId: out.PhysicalResourceId };
    } else {
      const out = await send(event('Update', step.props, { physicalId: deployed.physicalId, old: deployed.props }));
      if (out === undefined) await send(event('Update', deployed.props, { physicalId: deployed.physicalId, old: step.props }));
      else deployed = { props: step.props, physicalId: deployed.physicalId };
    }
  }
}

const steps = (props: fc.Arbitrary<RegistrySettingsProperties>) =>
  fc.array(fc.oneof(props.map((p): Step => ({ kind: 'deploy', props: p })), fc.constant<Step>({ kind: 'delete' })), { minLength: 1, maxLength: 6 });

const destination = fc.record({ region: fc.constantFrom(...REGIONS), registryId: fc.constantFrom(...ACCOUNTS) });
const foreignFilter = fc.oneof(
  fc.constantFrom(...PREFIXES).map((p) => `${p}x/`),
  fc.constantFrom(...PREFIXES),
  fc.constantFrom(...PREFIXES).map((p) => `${p}/team/`),
  fc.constantFrom('team-a/', 'ml/models/'),
);
const foreignReplicationRule: fc.Arbitrary<ReplicationRule> = fc.oneof(
  fc.record({ destinations: fc.array(destination, { minLength: 1, maxLength: 2 }) }),
  fc.record({
    destinations: fc.array(destination, { minLength: 1, maxLength: 2 }),
    repositoryFilters: fc
      .tuple(fc.array(foreignFilter, { minLength: 1, maxLength: 2 }), fc.array(fc.constantFrom(...PREFIXES).map((p) => `${p}/`), { maxLength: 1 }))
      .map(([a, b]) => [...a, ...b].map((filter) => ({ filter, filterType: 'PREFIX_MATCH' as const }))),
  }),
);
const replicationProps = fc
  .array(
    fc.record({
      prefixes: fc.uniqueArray(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 4 }),
      destinations: fc.uniqueArray(destination, { minLength: 1, maxLength: 3, selector: (d) => `${d.registryId}/${d.region}` }),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((rules): RegistrySettingsProperties => replicationProperties({ rules }, TARGET));

const foreignScanningFilter = fc.oneof(
  fc.constantFrom(...PREFIXES).map((p) => `${p}*`),
  fc.constantFrom(...PREFIXES).map((p) => `${p}/team/*`),
  fc.constantFrom('*', 'prod-*', 'payments'),
);
const foreignScanning = fc.record({
  scanType: fc.constantFrom('BASIC' as const, 'ENHANCED' as const),
  rules: fc
    .uniqueArray(fc.constantFrom('SCAN_ON_PUSH' as const, 'CONTINUOUS_SCAN' as const), { maxLength: 2 })
    .chain((frequencies) =>
      fc.tuple(
        ...frequencies.map((scanFrequency) =>
          fc.array(foreignScanningFilter, { minLength: 1, maxLength: 3 }).map((filters): RegistryScanningRule => ({
            scanFrequency,
            repositoryFilters: filters.map((filter) => ({ filter, filterType: 'WILDCARD' as const })),
          })),
        ),
      ),
    ),
});
const scanningProps = fc
  .record({
    prefixes: fc.uniqueArray(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 4 }),
    choice: fc.constantFrom(
      { scanType: 'BASIC' as const, frequency: 'SCAN_ON_PUSH' as const },
      { scanType: 'ENHANCED' as const, frequency: 'SCAN_ON_PUSH' as const },
      { scanType: 'ENHANCED' as const, frequency: 'CONTINUOUS_SCAN' as const },
    ),
  })
  .map(({ prefixes, choice }): RegistrySettingsProperties => scanningProperties({ prefixes, ...choice }, TARGET));

const foreignStatement = fc.record({
  Sid: fc.constantFrom('AllowPull', 'ReplicationAccessCrossAccount', 'PtcAutopilotCrossAccountPull'),
  Effect: fc.constant('Allow'),
  Principal: fc.record({ AWS: fc.constantFrom('arn:aws:iam::777788889999:root', 'arn:aws:iam::121212121212:root') }),
  Action: fc.constantFrom('ecr:ReplicateImage', 'ecr:BatchGetImage'),
  Resource: fc.constant('*'),
});
const policyProps = fc
  .record({
    sourceAccounts: fc.uniqueArray(fc.constantFrom('444455556666', '555566667777'), { minLength: 1, maxLength: 2 }),
    prefixes: fc.uniqueArray(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 3 }),
  })
  .map(({ sourceAccounts, prefixes }): RegistrySettingsProperties =>
    registryPolicyProperties({ sourceAccounts, repositoryArns: prefixes.map((p) => `arn:aws:ecr:eu-west-2:111122223333:repository/${p}/*`), partition: 'aws' }, TARGET),
  );

const emptyScanning = (): Registry['scanning'] => ({ scanType: 'BASIC', rules: [] });

describe('foreign settings survive any sequence of custom resource events', () => {
  test('replication: every foreign rule is written back unchanged and in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(foreignReplicationRule, { maxLength: 6 }), steps(replicationProps), async (foreign, sequence) => {
        const registry: Registry = { replication: clone(foreign), scanning: emptyScanning() };
        serve(registry);
        await lifecycle(registry, sequence, () => {
          expect(registry.replication.filter((r) => !isOwnedReplicationRule({ destinations: r.destinations as never, repositoryFilters: r.repositoryFilters as never }, OWNED))).toEqual(foreign);
        });
        // Once everything is deleted, the registry holds exactly what it held before.
        if (sequence.at(-1)?.kind === 'delete') expect(registry.replication).toEqual(foreign);
      }),
      { numRuns: 120 },
    );
  });

  test('scanning: every foreign filter stays under its frequency, and the scan type they rely on stays', async () => {
    await fc.assert(
      fc.asyncProperty(foreignScanning, steps(scanningProps), async (start, sequence) => {
        const registry: Registry = { replication: [], scanning: clone(start) };
        serve(registry);
        const foreignOf = (s: Registry['scanning']) =>
          s.rules.flatMap((r) => (r.repositoryFilters ?? []).filter((f) => !isOwnedScanningFilter({ filter: f.filter!, filterType: f.filterType! }, OWNED)).map((f) => `${r.scanFrequency}:${f.filter}`));
        await lifecycle(registry, sequence, () => {
          expect(foreignOf(registry.scanning)).toEqual(foreignOf(start));
          if (start.rules.length > 0) expect(registry.scanning.scanType).toBe(start.scanType);
        });
        if (sequence.at(-1)?.kind === 'delete') expect(registry.scanning).toEqual(start);
      }),
      { numRuns: 120 },
    );
  });

  test('registry policy: every foreign statement stays; the policy is deleted only when ours was its last', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(foreignStatement, { maxLength: 4 }), steps(policyProps), async (foreign, sequence) => {
        const startText = foreign.length === 0 ? undefined : JSON.stringify({ Version: '2012-10-17', Statement: foreign });
        const registry: Registry = { replication: [], scanning: emptyScanning(), ...(startText !== undefined ? { policyText: startText } : {}) };
        serve(registry);
        await lifecycle(registry, sequence, () => {
          const statements: { Sid?: string }[] = registry.policyText === undefined ? [] : [JSON.parse(registry.policyText).Statement].flat();
          expect(statements.filter((s) => s.Sid !== REGISTRY_POLICY_SID)).toEqual(foreign);
        });
        if (sequence.at(-1)?.kind === 'delete') {
          expect(registry.policyText === undefined ? [] : JSON.parse(registry.policyText).Statement).toEqual(foreign);
        }
      }),
      { numRuns: 120 },
    );
  });
});
