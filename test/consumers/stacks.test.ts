import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { consumersOf, predictedStackSetTemplateBytes, type OrganizationConsumer } from '../../core';
import { buildApp } from '../../infra/build-app';
import { consumerStackSetTemplate, ConsumerTemplateStack } from '../../infra/stacks/consumer-stack';
import { DELEGATED_ADMIN, OU_PAYMENTS, PAYMENTS_ACCOUNT, SEARCH_ACCOUNT, hubWithConsumers, smallHub } from './helpers';

const config = hubWithConsumers();
// No Lambda bundling: the hub stacks' templates are the same without it.
const NO_BUNDLING = { context: { 'aws:cdk:bundling-stacks': [] } };
const built = buildApp(config, { nag: false, appProps: NO_BUNDLING });
const stacks = built.app.node.children.filter((c): c is Stack => 'templateOptions' in c);
const byName = (name: string): Stack => stacks.find((s) => s.stackName === name)!;
const organization = consumersOf(config).find((c): c is OrganizationConsumer => c.kind === 'organization')!;

describe("listed accounts: a plain stack each, deployable with that account's credentials", () => {
  test("the stacks are named PtcAutopilot-consumer-<name> (one more per further Region) in the consumer's account, beside the hub stacks", () => {
    expect(built.stacks.map((s) => s.stackName)).toEqual(['PtcAutopilot-prod-eu', 'PtcAutopilot-prod-us']);
    expect(stacks.map((s) => [s.stackName, s.account, s.region]).filter(([n]) => n!.includes('consumer'))).toEqual([
      ['PtcAutopilot-consumer-payments', PAYMENTS_ACCOUNT, 'eu-west-2'],
      ['PtcAutopilot-consumer-search', SEARCH_ACCOUNT, 'us-east-1'],
      ['PtcAutopilot-consumer-search-eu-west-2', SEARCH_ACCOUNT, 'eu-west-2'],
      ['PtcAutopilot-consumers', DELEGATED_ADMIN, 'eu-west-2'],
    ]);
  });

  test("the node policy grants pull and first pull on the hub's managed prefixes only, attached to the listed roles", () => {
    const template = Template.fromStack(byName('PtcAutopilot-consumer-payments'));
    const repos = config.rules.map((r) => `arn:aws:ecr:eu-west-2:111122223333:repository/${r.prefix}/*`);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: ['eks-nodes'],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'PtcAutopilotHubFirstPull',
            Effect: 'Allow',
            Action: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
            Resource: repos,
          },
          {
            Sid: 'PtcAutopilotHubPull',
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Resource: repos,
          },
          { Sid: 'PtcAutopilotRegistryAuthToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        ],
      },
    });
    template.hasOutput('*', { Export: { Name: 'PtcAutopilot-consumer-payments-NodePolicyArn' } });
    template.hasOutput('*', {
      Value: '111122223333.dkr.ecr.eu-west-2.amazonaws.com',
      Export: { Name: 'PtcAutopilot-consumer-payments-HubRegistry' },
    });
  });

  test("the node config parameters point at the hub registry, not the consumer's own", () => {
    const template = Template.fromStack(byName('PtcAutopilot-consumer-search'));
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/ptc-autopilot/consumer/search/hub-registry',
      Value: '111122223333.dkr.ecr.us-east-1.amazonaws.com',
    });
    const containerd = Object.values(
      template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/ptc-autopilot/consumer/search/node-config/containerd' } }),
    )[0]!;
    const hosts = JSON.parse(containerd.Properties.Value as string) as Record<string, string>;
    expect(hosts['docker.io/hosts.toml']).toContain('[host."https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/docker-hub"]');
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/ptc-autopilot/consumer/search/node-config/credential-provider',
      Value: Match.stringLikeRegexp('value: us-east-1'),
    });
    expect(JSON.stringify(template.toJSON())).not.toContain(SEARCH_ACCOUNT + '.dkr.ecr');
  });

  test("a further Region's stack holds the parameters but no second policy (IAM is global)", () => {
    const template = Template.fromStack(byName('PtcAutopilot-consumer-search-eu-west-2'));
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.resourceCountIs('AWS::SSM::Parameter', 7);
  });
});

describe('OUs: one service-managed StackSet, created from the delegated administrator', () => {
  const template = Template.fromStack(byName('PtcAutopilot-consumers'));

  test("auto-deployment on, the OUs' last IDs and the config's Regions, CallAs DELEGATED_ADMIN", () => {
    template.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'PtcAutopilot-consumer-organization',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_IAM'],
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-11111111', 'ou-ab12-33333333'] }, Regions: ['eu-west-2', 'us-east-1'] },
      ],
    });
  });

  test('nothing loops over accounts: the stack holds the StackSet and nothing else (no custom resource, no Lambda)', () => {
    expect(Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type)).toEqual([
      'AWS::CloudFormation::StackSet',
    ]);
  });

  test('its template body is the consumer template made account-agnostic: AWS::AccountId and AWS::Region of the instance, no assets, bootstrap rule or CDK metadata', () => {
    const body = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0]!.Properties.TemplateBody as string;
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['Conditions', 'Outputs', 'Resources']);
    expect(body).not.toMatch(/BootstrapVersion|CDKMetadata|cdk-hnb659fds|"Fn::ImportValue"|aws:asset/);
    expect(body).not.toContain(DELEGATED_ADMIN);
    expect(parsed.Conditions).toEqual({ NodePolicyRegion: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-2'] } });
    const types = Object.values(
      parsed.Resources as Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>,
    );
    expect(types.filter((r) => r.Type === 'AWS::IAM::ManagedPolicy').map((r) => [r.Condition, r.Properties.Roles])).toEqual([
      ['NodePolicyRegion', ['eks-nodes', 'KarpenterNodeRole']],
    ]);
    expect(
      types
        .filter((r) => r.Type === 'AWS::SSM::Parameter')
        .map((r) => r.Properties.Name)
        .sort(),
    ).toEqual(
      ['al2023', 'bottlerocket', 'containerd', 'credential-provider', 'karpenter-al2023', 'karpenter-bottlerocket']
        .map((f) => `/ptc-autopilot/consumer/organization/node-config/${f}`)
        .concat('/ptc-autopilot/consumer/organization/hub-registry')
        .sort(),
    );
  });

  test('without a delegated administrator it is created from the hub account with CallAs SELF', () => {
    const app = buildApp(smallHub({ consumers: { organizationalUnits: [OU_PAYMENTS], regions: ['eu-west-2'] } }), {
      nag: false,
      appProps: NO_BUNDLING,
    }).app;
    const admin = app.node.children.find((c): c is Stack => 'templateOptions' in c && (c as Stack).stackName === 'PtcAutopilot-consumers')!;
    expect([admin.account, admin.region]).toEqual(['111122223333', 'eu-west-2']);
    Template.fromStack(admin).hasResourceProperties('AWS::CloudFormation::StackSet', { CallAs: 'SELF' });
  });

  test('the predicted template body size is an upper bound within 1 KB of the synthesized one', () => {
    const cases = [
      [config, organization] as const,
      ...[1, 7].map((n) => {
        const c = smallHub({
          rules: Array.from({ length: n }, (_, i) => ({
            prefix: `team-${i}`,
            upstream: 'ecr',
            upstreamAccount: String(999988880000 + i),
            upstreamRegion: 'eu-west-2',
            customRoleArn: 'arn:aws:iam::111122223333:role/r',
          })),
          consumers: {
            name: `org-${'x'.repeat(n * 4)}`,
            organizationalUnits: [OU_PAYMENTS],
            regions: ['eu-west-2'],
            nodeRoleNames: Array.from({ length: n }, (_, i) => `role-${i}`),
          },
        });
        return [c, consumersOf(c)[0] as OrganizationConsumer] as const;
      }),
    ];
    for (const [c, o] of cases) {
      const actual = Buffer.byteLength(JSON.stringify(consumerStackSetTemplate(c, o)), 'utf8');
      const predicted = predictedStackSetTemplateBytes(c, o);
      expect({ actual, over: predicted - actual >= 0 && predicted - actual <= 1024 }).toEqual({ actual, over: true });
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('the consumer stacks and the StackSet stack have no unacknowledged finding', () => {
    expect(new AwsSolutionsChecks().validateScope(built.app).violations).toEqual([]);
  });

  test("the StackSet's own template stack (what every account deploys) has none either", () => {
    const app = new App();
    const stack = new ConsumerTemplateStack(app, 'Template', config, organization);
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});
