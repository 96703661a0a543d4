import { ConfigError, consumerNamed, consumerPrincipals, consumersOf, parseConfig, parseConfigText } from '../../core';
import {
  DELEGATED_ADMIN,
  HUB_ACCOUNT,
  OU_NESTED,
  OU_PAYMENTS,
  PAYMENTS_ACCOUNT,
  SEARCH_ACCOUNT,
  hubWithConsumers,
  smallHub,
} from './helpers';

/** The config error lines of a config that must fail. */
function errorsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('the config was accepted');
}

const payments = { name: 'payments', account: PAYMENTS_ACCOUNT };

describe('the consumers key: both spellings', () => {
  test("a list of accounts is read with its defaults: the only environment is the hub, its Region the consumer's", () => {
    const config = smallHub({ consumers: [{ ...payments, nodeRoleArns: [`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/eks-nodes`] }] });
    const [consumer] = consumersOf(config);
    expect(consumer).toMatchObject({
      kind: 'account',
      name: 'payments',
      account: PAYMENTS_ACCOUNT,
      regions: ['eu-west-2'],
      nodeRoleArns: [`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/eks-nodes`],
      hub: { name: 'default', account: HUB_ACCOUNT, region: 'eu-west-2' },
      stacks: [{ stackName: 'PtcAutopilot-consumer-payments', account: PAYMENTS_ACCOUNT, region: 'eu-west-2', withNodePolicy: true }],
    });
  });

  test('the block form carries OUs, their Regions, role names and the delegated administrator, beside listed accounts', () => {
    const all = consumersOf(hubWithConsumers());
    expect(all.map((c) => `${c.kind}:${c.name}`)).toEqual(['account:payments', 'account:search', 'organization:organization']);
    expect(all[2]).toMatchObject({
      organizationalUnitPaths: [OU_PAYMENTS, `${OU_NESTED}/`],
      organizationalUnitIds: ['ou-ab12-11111111', 'ou-ab12-33333333'],
      regions: ['eu-west-2', 'us-east-1'],
      nodeRoleNames: ['eks-nodes', 'KarpenterNodeRole'],
      stackSetName: 'PtcAutopilot-consumer-organization',
      adminStack: { stackName: 'PtcAutopilot-consumers', account: DELEGATED_ADMIN, region: 'eu-west-2' },
      callAs: 'DELEGATED_ADMIN',
    });
  });

  test('a consumer in several Regions gets the hub of its first Region and one stack per Region, the policy in the first', () => {
    const search = consumersOf(hubWithConsumers())[1]!;
    expect(search.hub.name).toBe('prod-us');
    expect(search.kind === 'account' && search.stacks.map((s) => [s.stackName, s.region, s.withNodePolicy])).toEqual([
      ['PtcAutopilot-consumer-search', 'us-east-1', true],
      ['PtcAutopilot-consumer-search-eu-west-2', 'eu-west-2', false],
    ]);
  });

  test('without a delegated administrator the hub account creates the StackSet as the management account (CallAs SELF)', () => {
    const [org] = consumersOf(smallHub({ consumers: { organizationalUnits: ['o-a1b2c3d4e5/r-ab12'], regions: ['eu-west-2'] } }));
    expect(org).toMatchObject({
      kind: 'organization',
      organizationalUnitIds: ['r-ab12'],
      callAs: 'SELF',
      adminStack: { account: HUB_ACCOUNT, region: 'eu-west-2' },
    });
  });
});

describe('what the hub must grant (consumerPrincipals)', () => {
  test('every listed account and every OU path, sorted and unique, paths ending in "/"', () => {
    expect(consumerPrincipals(hubWithConsumers())).toEqual({
      accounts: [PAYMENTS_ACCOUNT, SEARCH_ACCOUNT],
      organizationalUnitPaths: [OU_PAYMENTS, `${OU_NESTED}/`],
    });
  });

  test('a config without consumers grants nothing more', () => {
    expect(consumerPrincipals(smallHub())).toEqual({ accounts: [], organizationalUnitPaths: [] });
  });
});

describe('bad consumers are config errors that name the field', () => {
  test("a node role of another account than the consumer's", () => {
    expect(
      errorsOf(() =>
        smallHub({
          consumers: [
            payments,
            { name: 'search', account: SEARCH_ACCOUNT, nodeRoleArns: [`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/eks-nodes`] },
          ],
        }),
      ),
    ).toEqual([
      `config error at consumers[1].nodeRoleArns[0]: "arn:aws:iam::${PAYMENTS_ACCOUNT}:role/eks-nodes" is a role of account ${PAYMENTS_ACCOUNT}, not of this consumer's account ${SEARCH_ACCOUNT}; the consumer's stack can attach a policy only to its own account's roles`,
    ]);
  });

  test('the same path in the block form', () => {
    expect(
      errorsOf(() => smallHub({ consumers: { accounts: [{ ...payments, nodeRoleArns: [`arn:aws:iam::${SEARCH_ACCOUNT}:role/x`] }] } }))[0],
    ).toMatch(/^config error at consumers\.accounts\[0\]\.nodeRoleArns\[0\]: .* is a role of account 777788889999/);
  });

  test('a duplicate name, a duplicate account and the hub account itself', () => {
    expect(
      errorsOf(() =>
        smallHub({
          consumers: [
            payments,
            { name: 'payments', account: SEARCH_ACCOUNT },
            { name: 'other', account: PAYMENTS_ACCOUNT },
            { name: 'self', account: HUB_ACCOUNT },
          ],
        }),
      ),
    ).toEqual([
      'config error at consumers[1].name: duplicate consumer name "payments" (already consumers[0])',
      `config error at consumers[2].account: account ${PAYMENTS_ACCOUNT} is already the consumer consumers[0]; one consumer per account (list every Region in its "regions")`,
      `config error at consumers[3].account: ${HUB_ACCOUNT} is the hub account itself (environment "default"); its nodes use the hub's own node policy: list its roles in "nodeRoleArns"`,
    ]);
  });

  test('a name that cannot end a stack name', () => {
    expect(errorsOf(() => smallHub({ consumers: [{ name: 'team_a', account: PAYMENTS_ACCOUNT }] }))).toEqual([
      'config error at consumers[0].name: "team_a" must start with a letter and hold only letters, digits and "-", at most 64 characters (it names the stack PtcAutopilot-consumer-<name>)',
    ]);
  });

  test('an OU given by its ID alone, a nested OU listed beside its parent, and OUs of two organizations', () => {
    expect(errorsOf(() => smallHub({ consumers: { organizationalUnits: ['ou-ab12-11111111'], regions: ['eu-west-2'] } }))[0]).toMatch(
      /^config error at consumers\.organizationalUnits\[0\]: must be an OU path as aws:PrincipalOrgPaths writes it/,
    );
    expect(
      errorsOf(() =>
        smallHub({ consumers: { organizationalUnits: [OU_PAYMENTS, `${OU_PAYMENTS}ou-ab12-44444444/`], regions: ['eu-west-2'] } }),
      ),
    ).toEqual([
      `config error at consumers.organizationalUnits[1]: "${OU_PAYMENTS}ou-ab12-44444444/" lies inside organizationalUnits[0] ("${OU_PAYMENTS}"), whose StackSet deployment already covers its accounts; remove it`,
    ]);
    expect(
      errorsOf(() => smallHub({ consumers: { organizationalUnits: [OU_PAYMENTS, 'o-b1b2c3d4e5/r-cd34'], regions: ['eu-west-2'] } })),
    ).toEqual([
      'config error at consumers.organizationalUnits: the OU paths name 2 organizations (o-a1b2c3d4e5, o-b1b2c3d4e5); a StackSet deploys within one organization',
    ]);
  });

  test('OUs without Regions, and StackSet keys without OUs', () => {
    expect(errorsOf(() => smallHub({ consumers: { organizationalUnits: [OU_PAYMENTS] } }))).toEqual([
      'config error at consumers.regions: required with "organizationalUnits": the Regions the StackSet deploys to',
    ]);
    expect(errorsOf(() => smallHub({ consumers: { delegatedAdminAccount: DELEGATED_ADMIN, accounts: [payments] } }))).toEqual([
      'config error at consumers.delegatedAdminAccount: "delegatedAdminAccount" goes with "organizationalUnits"; list the OUs, or give listed accounts their own keys',
    ]);
  });

  test('a role ARN where a role name is meant', () => {
    expect(
      errorsOf(() =>
        smallHub({
          consumers: {
            organizationalUnits: [OU_PAYMENTS],
            regions: ['eu-west-2'],
            nodeRoleNames: [`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/eks-nodes`],
          },
        }),
      )[0],
    ).toMatch(/^config error at consumers\.nodeRoleNames\[0\]: must be an IAM role name such as "eks-nodes"/);
  });

  test('with several environments, a hub that cannot be told, or that does not exist', () => {
    const two = (consumers: unknown) => () => hubWithConsumers(consumers);
    expect(errorsOf(two([{ ...payments, regions: ['ap-south-1'] }]))).toEqual([
      'config error at consumers[0]: the config has 2 environments (prod-eu, prod-us) and none is in ap-south-1; name the hub with "environment"',
    ]);
    expect(errorsOf(two([{ ...payments, environment: 'prod-ap' }]))).toEqual([
      'config error at consumers[0].environment: no environment named "prod-ap"; known: prod-eu, prod-us',
    ]);
  });

  test("a Region of another partition than the hub's", () => {
    expect(errorsOf(() => smallHub({ consumers: [{ ...payments, regions: ['cn-north-1'] }] }))).toEqual([
      'config error at consumers[0].regions[0]: cn-north-1 is in partition aws-cn but the hub is in aws; nodes cannot pull across partitions',
    ]);
  });
});

describe('sizes CloudFormation and SSM refuse are config errors when the config is read', () => {
  // Each ECR upstream of its own account is one more mirrored host, so the node config grows with the rules.
  const yaml = (rules: number, roleNames: number) =>
    [
      'account: "111122223333"',
      'region: eu-west-2',
      'rules:',
      ...Array.from(
        { length: rules },
        (_, i) =>
          `  - { prefix: team-${i}, upstream: ecr, upstreamAccount: "${String(999988880000 + i)}", upstreamRegion: eu-west-2, customRoleArn: "arn:aws:iam::111122223333:role/r" }`,
      ),
      'consumers:',
      `  organizationalUnits: ["${OU_PAYMENTS}"]`,
      '  regions: [eu-west-2]',
      ...(roleNames > 0
        ? ['  nodeRoleNames:', ...Array.from({ length: roleNames }, (_, i) => `    - eks-node-group-role-of-a-long-descriptive-name-${i}`)]
        : []),
      '',
    ].join('\n');

  test('a hub with a few rules reads fine', () => {
    expect(parseConfigText(yaml(5, 0)).consumers?.organization?.organizationalUnits).toEqual([OU_PAYMENTS]);
  });

  test('a StackSet template body over 51,200 bytes is refused with one line naming the OUs and their line', () => {
    expect(errorsOf(() => parseConfigText(yaml(5, 700)))).toEqual([
      expect.stringMatching(
        /^config error at consumers\.organizationalUnits: the StackSet PtcAutopilot-consumer-organization's template body would be about \d+ bytes \(it holds the node config of every rule\); CloudFormation takes at most 51200: use fewer rules \(line 10\)$/,
      ),
    ]);
  });

  test("node config documents over an SSM parameter's 8,192 bytes are refused once per format, at the hub's rules (a consumer publishes the same documents)", () => {
    const lines = errorsOf(() => parseConfigText(yaml(50, 0)));
    expect(
      lines.filter((l) => l.includes('an SSM parameter holds 8192')).map((l) => l.replace(/ would be \d+ bytes/, ' would be N bytes')),
    ).toEqual(
      ['containerd', 'al2023', 'bottlerocket', 'karpenter-al2023', 'karpenter-bottlerocket'].map(
        (f) =>
          `config error at rules: the ${f} node config the stack publishes would be N bytes; an SSM parameter holds 8192: mirror fewer upstream hosts (rules), or split the rules across configs (line 4)`,
      ),
    );
  });
});

describe('--consumer NAME lookup', () => {
  test('an unknown name is one line listing the known names', () => {
    expect(() => consumerNamed(hubWithConsumers(), 'billing')).toThrow(
      /^no consumer named "billing"; known consumers: payments, search, organization$/,
    );
  });

  test('a config without consumers says so', () => {
    expect(() => consumerNamed(smallHub(), 'billing')).toThrow('no consumer named "billing": the config lists no consumers');
  });

  test('parseConfig without consumers keeps the key absent', () => {
    expect(
      parseConfig({ account: HUB_ACCOUNT, region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] }).consumers,
    ).toBeUndefined();
  });
});
