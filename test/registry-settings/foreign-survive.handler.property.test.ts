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
  isOwnedRegistryStatement,
  isOwnedReplicationRule,
  isOwnedScanningFilter,
  registryPolicyIntentOf,
  registryPolicyProperties,
  registryPolicyStatements,
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
  ecrMock
    .on(DescribeRegistryCommand)
    .callsFake(() => ({ registryId: TARGET.account, replicationConfiguration: { rules: clone(registry.replication) } }));
  ecrMock.on(PutReplicationConfigurationCommand).callsFake((input) => {
    registry.replication = clone(input.replicationConfiguration.rules);
    return { replicationConfiguration: input.replicationConfiguration };
  });
  ecrMock
    .on(GetRegistryScanningConfigurationCommand)
    .callsFake(() => ({ registryId: TARGET.account, scanningConfiguration: clone(registry.scanning) }));
  ecrMock.on(PutRegistryScanningConfigurationCommand).callsFake((input) => {
    registry.scanning = { scanType: input.scanType, rules: clone(input.rules) };
    return { registryScanningConfiguration: registry.scanning };
  });
  ecrMock.on(GetRegistryPolicyCommand).callsFake(() => {
    if (registry.policyText === undefined)
      throw new RegistryPolicyNotFoundException({ message: 'Registry policy does not exist', $metadata: {} });
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
  const {
    RequestType: _t,
    PhysicalResourceId: _p,
    OldResourceProperties: _o,
    ...base
  } = eventFixture('replication-update.event.json') as CloudFormationCustomResourceEvent & {
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
 * After every event, `check` sees the registry and the properties in force (none after a Delete).
 */
async function lifecycle(
  registry: Registry,
  sequence: Step[],
  check: (inForce: RegistrySettingsProperties | undefined) => void,
): Promise<void> {
  let deployed: { props: RegistrySettingsProperties; physicalId: string } | undefined;
  let inForce: RegistrySettingsProperties | undefined;
  const send = async (e: CloudFormationCustomResourceEvent) => {
    const before = clone(registry);
    try {
      const out = await onEvent(e, { ecr });
      const { ServiceToken: _token, ...props } = e.ResourceProperties;
      inForce = e.RequestType === 'Delete' ? undefined : (props as unknown as RegistrySettingsProperties);
      return out;
    } catch (err) {
      if (!(err instanceof PtcError)) throw err;
      // A refusal writes nothing.
      expect(registry).toEqual(before);
      return undefined;
    } finally {
      check(inForce);
    }
  };
  for (const step of sequence) {
    if (step.kind === 'delete') {
      if (deployed === undefined) continue;
      await send(event('Delete', deployed.props, { physicalId: deployed.physicalId }));
      deployed = undefined;
    } else if (deployed === undefined) {
      const out = await send(event('Create', step.props));
      if (out === undefined)
        await send(event('Delete', step.props, { physicalId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' }));
      else deployed = { props: step.props, physicalId: out.PhysicalResourceId };
    } else {
      const out = await send(event('Update', step.props, { physicalId: deployed.physicalId, old: deployed.props }));
      if (out === undefined) await send(event('Update', deployed.props, { physicalId: deployed.physicalId, old: step.props }));
      else deployed = { props: step.props, physicalId: deployed.physicalId };
    }
  }
}

const steps = (props: fc.Arbitrary<RegistrySettingsProperties>) =>
  fc.array(
    fc.oneof(
      props.map((p): Step => ({ kind: 'deploy', props: p })),
      fc.constant<Step>({ kind: 'delete' }),
    ),
    { minLength: 1, maxLength: 6 },
  );

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
      .tuple(
        fc.array(foreignFilter, { minLength: 1, maxLength: 2 }),
        fc.array(
          fc.constantFrom(...PREFIXES).map((p) => `${p}/`),
          { maxLength: 1 },
        ),
      )
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
  rules: fc.uniqueArray(fc.constantFrom('SCAN_ON_PUSH' as const, 'CONTINUOUS_SCAN' as const), { maxLength: 2 }).chain((frequencies) =>
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
  // Near misses of our Sids are someone else's.
  Sid: fc.constantFrom(
    'AllowPull',
    'ReplicationAccessCrossAccount',
    'PtcAutopilotCrossAccountPull',
    'PtcAutopilotFirstPull',
    'PtcAutopilotFirstPullAccounts1',
    'PtcAutopilotFirstPullAccountsLegacy',
  ),
  Effect: fc.constant('Allow'),
  Principal: fc.record({ AWS: fc.constantFrom('arn:aws:iam::777788889999:root', 'arn:aws:iam::121212121212:root') }),
  Action: fc.constantFrom('ecr:ReplicateImage', 'ecr:BatchGetImage', 'ecr:BatchImportUpstreamImage'),
  Resource: fc.constant('*'),
});
const arnOf = (p: string) => `arn:aws:ecr:eu-west-2:111122223333:repository/${p}/*`;
const group = <T>(principal: fc.Arbitrary<T>) =>
  fc.array(
    fc.record({
      principals: fc.uniqueArray(principal, { minLength: 1, maxLength: 2 }).map((a) => [...a].sort() as string[]),
      repositoryArns: fc.uniqueArray(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 2 }).map((ps) => ps.map(arnOf)),
    }),
    { maxLength: 2 },
  );
const firstPullArb = fc.option(
  fc.record({
    accounts: group(fc.constantFrom('444455556666', '555566667777')),
    organizations: group(fc.constantFrom('o-a1b2c3d4e5', 'o-f6g7h8i9j0')),
    organizationalUnitPaths: group(
      fc.constantFrom('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/'),
    ),
  }),
  { nil: undefined },
);
const policyProps = fc
  .record({
    sourceAccounts: fc.uniqueArray(fc.constantFrom('444455556666', '555566667777'), { maxLength: 2 }),
    prefixes: fc.uniqueArray(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 3 }),
    firstPull: firstPullArb,
  })
  .map(({ sourceAccounts, prefixes, firstPull }): RegistrySettingsProperties =>
    registryPolicyProperties(
      { sourceAccounts, repositoryArns: prefixes.map(arnOf), partition: 'aws', ...(firstPull !== undefined ? { firstPull } : {}) },
      TARGET,
    ),
  );

const emptyScanning = (): Registry['scanning'] => ({ scanType: 'BASIC', rules: [] });

describe('foreign settings survive any sequence of custom resource events', () => {
  test('replication: every foreign rule is written back unchanged and in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(foreignReplicationRule, { maxLength: 6 }), steps(replicationProps), async (foreign, sequence) => {
        const registry: Registry = { replication: clone(foreign), scanning: emptyScanning() };
        serve(registry);
        await lifecycle(registry, sequence, () => {
          expect(
            registry.replication.filter(
              (r) =>
                !isOwnedReplicationRule({ destinations: r.destinations as never, repositoryFilters: r.repositoryFilters as never }, OWNED),
            ),
          ).toEqual(foreign);
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
          s.rules.flatMap((r) =>
            (r.repositoryFilters ?? [])
              .filter((f) => !isOwnedScanningFilter({ filter: f.filter!, filterType: f.filterType! }, OWNED))
              .map((f) => `${r.scanFrequency}:${f.filter}`),
          );
        await lifecycle(registry, sequence, () => {
          expect(foreignOf(registry.scanning)).toEqual(foreignOf(start));
          if (start.rules.length > 0) expect(registry.scanning.scanType).toBe(start.scanType);
        });
        if (sequence.at(-1)?.kind === 'delete') expect(registry.scanning).toEqual(start);
      }),
      { numRuns: 120 },
    );
  });

  test("registry policy: every foreign statement and document key stays; ours are exactly the last deploy's; the policy is deleted only when ours were its last", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(foreignStatement, { maxLength: 4 }),
        fc.boolean(),
        steps(policyProps),
        async (foreign, withId, sequence) => {
          const startText =
            foreign.length === 0
              ? undefined
              : JSON.stringify({ Version: '2012-10-17', ...(withId ? { Id: 'team-policy' } : {}), Statement: foreign });
          const registry: Registry = {
            replication: [],
            scanning: emptyScanning(),
            ...(startText !== undefined ? { policyText: startText } : {}),
          };
          serve(registry);
          await lifecycle(registry, sequence, (deployed) => {
            const document = registry.policyText === undefined ? undefined : JSON.parse(registry.policyText);
            const statements: { Sid?: string }[] = document === undefined ? [] : [document.Statement].flat();
            expect(statements.filter((s) => !isOwnedRegistryStatement(s))).toEqual(foreign);
            if (foreign.length > 0 && withId) expect(document.Id).toBe('team-policy');
            const wanted = deployed?.Kind === 'RegistryPolicy' ? registryPolicyStatements(registryPolicyIntentOf(deployed)) : [];
            expect(statements.filter((s) => isOwnedRegistryStatement(s))).toEqual(wanted);
          });
          if (sequence.at(-1)?.kind === 'delete') {
            expect(registry.policyText === undefined ? [] : JSON.parse(registry.policyText).Statement).toEqual(foreign);
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});
