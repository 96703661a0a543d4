/**
 * A first pull through the hub's cache from another account, evaluated by IAM's rules as
 * `@cloud-copilot/iam-simulate` implements them: the node role's identity policy (in its own
 * account) and the hub's resource policy must both allow. The hub's policies come from the code:
 * the registry policy is what the registry-settings merge writes for a real config (beside a
 * foreign statement from the fixture), the repository policy what the creation template and the
 * reconciler write. `ecr:CreateRepository` and `ecr:BatchImportUpstreamImage` of a repository not
 * yet created are evaluated against the registry policy; pulls against the repository policy.
 */
import {
  consumerNodePolicyDocument,
  desiredStateForPrefix,
  mergeRegistryPolicy,
  mergeRepositoryPolicy,
  parseConfig,
  policyDocument,
  registryPolicyIntent,
  targets,
  type PtcConfig,
} from '../../core';
import { readReconcilerPayload, reconcilerPayload } from '../../core/lambda-settings';
import { fixture } from '../registry-settings/helpers';
import { simulate, type PolicyJson } from './iam-simulate';

const HUB = '444455556666';
const REGION = 'us-east-1';
const ORG = 'o-a1b2c3d4e5';
const OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
const PREFIXES = ['k8s', 'quay'];
const hubTarget = { partition: 'aws', region: REGION, account: HUB };

function hubConfig(repositories: Record<string, unknown>): PtcConfig {
  return parseConfig({ account: HUB, region: REGION, rules: PREFIXES.map((prefix) => ({ prefix, upstream: prefix })), repositories });
}

/** The registry policy the registry-settings custom resource's Create writes, beside the fixture's foreign statement. */
function registryPolicyOf(config: PtcConfig): PolicyJson {
  const foreign = fixture<{ policyText: string }>('get-registry-policy.foreign.json').policyText;
  const merge = mergeRegistryPolicy(foreign, { action: 'Create', intent: registryPolicyIntent(config, targets(config)[0]!)! });
  return JSON.parse(merge.policyText!) as PolicyJson;
}

/**
 * The repository policies of a cache repository: the creation template's, and the reconciler's on a
 * repository without one, computed from what the reconciler Lambda reads (its payload, through JSON).
 */
function repositoryPoliciesOf(config: PtcConfig, prefix: string): PolicyJson[] {
  const template = policyDocument(desiredStateForPrefix(config, prefix, 'aws').repositoryPolicyStatements)!;
  const payload = readReconcilerPayload(JSON.parse(JSON.stringify(reconcilerPayload(config, targets(config)[0]!))));
  const reconciled = JSON.parse(
    mergeRepositoryPolicy(undefined, desiredStateForPrefix(payload, prefix, 'aws').repositoryPolicyStatements).policyText!,
  ) as PolicyJson;
  return [template, reconciled];
}

/** The consumer side's node policy (core/consumers), the managed policy each consumer account's node roles get. */
const consumerNodePolicy = consumerNodePolicyDocument(hubTarget, PREFIXES) as unknown as PolicyJson;
/** Invented: a node role allowed everything in ECR by its own account, so a denial can only come from the hub. */
const greedyNodePolicy: PolicyJson = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'AllEcr', Effect: 'Allow', Action: 'ecr:*', Resource: '*' }],
};

interface Caller {
  readonly account: string;
  readonly orgId?: string;
  readonly orgPaths?: readonly string[];
}
const role = (c: Caller) => `arn:aws:iam::${c.account}:role/eks-node`;
const contextOf = (c: Caller) => ({
  'aws:PrincipalAccount': c.account,
  ...(c.orgId !== undefined ? { 'aws:PrincipalOrgID': c.orgId } : {}),
  ...(c.orgPaths !== undefined ? { 'aws:PrincipalOrgPaths': c.orgPaths } : {}),
});
const repo = (name: string) => `arn:aws:ecr:${REGION}:${HUB}:repository/${name}`;

/** Every call of a first pull of `name`, with the resource policy that governs it. */
async function firstPull(config: PtcConfig, caller: Caller, name: string, identity: PolicyJson = consumerNodePolicy) {
  const prefix = name.split('/')[0]!;
  const registryPolicy = registryPolicyOf(config);
  const base = {
    principal: role(caller),
    resource: repo(name),
    resourceAccount: HUB,
    identityPolicies: { node: identity },
    context: contextOf(caller),
  };
  const out: Record<string, { allowed: boolean; reasons: readonly string[] }> = {};
  for (const action of ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage']) {
    out[action] = await simulate({ ...base, action, resourcePolicy: registryPolicy });
  }
  const repositoryPolicies = PREFIXES.includes(prefix) ? repositoryPoliciesOf(config, prefix) : [undefined];
  for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']) {
    const answers = await Promise.all(
      repositoryPolicies.map((p) => simulate({ ...base, action, ...(p !== undefined ? { resourcePolicy: p } : {}) })),
    );
    // The creation template and the reconciler write the same grant.
    expect(answers.map((a) => a.allowed)).toEqual(answers.map(() => answers[0]!.allowed));
    out[action] = answers[0]!;
  }
  return out;
}

const allowedActions = (answers: Record<string, { allowed: boolean }>) =>
  Object.entries(answers)
    .filter(([, a]) => a.allowed)
    .map(([action]) => action);
const EVERY = ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

describe('a first pull through the hub from another account, simulated', () => {
  describe('granted to an account (repositories.pullAccounts)', () => {
    const config = hubConfig({ pullAccounts: ['222233334444'] });

    test('the listed account creates the repository, imports the image and pulls it', async () => {
      const answers = await firstPull(config, { account: '222233334444' }, 'k8s/pause');
      expect(allowedActions(answers)).toEqual(EVERY);
      expect(answers['ecr:CreateRepository']!.reasons).toEqual([
        'identity:node#PtcAutopilotHubFirstPull',
        'resource#PtcAutopilotFirstPullAccounts',
      ]);
      expect(answers['ecr:BatchGetImage']!.reasons).toEqual(['identity:node#PtcAutopilotHubPull', 'resource#PtcAutopilotCrossAccountPull']);
    });

    test('an account not listed (and in no granted organization) is denied every call by the hub', async () => {
      const answers = await firstPull(config, { account: '999900001111' }, 'k8s/pause', greedyNodePolicy);
      expect(allowedActions(answers)).toEqual([]);
      expect(answers['ecr:CreateRepository']!.reasons).toEqual(['resource:Implicit']);
    });

    test('a repository outside the managed prefixes is denied, even to the listed account', async () => {
      const answers = await firstPull(config, { account: '222233334444' }, 'team-a/app', greedyNodePolicy);
      expect(allowedActions(answers)).toEqual([]);
    });

    test('actions the hub does not grant (PutImage, DeleteRepository) are denied on a managed repository', async () => {
      const caller = { account: '222233334444' };
      for (const action of ['ecr:PutImage', 'ecr:DeleteRepository']) {
        for (const resourcePolicy of [registryPolicyOf(config), ...repositoryPoliciesOf(config, 'k8s')]) {
          const answer = await simulate({
            principal: role(caller),
            action,
            resource: repo('k8s/pause'),
            resourceAccount: HUB,
            identityPolicies: { node: greedyNodePolicy },
            resourcePolicy,
            context: contextOf(caller),
          });
          expect({ action, ...answer }).toEqual({ action, allowed: false, result: 'ImplicitlyDenied', reasons: ['resource:Implicit'] });
        }
      }
    });

    test("without the consumer policy, the hub's grant alone does not let the node in", async () => {
      const answers = await firstPull(config, { account: '222233334444' }, 'k8s/pause', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }],
      });
      expect(allowedActions(answers)).toEqual([]);
      expect(answers['ecr:CreateRepository']!.reasons).toEqual(['identity:Implicit']);
    });
  });

  describe('granted to an organization (repositories.pullOrganizations)', () => {
    const config = hubConfig({ pullOrganizations: [ORG] });

    test('a member account of the organization is allowed every call', async () => {
      const answers = await firstPull(
        config,
        { account: '333344445555', orgId: ORG, orgPaths: [`${ORG}/r-ab12/`] },
        'quay/prometheus/prometheus',
      );
      expect(allowedActions(answers)).toEqual(EVERY);
      expect(answers['ecr:BatchImportUpstreamImage']!.reasons).toEqual([
        'identity:node#PtcAutopilotHubFirstPull',
        'resource#PtcAutopilotFirstPullOrganizations',
      ]);
    });

    test('an account of another organization, or of none, is denied', async () => {
      expect(
        allowedActions(await firstPull(config, { account: '999900001111', orgId: 'o-zzzzzzzzzz' }, 'k8s/pause', greedyNodePolicy)),
      ).toEqual([]);
      expect(allowedActions(await firstPull(config, { account: '999900001111' }, 'k8s/pause', greedyNodePolicy))).toEqual([]);
    });
  });

  describe('granted to an organizational unit (repositories.pullOrganizationalUnits)', () => {
    const config = hubConfig({ pullOrganizationalUnits: [OU.slice(0, -1)] });

    test('an account of the OU, and one of an OU under it, are allowed every call', async () => {
      const direct = await firstPull(config, { account: '555566667777', orgId: ORG, orgPaths: [OU] }, 'k8s/pause');
      expect(allowedActions(direct)).toEqual(EVERY);
      expect(direct['ecr:CreateRepository']!.reasons).toEqual([
        'identity:node#PtcAutopilotHubFirstPull',
        'resource#PtcAutopilotFirstPullOrganizationalUnits',
      ]);
      expect(direct['ecr:GetDownloadUrlForLayer']!.reasons).toEqual([
        'identity:node#PtcAutopilotHubPull',
        'resource#PtcAutopilotOrganizationalUnitPull',
      ]);
      const nested = await firstPull(config, { account: '555566668888', orgId: ORG, orgPaths: [`${OU}ou-ab12-22222222/`] }, 'k8s/pause');
      expect(allowedActions(nested)).toEqual(EVERY);
    });

    test('an account of another OU of the same organization, or outside the organization, is denied', async () => {
      expect(
        allowedActions(
          await firstPull(
            config,
            { account: '666677778888', orgId: ORG, orgPaths: [`${ORG}/r-ab12/ou-ab12-33333333/`] },
            'k8s/pause',
            greedyNodePolicy,
          ),
        ),
      ).toEqual([]);
      // A path that only starts like ours (a sibling OU whose ID extends ours) is not under it.
      expect(
        allowedActions(
          await firstPull(
            config,
            { account: '666677778888', orgId: ORG, orgPaths: [`${ORG}/r-ab12/ou-ab12-111111119/`] },
            'k8s/pause',
            greedyNodePolicy,
          ),
        ),
      ).toEqual([]);
      expect(allowedActions(await firstPull(config, { account: '999900001111' }, 'k8s/pause', greedyNodePolicy))).toEqual([]);
    });
  });

  describe('granted to consumers (issue 14: `consumers`, no pull keys of its own)', () => {
    const withConsumers = (consumers: unknown) =>
      parseConfig({
        account: HUB,
        region: REGION,
        rules: PREFIXES.map((prefix) => ({ prefix, upstream: prefix })),
        repositories: {},
        consumers,
      });

    test('a listed consumer account, with its consumer policy, makes a first pull end to end', async () => {
      const config = withConsumers([{ name: 'payments', account: '222233334444' }]);
      const answers = await firstPull(config, { account: '222233334444' }, 'k8s/pause');
      expect(allowedActions(answers)).toEqual(EVERY);
      expect(answers['ecr:CreateRepository']!.reasons).toEqual([
        'identity:node#PtcAutopilotHubFirstPull',
        'resource#PtcAutopilotFirstPullAccounts',
      ]);
      expect(answers['ecr:GetDownloadUrlForLayer']!.reasons).toEqual([
        'identity:node#PtcAutopilotHubPull',
        'resource#PtcAutopilotCrossAccountPull',
      ]);
      // Another account with the same policy is not a consumer.
      expect(allowedActions(await firstPull(config, { account: '999900001111' }, 'k8s/pause'))).toEqual([]);
    });

    test('an account of a consumer OU (and of an OU under it) makes a first pull; one outside it does not', async () => {
      const config = withConsumers({ organizationalUnits: [OU], regions: [REGION] });
      expect(
        allowedActions(await firstPull(config, { account: '555566667777', orgId: ORG, orgPaths: [OU] }, 'quay/prometheus/prometheus')),
      ).toEqual(EVERY);
      expect(
        allowedActions(await firstPull(config, { account: '555566668888', orgId: ORG, orgPaths: [`${OU}ou-ab12-22222222/`] }, 'k8s/pause')),
      ).toEqual(EVERY);
      expect(
        allowedActions(
          await firstPull(config, { account: '666677778888', orgId: ORG, orgPaths: [`${ORG}/r-ab12/ou-ab12-33333333/`] }, 'k8s/pause'),
        ),
      ).toEqual([]);
      expect(allowedActions(await firstPull(config, { account: '999900001111' }, 'k8s/pause'))).toEqual([]);
    });

    test('the consumer policy lets the node role get a registry token (ecr:GetAuthorizationToken on *)', async () => {
      const caller = { account: '222233334444' };
      const answer = await simulate({
        principal: role(caller),
        action: 'ecr:GetAuthorizationToken',
        resource: '*',
        resourceAccount: caller.account,
        identityPolicies: { node: consumerNodePolicy },
        context: contextOf(caller),
      });
      expect(answer).toEqual({ allowed: true, result: 'Allowed', reasons: ['identity:node#PtcAutopilotRegistryAuthToken'] });
    });

    test('a consumer gets no action the hub does not grant and no repository outside the prefixes', async () => {
      const config = withConsumers([{ name: 'payments', account: '222233334444' }]);
      expect(allowedActions(await firstPull(config, { account: '222233334444' }, 'team-a/app'))).toEqual([]);
      const caller = { account: '222233334444' };
      for (const action of ['ecr:PutImage', 'ecr:DeleteRepository']) {
        const answer = await simulate({
          principal: role(caller),
          action,
          resource: repo('k8s/pause'),
          resourceAccount: HUB,
          identityPolicies: { node: consumerNodePolicy },
          resourcePolicy: registryPolicyOf(config),
          context: contextOf(caller),
        });
        expect({ action, allowed: answer.allowed }).toEqual({ action, allowed: false });
      }
    });

    test('an override that replaces pullAccounts keeps the consumers granted on its prefix', async () => {
      const config = parseConfig({
        account: HUB,
        region: REGION,
        rules: PREFIXES.map((prefix) => ({ prefix, upstream: prefix })),
        repositories: { overrides: [{ prefix: 'k8s', pullAccounts: ['888899990000'] }] },
        consumers: [{ name: 'payments', account: '222233334444' }],
      });
      expect(allowedActions(await firstPull(config, { account: '222233334444' }, 'k8s/pause'))).toEqual(EVERY);
      expect(allowedActions(await firstPull(config, { account: '888899990000' }, 'k8s/pause', greedyNodePolicy))).toEqual(EVERY);
      expect(allowedActions(await firstPull(config, { account: '888899990000' }, 'quay/prometheus/prometheus', greedyNodePolicy))).toEqual(
        [],
      );
    });
  });
});
