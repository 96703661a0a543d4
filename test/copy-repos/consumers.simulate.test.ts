/**
 * A consumer account's node pulling a copy from the hub, evaluated by IAM's rules as
 * `@cloud-copilot/iam-simulate` implements them: the consumer node policy (core/consumers) in its own
 * account, and the hub repository policy the copy creation template and the reconciler write
 * (computed from the reconciler's payload read back through JSON, as the Lambda reads it).
 */
import { consumerNodePolicyDocument, desiredStateForPrefix, mergeRepositoryPolicy, parseConfig, policyDocument, targets } from '../../core';
import { readReconcilerPayload, reconcilerPayload } from '../../core/lambda-settings';
import { simulate, type PolicyJson } from '../aws-truth/iam-simulate';

const HUB = '111122223333';
const REGION = 'eu-west-2';
const CONSUMER = '444455556666';
const OTHER = '999900001111';
const hub = { partition: 'aws', region: REGION, account: HUB };

/** Invented: a hub with one rule, one copies entry and one listed consumer account. */
const config = parseConfig({
  account: HUB,
  region: REGION,
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  copies: [{ prefix: 'gcr', upstream: 'gcr.io', images: ['gcr.io/distroless/static:nonroot'] }],
  consumers: { accounts: [{ name: 'payments', account: CONSUMER, nodeRoleArns: [`arn:aws:iam::${CONSUMER}:role/eks-nodes`] }] },
});

/** The copy repository's policy: the creation template's, and the reconciler's on a repository without one. */
function copyRepositoryPolicies(): PolicyJson[] {
  const template = policyDocument(desiredStateForPrefix(config, 'gcr', 'aws').repositoryPolicyStatements)!;
  const payload = readReconcilerPayload(JSON.parse(JSON.stringify(reconcilerPayload(config, targets(config)[0]!))));
  const reconciled = JSON.parse(
    mergeRepositoryPolicy(undefined, desiredStateForPrefix(payload, 'gcr', 'aws').repositoryPolicyStatements).policyText!,
  ) as PolicyJson;
  return [template, reconciled];
}

const nodePolicy = consumerNodePolicyDocument(hub, ['k8s'], ['gcr']) as unknown as PolicyJson;
const repo = (name: string) => `arn:aws:ecr:${REGION}:${HUB}:repository/${name}`;

async function decide(account: string, action: string, name: string, resourcePolicy?: PolicyJson) {
  return simulate({
    principal: `arn:aws:iam::${account}:role/eks-nodes`,
    action,
    resource: repo(name),
    resourceAccount: HUB,
    identityPolicies: { node: nodePolicy },
    ...(resourcePolicy !== undefined ? { resourcePolicy } : {}),
    context: { 'aws:PrincipalAccount': account },
  });
}

describe('a consumer node and a hub copy repository, simulated', () => {
  test.each(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'])(
    'the consumer may %s on gcr/distroless/static (template and reconciler alike)',
    async (action) => {
      for (const policy of copyRepositoryPolicies()) {
        const answer = await decide(CONSUMER, action, 'gcr/distroless/static', policy);
        expect(answer).toMatchObject({ allowed: true });
        expect(answer.reasons).toEqual(['identity:node#PtcAutopilotHubCopiedPull', 'resource#PtcAutopilotCrossAccountPull']);
      }
    },
  );

  test.each(['ecr:BatchImportUpstreamImage', 'ecr:PutImage', 'ecr:CreateRepository'])(
    'the consumer may not %s on a copy repository: copies are pulled, never written or imported by nodes',
    async (action) => {
      for (const policy of copyRepositoryPolicies())
        expect(await decide(CONSUMER, action, 'gcr/distroless/static', policy)).toMatchObject({ allowed: false });
    },
  );

  test('the same grant does not reach a repository outside the managed prefixes, nor another account', async () => {
    const [policy] = copyRepositoryPolicies();
    // A repository that happens to carry the same policy, outside gcr/: the consumer's own node policy does not allow it.
    expect(await decide(CONSUMER, 'ecr:BatchGetImage', 'team-a/app', policy)).toMatchObject({ allowed: false });
    expect(await decide(CONSUMER, 'ecr:BatchGetImage', 'gcrx/distroless/static', policy)).toMatchObject({ allowed: false });
    expect(await decide(OTHER, 'ecr:BatchGetImage', 'gcr/distroless/static', policy)).toMatchObject({ allowed: false });
  });

  test('without copies the consumer node policy has no copy statement, and cannot pull a copy', async () => {
    const plain = consumerNodePolicyDocument(hub, ['k8s']);
    expect(plain.Statement.map((s) => s.Sid)).toEqual(['PtcAutopilotHubFirstPull', 'PtcAutopilotHubPull', 'PtcAutopilotRegistryAuthToken']);
    const [policy] = copyRepositoryPolicies();
    const answer = await simulate({
      principal: `arn:aws:iam::${CONSUMER}:role/eks-nodes`,
      action: 'ecr:BatchGetImage',
      resource: repo('gcr/distroless/static'),
      resourceAccount: HUB,
      identityPolicies: { node: plain },
      resourcePolicy: policy!,
      context: { 'aws:PrincipalAccount': CONSUMER },
    });
    expect(answer.allowed).toBe(false);
  });
});
