import fc from 'fast-check';
import {
  desiredReplicationRules,
  isOwnedReplicationRule,
  replicationRuleKey,
  isOwnedScanningFilter,
  mergeRegistryPolicy,
  mergeReplication,
  mergeScanning,
  PtcError,
  REGISTRY_POLICY_SID,
  isOwnedRegistryStatement,
  registryPolicyStatements,
  type FirstPullGroup,
  type RegistryPolicyIntent,
  type ReplicationConfiguration,
  type ReplicationIntent,
  type ReplicationRule,
  type ScanningConfiguration,
  type ScanningIntent,
  type ScanningRule,
} from '../../core';

const PREFIXES = ['docker-hub', 'k8s', 'quay', 'ghcr', 'k8s-mirror'];
const OWNED = new Set(PREFIXES);
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
const ACCOUNTS = ['111122223333', '444455556666'];

// Foreign filters include near misses of ours: no slash, a longer name, a deeper path, another type.
const foreignReplicationFilter = fc.oneof(
  fc.constantFrom(...PREFIXES).map((p) => ({ filter: p, filterType: 'PREFIX_MATCH' })),
  fc.constantFrom(...PREFIXES).map((p) => ({ filter: `${p}x/`, filterType: 'PREFIX_MATCH' })),
  fc.constantFrom(...PREFIXES).map((p) => ({ filter: `${p}/team/`, filterType: 'PREFIX_MATCH' })),
  fc.constantFrom('team-a/', 'prod', 'ml/models/').map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })),
);
const ownedReplicationFilter = fc.constantFrom(...PREFIXES).map((p) => ({ filter: `${p}/`, filterType: 'PREFIX_MATCH' }));
const destination = fc.record({ region: fc.constantFrom(...REGIONS), registryId: fc.constantFrom(...ACCOUNTS) });

const foreignReplicationRule: fc.Arbitrary<ReplicationRule> = fc.oneof(
  fc.record({ destinations: fc.array(destination, { minLength: 1, maxLength: 2 }) }),
  fc.record({ destinations: fc.array(destination, { minLength: 1, maxLength: 2 }), repositoryFilters: fc.constant([]) }),
  fc.record({
    destinations: fc.array(destination, { minLength: 1, maxLength: 2 }),
    // At least one foreign filter, possibly mixed with filters shaped like ours: the rule is still foreign.
    repositoryFilters: fc
      .tuple(fc.array(foreignReplicationFilter, { minLength: 1, maxLength: 3 }), fc.array(ownedReplicationFilter, { maxLength: 2 }))
      .map(([a, b]) => [...a, ...b]),
  }),
);

const replicationIntentArb: fc.Arbitrary<ReplicationIntent> = fc.record({
  rules: fc.array(
    fc.record({
      prefixes: fc.uniqueArray(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 5 }),
      destinations: fc.uniqueArray(destination, { minLength: 1, maxLength: 3, selector: (d) => `${d.registryId}/${d.region}` }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

type Step<I> = { kind: 'deploy'; intent: I } | { kind: 'delete' };
const steps = <I>(intent: fc.Arbitrary<I>) =>
  fc.array(
    fc.oneof(
      intent.map((i) => ({ kind: 'deploy' as const, intent: i })),
      fc.constant({ kind: 'delete' as const }),
    ),
    { minLength: 1, maxLength: 8 },
  ) as fc.Arbitrary<Step<I>[]>;

/** Runs steps the way CloudFormation would: Create when nothing is deployed, Update after, Delete to remove. */
function lifecycle<C, I>(
  start: C,
  sequence: Step<I>[],
  merge: (current: C, change: { action: 'Create' | 'Update' | 'Delete'; intent: I; previous?: I }) => { next: C },
  check: (state: C, deployed: I | undefined) => void,
): void {
  let state = start;
  let deployed: I | undefined;
  for (const step of sequence) {
    try {
      if (step.kind === 'delete') {
        if (deployed === undefined) continue;
        state = merge(state, { action: 'Delete', intent: deployed }).next;
        deployed = undefined;
      } else if (deployed === undefined) {
        state = merge(state, { action: 'Create', intent: step.intent }).next;
        deployed = step.intent;
      } else {
        state = merge(state, { action: 'Update', intent: step.intent, previous: deployed }).next;
        deployed = step.intent;
      }
    } catch (err) {
      // A refused change (ECR limit, conflict) writes nothing: the state stays as it was.
      if (!(err instanceof PtcError)) throw err;
    }
    check(state, deployed);
  }
}

describe('foreign settings survive any sequence of our operations', () => {
  test('replication: every foreign rule stays, unchanged and in order; ours match the last deploy', () => {
    fc.assert(
      fc.property(fc.array(foreignReplicationRule, { maxLength: 8 }), steps(replicationIntentArb), (foreign, sequence) => {
        const start: ReplicationConfiguration = { rules: foreign };
        lifecycle(start, sequence, mergeReplication, (state, deployed) => {
          const all = new Set(PREFIXES);
          expect(state.rules.filter((r) => !isOwnedReplicationRule(r, all))).toEqual(foreign);
          const ours = state.rules.filter((r) => isOwnedReplicationRule(r, all));
          // Ours are exactly the last deploy's rules, whatever came before (Create, Update, Delete).
          expect(ours.map(replicationRuleKey).sort()).toEqual(
            (deployed === undefined ? [] : desiredReplicationRules(deployed)).map(replicationRuleKey).sort(),
          );
        });
      }),
      { numRuns: 300 },
    );
  });

  const foreignScanningFilter = fc.oneof(
    fc.constantFrom(...PREFIXES).map((p) => ({ filter: `${p}*`, filterType: 'WILDCARD' })),
    fc.constantFrom(...PREFIXES).map((p) => ({ filter: `${p}/team/*`, filterType: 'WILDCARD' })),
    fc.constantFrom(...PREFIXES).map((p) => ({ filter: p, filterType: 'WILDCARD' })),
    fc.constantFrom('*', 'prod-*', 'payments').map((filter) => ({ filter, filterType: 'WILDCARD' })),
  );
  const foreignScanning: fc.Arbitrary<ScanningConfiguration> = fc.record({
    scanType: fc.constantFrom('BASIC', 'ENHANCED'),
    rules: fc
      .uniqueArray(fc.constantFrom('SCAN_ON_PUSH', 'CONTINUOUS_SCAN'), { maxLength: 2 })
      .chain((frequencies) =>
        fc.tuple(
          ...frequencies.map((f) =>
            fc
              .array(foreignScanningFilter, { maxLength: 4 })
              .map((repositoryFilters): ScanningRule => ({ scanFrequency: f, repositoryFilters })),
          ),
        ),
      ),
  });
  const scanningIntentArb: fc.Arbitrary<ScanningIntent> = fc.oneof(
    fc.record({
      prefixes: fc.uniqueArray(fc.constantFrom(...PREFIXES), { maxLength: 5 }),
      scanType: fc.constant('BASIC' as const),
      frequency: fc.constantFrom('SCAN_ON_PUSH' as const, 'MANUAL' as const),
    }),
    fc.record({
      prefixes: fc.uniqueArray(fc.constantFrom(...PREFIXES), { maxLength: 5 }),
      scanType: fc.constant('ENHANCED' as const),
      frequency: fc.constantFrom('SCAN_ON_PUSH' as const, 'CONTINUOUS_SCAN' as const),
    }),
  );

  test('scanning: every foreign filter stays under its frequency; the scan type changes only without foreign rules', () => {
    fc.assert(
      fc.property(foreignScanning, steps(scanningIntentArb), (start, sequence) => {
        const foreignOf = (c: ScanningConfiguration) =>
          c.rules.flatMap((r) =>
            r.repositoryFilters.filter((f) => !isOwnedScanningFilter(f, OWNED)).map((f) => `${r.scanFrequency}:${f.filter}`),
          );
        lifecycle(start, sequence, mergeScanning, (state, deployed) => {
          expect(foreignOf(state)).toEqual(foreignOf(start));
          const ours = state.rules.flatMap((r) =>
            r.repositoryFilters.filter((f) => isOwnedScanningFilter(f, OWNED)).map((f) => `${r.scanFrequency}:${f.filter}`),
          );
          const wanted =
            deployed === undefined || deployed.frequency === 'MANUAL' ? [] : deployed.prefixes.map((p) => `${deployed.frequency}:${p}/*`);
          expect(ours.sort()).toEqual(wanted.sort());
          // Ownership is per filter. An empty foreign rule scans nothing; once it holds our filters,
          // it leaves with them (documented), so it is not asserted here.
          if (start.rules.some((r) => r.repositoryFilters.length > 0)) expect(state.scanType).toBe(start.scanType);
        });
      }),
      { numRuns: 300 },
    );
  });

  const statement = fc.record({
    // Near misses of our Sids (a prefix of one, a wrong suffix) are someone else's.
    Sid: fc.option(
      fc.constantFrom(
        'AllowPull',
        'ReplicationAccessCrossAccount',
        'PtcAutopilotCrossAccountPull',
        'PtcAutopilotReplication',
        'PtcAutopilotFirstPull',
        'PtcAutopilotFirstPullAccounts1',
        'PtcAutopilotFirstPullOrganizationsX',
      ),
      { nil: undefined },
    ),
    Effect: fc.constantFrom('Allow', 'Deny'),
    Principal: fc.record({ AWS: fc.constantFrom('arn:aws:iam::777788889999:root', 'arn:aws:iam::121212121212:root') }),
    Action: fc.constantFrom('ecr:ReplicateImage', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'),
    Resource: fc.constant('*'),
  });
  const arn = fc.constantFrom(...PREFIXES).map((p) => `arn:aws:ecr:us-east-1:999988887777:repository/${p}/*`);
  const groups = (principal: fc.Arbitrary<string>): fc.Arbitrary<FirstPullGroup[]> =>
    fc.array(
      fc.record({
        principals: fc.uniqueArray(principal, { minLength: 1, maxLength: 2 }),
        repositoryArns: fc.uniqueArray(arn, { minLength: 1, maxLength: 2 }),
      }),
      { maxLength: 3 },
    );
  const policyIntent: fc.Arbitrary<RegistryPolicyIntent> = fc.record(
    {
      sourceAccounts: fc.uniqueArray(fc.constantFrom(...ACCOUNTS), { maxLength: 2 }),
      repositoryArns: fc.uniqueArray(arn, { minLength: 1, maxLength: 3 }),
      firstPull: fc.record({
        accounts: groups(fc.constantFrom(...ACCOUNTS)),
        organizations: groups(fc.constantFrom('o-a1b2c3d4e5', 'o-f6g7h8i9j0')),
        organizationalUnitPaths: groups(fc.constantFrom('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', 'o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/')),
      }),
    },
    { requiredKeys: ['sourceAccounts', 'repositoryArns'] },
  );

  test("registry policy: every foreign statement and document key stays, unchanged and in order; ours are exactly the last deploy's", () => {
    fc.assert(
      fc.property(
        fc.array(statement, { maxLength: 5 }),
        fc.boolean(),
        fc.boolean(),
        steps(policyIntent),
        (foreign, single, withId, sequence) => {
          const clean = foreign.map((s) => JSON.parse(JSON.stringify(s)) as object);
          const startText =
            clean.length === 0
              ? undefined
              : JSON.stringify({
                  Version: '2012-10-17',
                  ...(withId ? { Id: 'team' } : {}),
                  Statement: single && clean.length === 1 ? clean[0] : clean,
                });
          const merge = (text: string | undefined, change: { action: 'Create' | 'Update' | 'Delete'; intent: RegistryPolicyIntent }) => {
            const out = mergeRegistryPolicy(text, change);
            return { next: out.changed ? out.policyText : text };
          };
          lifecycle(startText, sequence, merge, (text, deployed) => {
            const document = text === undefined ? undefined : JSON.parse(text);
            const statements: { Sid?: string }[] = document === undefined ? [] : [document.Statement].flat();
            expect(statements.filter((s) => !isOwnedRegistryStatement(s))).toEqual(clean);
            if (clean.length > 0 && withId) expect(document.Id).toBe('team');
            // Ours, in place of the first of ours: a statement of an earlier deploy that this one does not want is gone.
            expect(statements.filter((s) => isOwnedRegistryStatement(s))).toEqual(
              deployed === undefined ? [] : registryPolicyStatements(deployed),
            );
            expect(statements.filter((s) => s.Sid === REGISTRY_POLICY_SID)).toHaveLength(
              deployed !== undefined && deployed.sourceAccounts.length > 0 ? 1 : 0,
            );
            const sids = statements.filter((s) => isOwnedRegistryStatement(s)).map((s) => s.Sid);
            expect(new Set(sids).size).toBe(sids.length);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
