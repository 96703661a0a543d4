import { Match, Template } from 'aws-cdk-lib/assertions';
import * as path from 'node:path';
import {
  CREDENTIAL_PLACEHOLDER,
  effectiveSettings,
  loadConfig,
  parseConfig,
  predictedLambdaEnvironments,
  predictedResourceCount,
  STACK_RESOURCE_TYPES,
  tagKeyFingerprint,
  targets,
} from '../../core';
import { CONFIG_VARIABLE, decodeConfig } from '../../core/lambda-contracts/reconcile-repository/settings';
import { buildApp } from '../../infra/build-app';
import { fullConfig, templateOf } from './helpers';

const template = templateOf(fullConfig());

describe('pull through cache rules', () => {
  test('one rule per configured prefix', () => {
    template.resourceCountIs('AWS::ECR::PullThroughCacheRule', 5);
  });

  test('a credentialed rule references the secret created for it', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret', { Properties: { Name: 'ecr-pullthroughcache/docker-hub' } });
    const [secretId] = Object.keys(secrets);
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'docker-hub',
      UpstreamRegistry: 'docker-hub',
      UpstreamRegistryUrl: 'registry-1.docker.io',
      CredentialArn: { Ref: secretId },
    });
  });

  test('an imported secret is referenced by its ARN and not created', () => {
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'github',
      UpstreamRegistryUrl: 'ghcr.io',
      CredentialArn: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/github-AbCdEf',
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  test('an anonymous upstream gets no credential', () => {
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'k8s',
      UpstreamRegistryUrl: 'registry.k8s.io',
      CredentialArn: Match.absent(),
    });
  });

  test('an ECR upstream gets its registry URL, role and upstream repository prefix', () => {
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'central',
      UpstreamRegistry: 'ecr',
      UpstreamRegistryUrl: '999988887777.dkr.ecr.us-east-1.amazonaws.com',
      CustomRoleArn: 'arn:aws:iam::111122223333:role/ecr-ptc-central',
      UpstreamRepositoryPrefix: 'prod',
    });
  });
});

describe('credential secrets', () => {
  test('are created with the placeholder value, kept when the stack goes or replaces them, deleted when their create rolls back', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Name: 'ecr-pullthroughcache/docker-hub', SecretString: CREDENTIAL_PLACEHOLDER },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('every created credential secret is deleted when its own create rolls back, never left to block the retry', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(secret).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });

  test('the placeholder is a constant, so later deploys never write the value again', () => {
    const again = templateOf(fullConfig({ repositories: { tags: { team: 'other' } } }));
    const values = [template, again].map((t) =>
      Object.values(t.findResources('AWS::SecretsManager::Secret')).map((r) => r.Properties.SecretString),
    );
    expect(values[0]).toEqual([CREDENTIAL_PLACEHOLDER]);
    expect(values[1]).toEqual(values[0]);
  });

  test('use the customer managed key when one is configured', () => {
    const keyArn = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    templateOf(fullConfig({ secretsKmsKeyArn: keyArn })).hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn });
  });
});

describe('repository creation templates', () => {
  test('one per prefix, applied to pull through cache', () => {
    template.resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 5);
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', { Prefix: 'docker-hub', AppliedFor: ['PULL_THROUGH_CACHE'] });
  });

  test('carry the lifecycle policy computed from the config, override applied', () => {
    const k8s = Object.values(template.findResources('AWS::ECR::RepositoryCreationTemplate', { Properties: { Prefix: 'k8s' } }))[0]!;
    const policy = JSON.parse(k8s.Properties.LifecyclePolicy);
    expect(policy.rules.map((r: { selection: { countNumber: number } }) => r.selection.countNumber)).toEqual([7, 20]);
    expect(k8s.Properties.ImageTagMutability).toBe('IMMUTABLE');
  });

  test('carry the repository policy granting pull to accounts and the organization', () => {
    const dockerHub = Object.values(
      template.findResources('AWS::ECR::RepositoryCreationTemplate', { Properties: { Prefix: 'docker-hub' } }),
    )[0]!;
    const policy = JSON.parse(dockerHub.Properties.RepositoryPolicy);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['PtcAutopilotCrossAccountPull', 'PtcAutopilotOrganizationPull']);
    expect(policy.Statement[1].Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5'] } });
  });

  test('carry tags, our marker tag and encryption, with a role ECR can assume to apply them', () => {
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'docker-hub',
      ResourceTags: Match.arrayWith([
        { Key: 'team', Value: 'platform' },
        { Key: 'ptc-autopilot:managed', Value: 'true' },
        { Key: 'ptc-autopilot:owned-tags', Value: tagKeyFingerprint('team') },
      ]),
      EncryptionConfiguration: { EncryptionType: 'AES256' },
      CustomRoleArn: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'ecr.amazonaws.com' } })],
      }),
    });
  });

  test('the creation role may only touch repositories under the managed prefixes', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const creation = statements.find((s: { Action: string[] }) => Array.isArray(s.Action) && s.Action.includes('ecr:TagResource'));
    expect(creation.Resource).toEqual(
      ['docker-hub', 'github', 'k8s', 'ecr', 'central'].map((p) => `arn:aws:ecr:eu-west-2:111122223333:repository/${p}/*`),
    );
  });

  test('a KMS-encrypted prefix lets the creation role use only that key', () => {
    const keyArn = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const t = templateOf(fullConfig({ repositories: { encryption: { type: 'KMS', kmsKeyArn: keyArn } } }));
    t.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', { EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: keyArn } });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['kms:CreateGrant', 'kms:RetireGrant', 'kms:DescribeKey'], Resource: keyArn }),
        ]),
      },
    });
  });
});

describe('node policy', () => {
  test('grants the first-pull actions on the managed prefixes only', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'PullThroughCacheFirstPull',
            Effect: 'Allow',
            Action: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
            Resource: ['docker-hub', 'github', 'k8s', 'ecr', 'central'].map((p) => `arn:aws:ecr:eu-west-2:111122223333:repository/${p}/*`),
          },
        ]),
      },
    });
  });

  test('is attached to the configured node roles', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: ['eks-nodes'] });
  });

  test('is exported as a stack output', () => {
    template.hasOutput('*', { Export: { Name: 'PtcAutopilot-NodePolicyArn' } });
  });
});

describe('alarm topic', () => {
  test('is encrypted and subscribes the alarm email', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('environments', () => {
  test('a two-environment config produces two stacks, each in its own account and region', () => {
    const config = parseConfig({
      rules: [{ prefix: 'k8s', upstream: 'k8s' }],
      environments: [
        { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
        { name: 'prod-us', account: '222233334444', region: 'us-east-1' },
      ],
    });
    const { stacks } = buildApp(config, { nag: false });
    expect(stacks.map((s) => [s.stackName, s.account, s.region])).toEqual([
      ['PtcAutopilot-prod-eu', '111122223333', 'eu-west-2'],
      ['PtcAutopilot-prod-us', '222233334444', 'us-east-1'],
    ]);
    Template.fromStack(stacks[1]!).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'PullThroughCacheFirstPull', Resource: 'arn:aws:ecr:us-east-1:222233334444:repository/k8s/*' }),
        ]),
      },
    });
  });
});

describe('per-environment KMS keys', () => {
  const keys = {
    eu: {
      repo: 'arn:aws:kms:eu-west-2:111122223333:key/1111aaaa-12ab-34cd-56ef-1234567890ab',
      secrets: 'arn:aws:kms:eu-west-2:111122223333:key/3333cccc-12ab-34cd-56ef-1234567890ab',
    },
    us: {
      repo: 'arn:aws:kms:us-east-1:111122223333:key/2222bbbb-12ab-34cd-56ef-1234567890ab',
      secrets: 'arn:aws:kms:us-east-1:111122223333:key/4444dddd-12ab-34cd-56ef-1234567890ab',
    },
  };
  const config = parseConfig({
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      { prefix: 'k8s', upstream: 'k8s' },
    ],
    repositories: { encryption: { type: 'KMS' } },
    environments: [
      { name: 'prod-eu', account: '111122223333', region: 'eu-west-2', kmsKeyArn: keys.eu.repo, secretsKmsKeyArn: keys.eu.secrets },
      { name: 'prod-us', account: '111122223333', region: 'us-east-1', kmsKeyArn: keys.us.repo, secretsKmsKeyArn: keys.us.secrets },
    ],
  });
  const templates = buildApp(config, { nag: false }).stacks.map((s) => Template.fromStack(s));

  test.each([
    [0, keys.eu, keys.us],
    [1, keys.us, keys.eu],
  ])('stack %i names only its own keys: secrets, creation templates, creation role, validation and the reconciler', (index, own, other) => {
    const t = templates[index]!;
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'ecr-pullthroughcache/docker-hub', KmsKeyId: own.secrets });
    t.allResourcesProperties('AWS::ECR::RepositoryCreationTemplate', {
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: own.repo },
    });
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['kms:CreateGrant', 'kms:RetireGrant', 'kms:DescribeKey'], Resource: own.repo }),
        expect.objectContaining({ Sid: 'DecryptCredentialSecrets', Action: 'kms:Decrypt', Resource: own.secrets }),
      ]),
    );
    const [reconcilerEnv] = Object.values(t.findResources('AWS::Lambda::Function'))
      .map((f) => (f.Properties.Environment?.Variables ?? {}) as Record<string, string>)
      .filter((vars) => vars[CONFIG_VARIABLE] !== undefined);
    expect(effectiveSettings(decodeConfig(reconcilerEnv![CONFIG_VARIABLE]), 'k8s').encryption).toEqual({
      type: 'KMS',
      kmsKeyArn: own.repo,
    });
    const whole = JSON.stringify(t.toJSON());
    expect([whole.includes(other.repo), whole.includes(other.secrets)]).toEqual([false, false]);
  });
});

describe('deploy limits predicted from the config match the synthesized stacks', () => {
  const allFeatures = fullConfig({
    account: undefined,
    region: undefined,
    rules: fullConfig().rules.map((r) =>
      r.credentials?.secretArn ? { ...r, credentials: { secretName: 'ecr-pullthroughcache/github' } } : r,
    ),
    environments: [
      {
        name: 'prod-eu',
        account: '111122223333',
        region: 'eu-west-2',
        secretsKmsKeyArn: 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
      { name: 'prod-us', account: '111122223333', region: 'us-east-1' },
    ],
    replication: {
      destinations: [{ region: 'ap-south-1' }, { region: 'eu-west-1', account: '444455556666', prefixes: ['k8s'] }],
      acceptFrom: ['555566667777'],
    },
    scanning: { type: 'ENHANCED', frequency: 'CONTINUOUS_SCAN' },
    prewarm: {
      images: ['nginx:1.27'],
      manifest: { s3: { bucket: 'ptc-config', key: 'prewarm.txt' }, ssmParameter: '/ptc/prewarm-images' },
    },
    repositories: { ...fullConfig().repositories, eviction: { unpulledDays: 90 } },
  });
  const configs = {
    example: loadConfig(path.join(__dirname, '..', '..', 'config', 'example.yaml')),
    full: fullConfig(),
    'all features, two environments': allFeatures,
  };
  const noBundling = { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } };

  test('the stack uses exactly the resource types whose Region availability core/regions decides on', () => {
    const types = new Set<string>();
    for (const stack of buildApp(allFeatures, noBundling).stacks) {
      for (const r of Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>)) {
        types.add(r.Type.startsWith('Custom::') ? 'AWS::CloudFormation::CustomResource' : r.Type);
      }
    }
    expect([...types].sort()).toEqual([...STACK_RESOURCE_TYPES].sort());
  });

  test.each(Object.entries(configs))('%s: the resource count and every Lambda environment', (_name, config) => {
    const { stacks } = buildApp(config, noBundling);
    const all = targets(config);
    expect(stacks).toHaveLength(all.length);
    stacks.forEach((stack, i) => {
      const resources = Template.fromStack(stack).toJSON().Resources as Record<
        string,
        { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }
      >;
      expect(predictedResourceCount(config, all[i]!)).toBe(Object.keys(resources).length);
      const synthesized = Object.values(resources)
        .filter(
          (r) => r.Type === 'AWS::Lambda::Function' && typeof r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'string',
        )
        .map((r) => r.Properties!.Environment!.Variables!)
        .sort((a, b) => String(a.POWERTOOLS_SERVICE_NAME).localeCompare(String(b.POWERTOOLS_SERVICE_NAME)));
      const predicted = predictedLambdaEnvironments(config, all[i]!)
        .map((fn) => fn.variables)
        .sort((a, b) => a.POWERTOOLS_SERVICE_NAME!.localeCompare(b.POWERTOOLS_SERVICE_NAME!));
      expect(predicted).toEqual(synthesized);
    });
  });
});

describe('dashboard', () => {
  test("the alarm widget shows the reconciler's dead-letter alarm beside the rule alarms", () => {
    const dlqAlarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' },
    });
    const [dlqAlarmId] = Object.keys(dlqAlarms);
    expect(dlqAlarmId).toBeDefined();
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    expect(body).toContain(`{"Fn::GetAtt":["${dlqAlarmId}","Arn"]}`);
  });
});
