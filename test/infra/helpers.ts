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
      {
        prefix: 'github',
        upstream: 'github-container-registry',
        credentials: { secretArn: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/github-AbCdEf' },
      },
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

/**
 * A config using every feature of every issue in two environments of one account (two Regions):
 * secrets made in each, a customer managed key, replication (same and cross account), enhanced
 * scanning, prewarm with an S3 and an SSM list. cdk-nag and the AWS-truth harness both check it.
 */
export function everyFeatureTwoEnvironments(): PtcConfig {
  return fullConfig({
    account: undefined,
    region: undefined,
    // An imported secret serves one account and Region only, so every environment creates its own.
    rules: fullConfig().rules.map((r) =>
      r.credentials?.secretArn ? { ...r, credentials: { secretName: 'ecr-pullthroughcache/github' } } : r,
    ),
    // A KMS key serves one Region: each environment names its own.
    environments: [
      {
        name: 'prod-eu',
        account: '111122223333',
        region: 'eu-west-2',
        secretsKmsKeyArn: 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
      {
        name: 'prod-us',
        account: '111122223333',
        region: 'us-east-1',
        secretsKmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab',
      },
    ],
    replication: {
      destinations: [{ region: 'ap-south-1' }, { region: 'eu-west-1', account: '444455556666', prefixes: ['k8s'] }],
      acceptFrom: ['555566667777'],
    },
    scanning: { type: 'ENHANCED', frequency: 'CONTINUOUS_SCAN' },
    // Pulls and first pulls granted to an OU too (issue 14), with one prefix granting its own accounts.
    repositories: {
      ...fullConfig().repositories,
      pullOrganizationalUnits: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'],
      // Eviction (docs/eviction.md): report by default, delete under k8s; ECR's archive rules under github.
      eviction: { unpulledDays: 90, protect: ['*:latest'] },
      overrides: [
        {
          prefix: 'k8s',
          lifecycle: { keepLastTagged: 20 },
          imageTagMutability: 'IMMUTABLE',
          pullAccounts: ['666677778888'],
          eviction: { mode: 'delete', unpulledDays: 365 },
        },
        // Immutable tags but for the ones the cache's 24-hour refresh must be able to move (docs/reconciler.md).
        {
          prefix: 'github',
          lifecycle: { archiveUnpulledDays: 60, expireArchivedDays: 180 },
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: ['latest', 'v*-rc*'],
        },
      ],
    },
    prewarm: {
      images: ['nginx:1.27'],
      manifest: { s3: { bucket: 'ptc-config', key: 'prewarm.txt' }, ssmParameter: '/ptc/prewarm-images' },
    },
  });
}

/**
 * Replication to registries no environment deploys, with customer managed keys: the environment's own
 * key, and each destination's (a KMS key serves one account and Region), so its replica stacks hold
 * KMS-encrypted templates and, cross-account, the registry policy (the environment's stack has every
 * registry setting: replication, scanning, a registry policy). Invented account IDs and key IDs.
 */
export function replicaDestinationsWithKeys(): PtcConfig {
  return fullConfig({
    account: undefined,
    region: undefined,
    environments: [
      {
        name: 'prod-eu',
        account: '111122223333',
        region: 'eu-west-2',
        kmsKeyArn: 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    ],
    repositories: { ...fullConfig().repositories, encryption: { type: 'KMS' } },
    replication: {
      destinations: [
        {
          region: 'eu-west-1',
          account: '444455556666',
          prefixes: ['k8s', 'ecr'],
          kmsKeyArn: 'arn:aws:kms:eu-west-1:444455556666:key/5678abcd-12ab-34cd-56ef-1234567890ab',
        },
        { region: 'ap-south-1', kmsKeyArn: 'arn:aws:kms:ap-south-1:111122223333:key/9abcabcd-12ab-34cd-56ef-1234567890ab' },
      ],
      acceptFrom: ['555566667777'],
    },
    scanning: { type: 'ENHANCED', frequency: 'SCAN_ON_PUSH' },
  });
}

/** Synthesizes a config and returns the template of its first stack (cdk-nag off: tested on its own). */
export function templateOf(config: PtcConfig, index = 0): Template {
  const { stacks } = buildApp(config, { nag: false });
  return Template.fromStack(stacks[index]!);
}
