/**
 * The node policy in the synthesized templates of a config with several environments: each node
 * role gets exactly one ptc-autopilot managed policy (IAM allows 10 per role by default, and EKS
 * node roles carry four or five already), covering every Region its account deploys to.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildPlan, parseConfig, renderPlan } from '../../core';
import { buildApp } from '../../infra/build-app';

const ROLE_A = 'arn:aws:iam::111122223333:role/eks-nodes-a';
const ROLE_A2 = 'arn:aws:iam::111122223333:role/eks-nodes-a2';
const ROLE_B = 'arn:aws:iam::222233334444:role/eks-nodes-b';
const ROLE_ELSEWHERE = 'arn:aws:iam::999999999999:role/eks-nodes-c';

const config = parseConfig({
  rules: [
    { prefix: 'k8s', upstream: 'k8s' },
    { prefix: 'quay', upstream: 'quay' },
  ],
  environments: [
    { name: 'a-eu', account: '111122223333', region: 'eu-west-2' },
    { name: 'a-us', account: '111122223333', region: 'us-east-1' },
    { name: 'b-eu', account: '222233334444', region: 'eu-west-1' },
  ],
  nodeRoleArns: [ROLE_A, ROLE_A2, ROLE_B, ROLE_ELSEWHERE],
});
const templates = buildApp(config, { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } }).stacks.map((s) =>
  Template.fromStack(s),
);

type ManagedPolicy = { Properties: { Roles?: string[]; PolicyDocument: { Statement: { Sid: string; Resource: unknown }[] } } };
const managedPolicies = (t: Template): ManagedPolicy[] => Object.values(t.findResources('AWS::IAM::ManagedPolicy')) as ManagedPolicy[];

describe('node policy across environments', () => {
  test('attaches exactly one ptc-autopilot managed policy to each node role, whatever the number of environments in its account', () => {
    const attachments = (roleName: string) =>
      templates.flatMap(managedPolicies).filter((p) => (p.Properties.Roles ?? []).includes(roleName)).length;
    expect(attachments('eks-nodes-a')).toBe(1);
    expect(attachments('eks-nodes-a2')).toBe(1);
    expect(attachments('eks-nodes-b')).toBe(1);
  });

  test("the first stack of an account attaches its policy to that account's roles only, and the policy covers every Region of the account", () => {
    const [aEu, aUs, bEu] = templates.map((t) => managedPolicies(t));
    expect(aEu).toHaveLength(1);
    expect(aEu![0]!.Properties.Roles).toEqual(['eks-nodes-a', 'eks-nodes-a2']);
    expect(aUs![0]!.Properties.Roles).toBeUndefined();
    expect(bEu![0]!.Properties.Roles).toEqual(['eks-nodes-b']);
    const pull = aEu![0]!.Properties.PolicyDocument.Statement.find((s) => s.Sid === 'PullThroughCachePull');
    expect(pull!.Resource).toEqual([
      'arn:aws:ecr:eu-west-2:111122223333:repository/k8s/*',
      'arn:aws:ecr:eu-west-2:111122223333:repository/quay/*',
      'arn:aws:ecr:us-east-1:111122223333:repository/k8s/*',
      'arn:aws:ecr:us-east-1:111122223333:repository/quay/*',
    ]);
    const pullB = bEu![0]!.Properties.PolicyDocument.Statement.find((s) => s.Sid === 'PullThroughCachePull');
    expect(pullB!.Resource).toEqual([
      'arn:aws:ecr:eu-west-1:222233334444:repository/k8s/*',
      'arn:aws:ecr:eu-west-1:222233334444:repository/quay/*',
    ]);
  });

  test('a role in an account no environment deploys to is attached by no stack', () => {
    expect(templates.flatMap(managedPolicies).some((p) => (p.Properties.Roles ?? []).includes('eks-nodes-c'))).toBe(false);
  });

  test('every stack still exports its own node policy', () => {
    templates.forEach((t, i) => t.hasOutput('*', { Export: { Name: `PtcAutopilot-${['a-eu', 'a-us', 'b-eu'][i]}-NodePolicyArn` } }));
  });

  test('ptc plan says which stack attaches the policy to which roles, one per role, and which roles nothing attaches', () => {
    const plan = buildPlan(config);
    expect(plan.environments.map((e) => e.nodePolicy)).toEqual([
      { attachedTo: [ROLE_A, ROLE_A2], attachedBy: 'PtcAutopilot-a-eu', coversRegions: ['eu-west-2', 'us-east-1'], policiesPerRole: 1 },
      { attachedTo: [], attachedBy: 'PtcAutopilot-a-eu', coversRegions: ['eu-west-2', 'us-east-1'], policiesPerRole: 1 },
      { attachedTo: [ROLE_B], attachedBy: 'PtcAutopilot-b-eu', coversRegions: ['eu-west-1'], policiesPerRole: 1 },
    ]);
    expect(plan.unattachedNodeRoles).toEqual([ROLE_ELSEWHERE]);
    const text = renderPlan(plan);
    expect(text).toContain(
      `node policy (covers eu-west-2, us-east-1 of 111122223333) attached to: ${ROLE_A}, ${ROLE_A2} (1 ptc-autopilot managed policy per role; IAM allows 10 per role by default)`,
    );
    expect(text).toContain(
      "node policy (covers eu-west-2, us-east-1 of 111122223333): the node roles of 111122223333 get the policy of PtcAutopilot-a-eu (one per role); this stack's policy is only exported",
    );
    expect(text).toContain(`Node roles not attached (no environment deploys to their account): ${ROLE_ELSEWHERE}`);
  });
});
