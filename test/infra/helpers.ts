import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';

/** A config exercising every foundation feature: secrets made and imported, an ECR upstream, node roles. */
export function fullConfig(overrides: Record<string, unknown> = {}): PtcConfig {
  return parseConfig({
    account: '111122223333',
    region: 'eu-west-2',
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      { prefix: 'github', upstream: 'github-container-registry', credentials: { secretArn: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/github-AbCdEf' } },
      { prefix: 'k8s', upstream: 'k8s' },
      { prefix: 'ecr', upstream: 'ecr-public' },
      {
        prefix: 'central',
        upstream: 'ecr',
        upstreamAccount: '999988887777',
        upstreamRegion: 'us-east-1',
        customRoleArn: 'arn:aws:iam::111122223333:role/ecr-ptc-central',
        upstreamRepositoryPrefix: 'prod',
      },
    ],
    repositories: {
      lifecycle: { untaggedExpireDays: 7, keepLastTagged: 50 },
      pullAccounts: ['444455556666'],
      pullOrganizations: ['o-a1b2c3d4e5'],
      tags: { team: 'platform' },
      scanOnPush: true,
      overrides: [{ prefix: 'k8s', lifecycle: { keepLastTagged: 20 }, imageTagMutability: 'IMMUTABLE' }],
    },
    nodeRoleArns: ['arn:aws:iam::111122223333:role/eks-nodes'],
    validation: { alarmEmail: 'ops@example.com' },
    ...overrides,
  });
}

/** Synthesizes a config and returns the template of its first stack (cdk-nag off: tested on its own). */
export function templateOf(config: PtcConfig, index = 0): Template {
  const { stacks } = buildApp(config, { nag: false });
  return Template.fromStack(stacks[index]!);
}
