import { buildPlan, deployLimitIssues, parseConfig, renderPlan, replicaConfig, replicaDestinations, effectiveSettings } from '../../core';
import { issuesOf } from './issues-of';

const KEY_EU = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_DEST = 'arn:aws:kms:eu-west-1:444455556666:key/5678abcd-12ab-34cd-56ef-1234567890ab';

const two = {
  rules: [
    { prefix: 'k8s', upstream: 'k8s' },
    { prefix: 'quay', upstream: 'quay' },
  ],
  environments: [
    { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
    { name: 'prod-us', account: '111122223333', region: 'us-east-1' },
  ],
};
const config = parseConfig({
  ...two,
  replication: { destinations: [{ region: 'us-east-1' }, { region: 'eu-west-1', account: '444455556666', prefixes: ['k8s'] }] },
});

describe('destinations no environment deploys get a replica stack', () => {
  test('one per account and Region, with the prefixes replicated there and the accounts replicating in from elsewhere', () => {
    expect(replicaDestinations(config)).toEqual([
      {
        target: expect.objectContaining({
          name: 'replica-444455556666-eu-west-1',
          stackName: 'PtcAutopilot-replica-444455556666-eu-west-1',
          account: '444455556666',
          region: 'eu-west-1',
          partition: 'aws',
        }),
        index: 1,
        prefixes: ['k8s'],
        sources: ['prod-eu', 'prod-us'],
        sourceAccounts: ['111122223333'],
      },
    ]);
  });

  test('a destination without account is one per source account; within one account it needs no registry policy', () => {
    const c = parseConfig({
      ...two,
      environments: [two.environments[0], { name: 'other', account: '222233334444', region: 'us-east-1' }],
      replication: { destinations: [{ region: 'ap-south-1' }] },
    });
    expect(replicaDestinations(c).map((r) => [r.target.stackName, r.sources, r.sourceAccounts])).toEqual([
      ['PtcAutopilot-replica-111122223333-ap-south-1', ['prod-eu'], []],
      ['PtcAutopilot-replica-222233334444-ap-south-1', ['other'], []],
    ]);
  });

  test('templates: false opts a destination out; an environment deploying it needs none', () => {
    const c = parseConfig({
      ...two,
      replication: { destinations: [{ region: 'us-east-1' }, { region: 'eu-west-1', account: '444455556666', templates: false }] },
    });
    expect(replicaDestinations(c)).toEqual([]);
  });

  test("the replica's config keeps the replicated rules' repository settings and accepts the source accounts, nothing more", () => {
    const c = parseConfig({
      ...two,
      repositories: {
        tags: { team: 'platform' },
        overrides: [
          { prefix: 'k8s', imageTagMutability: 'IMMUTABLE', lifecycle: { keepLastTagged: 5 } },
          { prefix: 'quay', scanOnPush: false },
        ],
      },
      scanning: { type: 'BASIC', frequency: 'SCAN_ON_PUSH' },
      nodeRoleArns: ['arn:aws:iam::111122223333:role/nodes'],
      prewarm: { images: ['registry.k8s.io/pause:3.9'] },
      replication: { destinations: [{ region: 'eu-west-1', account: '444455556666', prefixes: ['k8s'] }] },
    });
    const derived = replicaConfig(c, replicaDestinations(c)[0]!);
    expect(derived.rules.map((r) => r.prefix)).toEqual(['k8s']);
    expect(effectiveSettings(derived, 'k8s')).toEqual(effectiveSettings(c, 'k8s'));
    expect(derived.environments).toEqual([{ name: 'replica-444455556666-eu-west-1', account: '444455556666', region: 'eu-west-1' }]);
    expect(derived.replication).toEqual({ destinations: [], acceptFrom: ['111122223333'] });
    expect([derived.scanning, derived.nodeRoleArns, derived.prewarm.images]).toEqual([undefined, [], []]);
  });

  test("the destination's kmsKeyArn replaces the source's key in every KMS block of the replica's config", () => {
    const c = parseConfig({
      ...two,
      environments: [two.environments[0]],
      repositories: { encryption: { type: 'KMS', kmsKeyArn: KEY_EU } },
      replication: { destinations: [{ region: 'eu-west-1', account: '444455556666', kmsKeyArn: KEY_DEST }] },
    });
    const derived = replicaConfig(c, replicaDestinations(c)[0]!);
    expect(effectiveSettings(derived, 'k8s').encryption).toEqual({ type: 'KMS', kmsKeyArn: KEY_DEST });
    expect(effectiveSettings(c, 'k8s').encryption).toEqual({ type: 'KMS', kmsKeyArn: KEY_EU });
  });
});

describe('what a replica stack cannot do is a config error naming the field', () => {
  const oneEnv = { ...two, environments: [two.environments[0]] };

  test("a source's customer managed key cannot encrypt in another Region: the destination needs its own", () => {
    expect(
      issuesOf({
        ...oneEnv,
        repositories: { encryption: { type: 'KMS', kmsKeyArn: KEY_EU } },
        replication: { destinations: [{ region: 'eu-west-1', account: '444455556666' }] },
      }),
    ).toEqual([
      {
        path: 'replication.destinations[0]',
        message: expect.stringContaining(
          `encrypted with ${KEY_EU}; a KMS key serves only its own account and Region, and ECR needs a template's key "in the same Region as the repository": give this destination its own key in replication.destinations[0].kmsKeyArn`,
        ),
      },
    ]);
  });

  test("an environment's own key counts as the source's too", () => {
    const issues = issuesOf({
      ...oneEnv,
      environments: [{ ...two.environments[0], kmsKeyArn: KEY_EU }],
      repositories: { encryption: { type: 'KMS' } },
      replication: { destinations: [{ region: 'ap-south-1' }] },
    });
    expect(issues).toEqual([
      {
        path: 'replication.destinations[0]',
        message: expect.stringContaining('give this destination its own key in replication.destinations[0].kmsKeyArn'),
      },
    ]);
  });

  test('the AWS managed key (KMS without a key ARN) works in any Region and needs nothing', () => {
    expect(() =>
      parseConfig({
        ...oneEnv,
        repositories: { encryption: { type: 'KMS' } },
        replication: { destinations: [{ region: 'eu-west-1', account: '444455556666' }] },
      }),
    ).not.toThrow();
  });

  test("the destination's key must be in the destination's account and Region", () => {
    expect(
      issuesOf({
        ...oneEnv,
        repositories: { encryption: { type: 'KMS', kmsKeyArn: KEY_EU } },
        replication: { destinations: [{ region: 'eu-west-1', account: '999988887777', kmsKeyArn: KEY_DEST }] },
      }),
    ).toEqual([
      {
        path: 'replication.destinations[0].kmsKeyArn',
        message:
          'the key is in account 444455556666, eu-west-1 but the destination is 999988887777/eu-west-1; a KMS key serves only its own account and Region',
      },
    ]);
  });

  test('a destination key nothing uses is refused: no KMS, templates: false, or an environment deploys it', () => {
    expect(
      issuesOf({ ...oneEnv, replication: { destinations: [{ region: 'eu-west-1', account: '444455556666', kmsKeyArn: KEY_DEST }] } }),
    ).toEqual([
      {
        path: 'replication.destinations[0].kmsKeyArn',
        message: expect.stringContaining('no prefix replicated to 444455556666/eu-west-1 is encrypted with KMS'),
      },
    ]);
    expect(
      issuesOf({
        ...oneEnv,
        repositories: { encryption: { type: 'KMS' } },
        replication: { destinations: [{ region: 'eu-west-1', account: '444455556666', templates: false, kmsKeyArn: KEY_DEST }] },
      }),
    ).toEqual([
      {
        path: 'replication.destinations[0].kmsKeyArn',
        message: 'goes unused with templates: false (this config deploys nothing there); remove it',
      },
    ]);
    expect(
      issuesOf({
        ...two,
        repositories: { encryption: { type: 'KMS' } },
        replication: {
          destinations: [{ region: 'us-east-1', kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab' }],
        },
      }),
    ).toEqual([
      {
        path: 'replication.destinations[0].kmsKeyArn',
        message: expect.stringContaining('an environment of this config deploys that registry'),
      },
    ]);
  });

  test('templates: false where an environment deploys the destination does nothing and is refused', () => {
    expect(issuesOf({ ...two, replication: { destinations: [{ region: 'us-east-1', templates: false }] } })).toEqual([
      {
        path: 'replication.destinations[0].templates',
        message:
          'has no effect: environment "prod-us" deploys 111122223333/us-east-1, and its creation templates apply to replicated repositories; remove it',
      },
    ]);
  });

  test('a Region ptc-autopilot does not know gets no replica stack, unless opted out', () => {
    const issues = issuesOf({ ...oneEnv, replication: { destinations: [{ region: 'xx-north-9' }] } });
    expect(issues).toEqual([
      {
        path: 'replication.destinations[0].region',
        message: expect.stringContaining('"xx-north-9" is not an AWS Region ptc-autopilot knows'),
      },
    ]);
    expect(issues[0]!.message).toContain('set replication.destinations[0].templates: false if that registry is managed elsewhere');
    expect(() => parseConfig({ ...oneEnv, replication: { destinations: [{ region: 'xx-north-9', templates: false }] } })).not.toThrow();
  });

  test('a replica stack may not take the name of an environment stack', () => {
    const issues = issuesOf({
      ...two,
      environments: [...two.environments, { name: 'replica-444455556666-eu-west-1', account: '555566667777', region: 'eu-west-1' }],
      replication: { destinations: [{ region: 'eu-west-1', account: '444455556666' }] },
    });
    expect(issues).toContainEqual({
      path: 'replication.destinations[0]',
      message:
        'the replica stack for 444455556666/eu-west-1 would be named PtcAutopilot-replica-444455556666-eu-west-1, the stack of environment "replica-444455556666-eu-west-1"; rename that environment',
    });
  });

  test("replica stacks count in the deploy limits, at the destination's path", () => {
    expect(deployLimitIssues(config, 5)).toContainEqual({
      path: ['replication', 'destinations', 1],
      message: expect.stringContaining(
        'the replica stack PtcAutopilot-replica-444455556666-eu-west-1 would hold 13 CloudFormation resources; a stack holds at most 5',
      ),
    });
    expect(deployLimitIssues(config).filter((i) => i.path[0] === 'replication')).toEqual([]);
  });
});

describe('the plan says where each replication destination gets its creation templates', () => {
  test('from the environment that deploys it, or from the replica stack this config adds', () => {
    const [eu] = buildPlan(config).environments;
    expect(eu!.replicationTemplates).toEqual([
      { account: '111122223333', region: 'us-east-1', environment: 'prod-us' },
      {
        account: '444455556666',
        region: 'eu-west-1',
        stackName: 'PtcAutopilot-replica-444455556666-eu-west-1',
        prefixes: ['k8s'],
        registryPolicyFor: ['111122223333'],
      },
    ]);
  });

  test('the text plan names the stack, what it holds and how to deploy it into another account', () => {
    const text = renderPlan(buildPlan(config));
    expect(text).toContain(
      "creation templates at 111122223333/us-east-1: created by environment prod-us's stack, applied to replicated repositories",
    );
    expect(text).toContain(
      'creation templates at 444455556666/eu-west-1: created by stack PtcAutopilot-replica-444455556666-eu-west-1 of this config (REPLICATION templates for k8s and the registry policy statement letting 111122223333 replicate in)\n' +
        "    deploy it too, before replication starts: it is in account 444455556666, so deploy it with that account's credentials, or bootstrap 444455556666/eu-west-1 to trust this account (cdk bootstrap aws://444455556666/eu-west-1 --trust 111122223333) and run cdk deploy --all",
    );
    // The registry policy the replica stack deploys is no longer "not deployed by this config".
    expect(text).toContain(
      'cross-account destination 444455556666/eu-west-1 needs its registry policy to allow ecr:CreateRepository, ecr:ReplicateImage from this account:\n    deployed by environment replica-444455556666-eu-west-1 of this config',
    );
    expect(text).not.toContain('not deployed by this config');
  });

  test('a replica in the same account is deployed with the same credentials', () => {
    const c = parseConfig({ ...two, environments: [two.environments[0]], replication: { destinations: [{ region: 'ap-south-1' }] } });
    expect(renderPlan(buildPlan(c))).toContain(
      'creation templates at 111122223333/ap-south-1: created by stack PtcAutopilot-replica-111122223333-ap-south-1 of this config (REPLICATION templates for k8s, quay)\n' +
        '    deploy it too, before replication starts (cdk deploy --all, or cdk deploy PtcAutopilot-replica-111122223333-ap-south-1; the stacks replicating there depend on it)',
    );
  });

  test('an opted-out destination keeps the NONE line and the statement to add by hand', () => {
    const c = parseConfig({ ...two, replication: { destinations: [{ region: 'eu-west-1', account: '444455556666', templates: false }] } });
    expect(buildPlan(c).environments[0]!.replicationTemplates).toEqual([{ account: '444455556666', region: 'eu-west-1', optedOut: true }]);
    const text = renderPlan(buildPlan(c));
    expect(text).toContain(
      'creation templates at 444455556666/eu-west-1: NONE from this config (templates: false); replicated repositories arrive there without lifecycle, repository policy or tags',
    );
    expect(text).toContain(
      'not deployed by this config: add replication.acceptFrom: ["111122223333"] to the config that deploys 444455556666/eu-west-1',
    );
  });

  test('without replication the plan has no such entry', () => {
    const plain = parseConfig({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] });
    expect(buildPlan(plain).environments[0]!.replicationTemplates).toBeUndefined();
  });
});
