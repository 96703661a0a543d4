/**
 * Each stack publishes its mirror-mode node config: one SSM parameter per format, rendered by the
 * same core functions as `ptc node-config`, and `userData()` for a launch template.
 */
import { App, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { targets } from '../../core';
import { buildMirrorMap, renderNodeConfig } from '../../core/node-config';
import { MirrorNodeConfig } from '../../infra/constructs/node-config';
import { fullConfig, templateOf } from '../infra/helpers';

const REGISTRY = { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' } as const;

describe('MirrorNodeConfig in the stack', () => {
  const config = fullConfig();
  const template = templateOf(config);
  const map = buildMirrorMap(config, REGISTRY);
  const doc = (format: 'al2023' | 'bottlerocket' | 'credential-provider') => {
    const out = renderNodeConfig(format, map, 'eu-west-2', { fallback: false });
    return out.kind === 'document' ? out.text : '';
  };

  test.each(['containerd', 'credential-provider', 'al2023', 'bottlerocket', 'karpenter-al2023', 'karpenter-bottlerocket'])(
    'publishes /ptc-autopilot/<stack>/node-config/%s',
    (format) => {
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: `/ptc-autopilot/PtcAutopilot/node-config/${format}`, Type: 'String' });
    },
  );

  test('the al2023, bottlerocket and credential-provider parameters hold exactly what ptc node-config prints', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/ptc-autopilot/PtcAutopilot/node-config/al2023',
      Value: doc('al2023'),
      Tier: 'Advanced',
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/ptc-autopilot/PtcAutopilot/node-config/bottlerocket',
      Value: doc('bottlerocket'),
      Tier: 'Standard',
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/ptc-autopilot/PtcAutopilot/node-config/credential-provider',
      Value: doc('credential-provider'),
    });
  });

  test('the containerd parameter is a JSON object of hosts files, without the prefixed ECR upstream or public.ecr.aws', () => {
    const params = template.findResources('AWS::SSM::Parameter', {
      Properties: { Name: '/ptc-autopilot/PtcAutopilot/node-config/containerd' },
    });
    const value = JSON.parse(Object.values(params)[0]!.Properties.Value as string) as Record<string, string>;
    expect(Object.keys(value).sort()).toEqual([
      'docker.io/hosts.toml',
      'ghcr.io/hosts.toml',
      'index.docker.io/hosts.toml',
      'registry-1.docker.io/hosts.toml',
      'registry.k8s.io/hosts.toml',
    ]);
    expect(value['ghcr.io/hosts.toml']).toContain('[host."https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/github"]');
  });

  test('mirror.fallback: true reaches the published hosts files', () => {
    const withFallback = templateOf(fullConfig({ mirror: { fallback: true } }));
    withFallback.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/ptc-autopilot/PtcAutopilot/node-config/al2023',
      Value: Match.not(Match.stringLikeRegexp('capabilities = \\["push"\\]')),
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/ptc-autopilot/PtcAutopilot/node-config/al2023',
      Value: Match.stringLikeRegexp('capabilities = \\["push"\\]'),
    });
  });
});

describe('MirrorNodeConfig.userData', () => {
  test('gives a launch template the AL2023 MIME user data or the Bottlerocket settings', () => {
    const config = fullConfig();
    const target = targets(config)[0]!;
    const stack = new Stack(new App(), 'Nodes', { env: { account: target.account, region: target.region } });
    const nodeConfig = new MirrorNodeConfig(stack, 'NodeConfig', { config, target, parameterPrefix: '/nodes' });
    const lt = new ec2.LaunchTemplate(stack, 'Template', { userData: nodeConfig.userData('al2023') });
    expect(lt).toBeDefined();
    expect(nodeConfig.userData('al2023').render()).toMatch(/^MIME-Version: 1\.0\nContent-Type: multipart\/mixed/);
    expect(nodeConfig.userData('bottlerocket').render()).toMatch(/\[\[settings\.container-registry\.mirrors\]\]/);
    expect(Object.keys(nodeConfig.parameters)).toHaveLength(6);
  });
});
