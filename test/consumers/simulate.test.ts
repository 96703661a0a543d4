/**
 * The consumer node policy in IAM evaluation (@cloud-copilot/iam-simulate): a consumer account's
 * node role calling ECR on a hub repository. The hub's resource policies here are invented, in the
 * shape issue 14 gives the hub side (a registry policy statement granting first pull, a repository
 * policy granting pull, by account or by aws:PrincipalOrgPaths); the hub's own simulation harness
 * (test/aws-truth/iam-simulate.ts) evaluates the statements the hub really writes.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { consumerNodePolicyDocument } from '../../core';

const HUB = { partition: 'aws', region: 'eu-west-2', account: '111122223333' };
const CONSUMER = '444455556666';
const ROLE = `arn:aws:iam::${CONSUMER}:role/eks-nodes`;
const REPO = (name: string) => `arn:aws:ecr:eu-west-2:111122223333:repository/${name}`;
const OU_PATH = 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/';
const FIRST_PULL = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];
const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

type Grant = { by: 'account' } | { by: 'ou' } | { by: 'nothing' };

/** The hub's grant (invented, see above): one resource policy with the first-pull and pull statements. */
function hubPolicy(grant: Grant): Simulation['resourcePolicy'] {
  if (grant.by === 'nothing') return undefined;
  const who = grant.by === 'account'
    ? { Principal: { AWS: `arn:aws:iam::${CONSUMER}:root` } }
    : { Principal: { AWS: '*' }, Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${OU_PATH}*`] } } };
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', ...who, Action: [...FIRST_PULL, ...PULL], Resource: REPO('docker-hub/*') }],
  } as Simulation['resourcePolicy'];
}

async function decide(action: string, resource: string, grant: Grant, orgPaths: string[] = []): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: ROLE,
      action,
      resource: { resource, accountId: resource === '*' ? CONSUMER : HUB.account },
      contextVariables: orgPaths.length > 0 ? { 'aws:PrincipalOrgPaths': orgPaths, 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } : {},
    },
    identityPolicies: [{ name: 'consumer-node-policy', policy: consumerNodePolicyDocument(HUB, ['docker-hub', 'k8s']) as never }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(hubPolicy(grant) === undefined ? {} : { resourcePolicy: hubPolicy(grant) }),
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
  return response.overallResult;
}

const repo = REPO('docker-hub/library/nginx');

describe('a consumer node role with the consumer policy, on a hub repository under a managed prefix', () => {
  test.each([...FIRST_PULL, ...PULL])('%s is allowed when the hub grants the consumer account', async (action) => {
    expect(await decide(action, repo, { by: 'account' })).toBe('Allowed');
  });

  test.each([...FIRST_PULL, ...PULL])('%s is allowed when the hub grants the consumer\'s OU path', async (action) => {
    expect(await decide(action, repo, { by: 'ou' }, [OU_PATH])).toBe('Allowed');
  });

  test('an account outside the granted OU is denied', async () => {
    expect(await decide('ecr:BatchImportUpstreamImage', repo, { by: 'ou' }, ['o-a1b2c3d4e5/r-ab12/ou-ab12-99999999/'])).toBe('ImplicitlyDenied');
  });

  test('the consumer policy alone is not enough: without the hub\'s grant a cross-account first pull is denied', async () => {
    expect(await decide('ecr:CreateRepository', repo, { by: 'nothing' })).toBe('ImplicitlyDenied');
  });

  test.each(['ecr:PutImage', 'ecr:DeleteRepository', 'ecr:InitiateLayerUpload'])('%s, which the policy does not grant, is denied', async (action) => {
    expect(await decide(action, repo, { by: 'account' })).toBe('ImplicitlyDenied');
  });

  test('a repository outside the managed prefixes is denied', async () => {
    expect(await decide('ecr:BatchGetImage', REPO('private/app'), { by: 'account' })).toBe('ImplicitlyDenied');
  });

  test('the authorization token (no resource-level permission) is allowed on "*" in the consumer\'s own account', async () => {
    expect(await decide('ecr:GetAuthorizationToken', '*', { by: 'nothing' })).toBe('Allowed');
  });
});
