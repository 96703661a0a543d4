import {
  mergeRegistryPolicy,
  mergeReplication,
  mergeScanning,
  RegistryConflictError,
  RegistryLimitError,
  RegistryPolicyParseError,
  type ScanningIntent,
} from '../../core';

const k8sOnPush: ScanningIntent = { prefixes: ['k8s'], scanType: 'ENHANCED', frequency: 'SCAN_ON_PUSH' };
const w = (filter: string) => ({ filter, filterType: 'WILDCARD' });

describe('mergeScanning', () => {
  test('Create refuses our filter already sitting under another frequency', () => {
    const current = { scanType: 'ENHANCED', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [w('k8s/*')] }] };
    expect(() => mergeScanning(current, { action: 'Create', intent: k8sOnPush })).toThrow(
      new RegistryConflictError(
        'scanning.frequency',
        'the registry already scans "k8s/*" with CONTINUOUS_SCAN, a filter ptc-autopilot did not create; remove it or set scanning.frequency to CONTINUOUS_SCAN',
      ),
    );
  });

  test("foreign filters plus ours beyond 100 in one rule is ECR's limit", () => {
    const foreign = Array.from({ length: 100 }, (_, i) => w(`team-${i}`));
    const current = { scanType: 'ENHANCED', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: foreign }] };
    expect(() => mergeScanning(current, { action: 'Create', intent: k8sOnPush })).toThrow(RegistryLimitError);
    expect(() => mergeScanning(current, { action: 'Create', intent: k8sOnPush })).toThrow(
      /^scanning: the SCAN_ON_PUSH scanning rule would hold 101 filters/,
    );
  });

  test('MANUAL writes no filter and removes ours', () => {
    const current = { scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('prod-*'), w('k8s/*')] }] };
    const out = mergeScanning(current, {
      action: 'Update',
      intent: { prefixes: ['k8s'], scanType: 'BASIC', frequency: 'MANUAL' },
      previous: { prefixes: ['k8s'], scanType: 'BASIC', frequency: 'SCAN_ON_PUSH' },
    });
    expect(out.next).toEqual({ scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('prod-*')] }] });
  });

  test('a filter on a deeper path or without the slash is not ours', () => {
    const current = {
      scanType: 'ENHANCED',
      rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [w('k8s/team/*'), w('k8s*'), w('k8s')] }],
    };
    const out = mergeScanning(current, { action: 'Delete', intent: k8sOnPush });
    expect(out.changed).toBe(false);
  });
});

describe('mergeReplication', () => {
  test('an unchanged configuration is reported unchanged', () => {
    const rule = {
      destinations: [{ region: 'us-east-1', registryId: '111122223333' }],
      repositoryFilters: [{ filter: 'k8s/', filterType: 'PREFIX_MATCH' }],
    };
    const intent = { rules: [{ prefixes: ['k8s'], destinations: [{ region: 'us-east-1', registryId: '111122223333' }] }] };
    expect(mergeReplication({ rules: [rule] }, { action: 'Update', intent, previous: intent }).changed).toBe(false);
  });

  test('a rule shaped like ours that someone added after our deploy (our prefix, their destination) survives update and delete', () => {
    const ours = {
      destinations: [{ region: 'us-east-1', registryId: '111122223333' }],
      repositoryFilters: [{ filter: 'k8s/', filterType: 'PREFIX_MATCH' }],
    };
    const theirs = {
      destinations: [{ region: 'us-west-1', registryId: '111122223333' }],
      repositoryFilters: [{ filter: 'k8s/', filterType: 'PREFIX_MATCH' }],
    };
    const before = { rules: [{ prefixes: ['k8s'], destinations: [{ region: 'us-east-1', registryId: '111122223333' }] }] };
    const after = { rules: [{ prefixes: ['k8s'], destinations: [{ region: 'eu-west-1', registryId: '111122223333' }] }] };
    const updated = mergeReplication({ rules: [ours, theirs] }, { action: 'Update', intent: after, previous: before });
    expect(updated.next.rules).toEqual([
      {
        destinations: [{ region: 'eu-west-1', registryId: '111122223333' }],
        repositoryFilters: [{ filter: 'k8s/', filterType: 'PREFIX_MATCH' }],
      },
      theirs,
    ]);
    expect(mergeReplication(updated.next, { action: 'Delete', intent: after }).next.rules).toEqual([theirs]);
  });

  test("more than 25 destinations across rules, foreign ones included, is ECR's limit", () => {
    const foreign = Array.from({ length: 25 }, (_, i) => ({
      destinations: [{ region: 'us-west-2', registryId: String(100000000000 + i) }],
    }));
    const intent = { rules: [{ prefixes: ['k8s'], destinations: [{ region: 'us-east-1', registryId: '111122223333' }] }] };
    // 26 rules would also break the rule limit; keep it at 9 foreign rules holding 25 destinations.
    const packed = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({
      destinations: foreign.slice(i * 3, i * 3 + 3).flatMap((r) => r.destinations),
    }));
    expect(() => mergeReplication({ rules: packed }, { action: 'Create', intent })).toThrow(
      'replication.destinations: the registry would replicate to 26 destinations across its rules (including rules not created by ptc-autopilot); ECR allows 25',
    );
  });
});

describe('mergeRegistryPolicy', () => {
  test('a policy that is not JSON is reported, not overwritten', () => {
    expect(() =>
      mergeRegistryPolicy('{not json', {
        action: 'Create',
        intent: { sourceAccounts: ['111122223333'], repositoryArns: ['arn:aws:ecr:us-east-1:444455556666:repository/k8s/*'] },
      }),
    ).toThrow(RegistryPolicyParseError);
  });

  test('keeps other top-level keys of the document', () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Id: 'corp-registry-policy',
      Statement: { Sid: 'Other', Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage', Resource: '*' },
    });
    const out = mergeRegistryPolicy(text, {
      action: 'Create',
      intent: { sourceAccounts: ['111122223333'], repositoryArns: ['arn:aws:ecr:us-east-1:444455556666:repository/k8s/*'] },
    });
    expect(JSON.parse(out.policyText!)).toMatchObject({
      Id: 'corp-registry-policy',
      Statement: [{ Sid: 'Other' }, { Sid: 'PtcAutopilotReplicationAccess' }],
    });
  });
});
