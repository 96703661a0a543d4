/**
 * Issue 10, item 5: a credential secret under a customer managed KMS key is readable by the
 * validator (its role has kms:Decrypt) but not by ECR, which reads it as the service-linked role
 * AWSServiceRoleForECRPullThroughCache (no kms:Decrypt). Validation names that cause, ptc plan
 * prints the key policy statement ECR needs, and the template lets the validator find the key.
 */
import {
  DescribePullThroughCacheRulesCommand,
  ECRClient,
  ValidatePullThroughCacheRuleCommand,
  type ValidatePullThroughCacheRuleCommandOutput,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildPlan, renderPlan, secretsKeyPolicyStatement } from '../../core';
import { buildApp } from '../../infra/build-app';
import { decodeValidationSettings, encodeRules } from '../../core/lambda-contracts/validate-rules/settings';
import { validateRules } from '../../functions/validate-rules/validate';
import { fullConfig } from '../infra/helpers';
import { fixture, recordingLog, recordingMetrics, validationConfig } from './helpers';

const ecrMock = mockClient(ECRClient);
const secretsMock = mockClient(SecretsManagerClient);
const eventsMock = mockClient(EventBridgeClient);

const KEY = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DOCKER_HUB_SECRET = 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf';
const ECR_FAILURE = fixture('validation/validate-pull-through-cache-rule.cmk-secret.json').failure as string;

function deps(extra: { secretsKmsKeyArn?: string } = {}) {
  return {
    ecr: new ECRClient({}),
    secrets: new SecretsManagerClient({}),
    events: new EventBridgeClient({}),
    log: recordingLog(),
    metrics: recordingMetrics(),
    ...extra,
  };
}

beforeEach(() => {
  ecrMock.reset();
  secretsMock.reset();
  eventsMock.reset();
  ecrMock.on(DescribePullThroughCacheRulesCommand).resolves(fixture('validation/describe-pull-through-cache-rules.json'));
  for (const prefix of ['docker-hub', 'github', 'k8s']) {
    ecrMock.on(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: prefix }).resolves({
      ...fixture<ValidatePullThroughCacheRuleCommandOutput>('validation/validate-pull-through-cache-rule.valid.json'),
      ecrRepositoryPrefix: prefix,
    });
  }
  ecrMock
    .on(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: 'docker-hub' })
    .resolves(fixture('validation/validate-pull-through-cache-rule.cmk-secret.json'));
  secretsMock.on(GetSecretValueCommand).resolves(fixture('validation/get-secret-value.credentials.json'));
  eventsMock.on(PutEventsCommand).resolves(fixture('validation/put-events.response.json'));
});

describe('a rule whose secret uses a customer managed key', () => {
  test('when ECR fails the rule, the failure names the key and the service-linked role that cannot decrypt with it', async () => {
    secretsMock
      .on(DescribeSecretCommand, { SecretId: DOCKER_HUB_SECRET })
      .resolves(fixture('validation/describe-secret.customer-managed-key.json'));
    const d = deps();
    const checks = await validateRules(validationConfig().rules, d);
    expect(secretsMock).toHaveReceivedCommandTimes(DescribeSecretCommand, 1);
    expect(secretsMock).toHaveReceivedCommandWith(DescribeSecretCommand, { SecretId: DOCKER_HUB_SECRET });
    const failure = checks[0]!.failure!;
    expect(checks[0]).toMatchObject({ prefix: 'docker-hub', valid: false });
    expect(failure).toBe(
      `ECR cannot use the rule: ${ECR_FAILURE}; the credential secret ecr-pullthroughcache/docker-hub is encrypted with the customer managed key "${KEY}", ` +
        'and ECR reads it as its service-linked role AWSServiceRoleForECRPullThroughCache, which has no kms:Decrypt: the key policy must allow that role kms:Decrypt through Secrets Manager ' +
        '(ptc plan prints the statement), or re-encrypt the secret with aws/secretsmanager, the key AWS documents for pull through cache secrets',
    );
    expect(d.metrics.values).toContainEqual({ name: 'RuleValid', value: 0, prefix: 'docker-hub' });
    const entries = eventsMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
    expect(JSON.parse(entries[0]!.Detail!)).toEqual({
      prefix: 'docker-hub',
      upstream: 'docker-hub',
      upstreamRegistryUrl: 'registry-1.docker.io',
      failure,
    });
  });

  test('a secret under aws/secretsmanager (DescribeSecret omits KmsKeyId) is not blamed on a key', async () => {
    secretsMock.on(DescribeSecretCommand).resolves(fixture('validation/describe-secret.aws-managed-key.json'));
    const checks = await validateRules(validationConfig().rules, deps({ secretsKmsKeyArn: KEY }));
    expect(checks[0]!.failure).toBe(`ECR cannot use the rule: ${ECR_FAILURE}`);
  });

  test('when DescribeSecret is refused, the key the stack creates its secrets with is named for a created secret', async () => {
    secretsMock
      .on(DescribeSecretCommand)
      .rejects(Object.assign(new Error('not authorized to perform: secretsmanager:DescribeSecret'), { name: 'AccessDeniedException' }));
    const d = deps({ secretsKmsKeyArn: KEY });
    const checks = await validateRules(validationConfig().rules, d);
    expect(checks[0]!.failure).toContain(`is encrypted with the customer managed key "${KEY}"`);
    expect(d.log.lines).toContainEqual({
      level: 'debug',
      message: 'credential secret not described',
      attributes: { prefix: 'docker-hub', reason: 'AccessDeniedException' },
    });
  });

  test('a rule ECR validates never has its secret described', async () => {
    ecrMock.on(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: 'docker-hub' }).resolves({
      ...fixture<ValidatePullThroughCacheRuleCommandOutput>('validation/validate-pull-through-cache-rule.valid.json'),
      ecrRepositoryPrefix: 'docker-hub',
    });
    await validateRules(validationConfig().rules, deps({ secretsKmsKeyArn: KEY }));
    expect(secretsMock).not.toHaveReceivedCommand(DescribeSecretCommand);
  });
});

describe('the secrets key in the validation settings, the template and the plan', () => {
  const config = fullConfig({ secretsKmsKeyArn: KEY });

  test('the Lambda environment carries the key of the secrets the stack creates', () => {
    const target = { account: '111122223333', region: 'eu-west-2' };
    expect(decodeValidationSettings(encodeRules(config.rules, target, KEY))).toEqual({ rules: config.rules, secretsKmsKeyArn: KEY });
    expect(decodeValidationSettings(encodeRules(config.rules, target))).toEqual({ rules: config.rules });
  });

  test('the validator may describe the credential secrets and decrypt with the configured key', () => {
    const template = Template.fromStack(
      buildApp(config, { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } }).stacks[0]!,
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ReadCredentialSecrets', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] }),
          Match.objectLike({ Sid: 'DecryptCredentialSecrets', Action: 'kms:Decrypt', Resource: KEY }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'validate-rules',
          PTC_VALIDATION_RULES: Match.stringLikeRegexp('"secretsKmsKeyArn":"arn:aws:kms:eu-west-2'),
        }),
      },
    });
  });

  test('ptc plan prints the key policy statement the service-linked role needs, scoped to Secrets Manager and ecr-pullthroughcache/ secrets', () => {
    const plan = buildPlan(config);
    const statement = {
      Sid: 'AllowEcrPullThroughCacheToDecryptCredentialSecrets',
      Effect: 'Allow',
      Principal: {
        AWS: 'arn:aws:iam::111122223333:role/aws-service-role/pullthroughcache.ecr.amazonaws.com/AWSServiceRoleForECRPullThroughCache',
      },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-2.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:SecretARN': 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/*' },
      },
    };
    expect(plan.environments[0]!.secretsKey).toEqual({
      kmsKeyArn: KEY,
      secretNames: ['ecr-pullthroughcache/docker-hub'],
      keyPolicyStatement: statement,
    });
    const text = renderPlan(plan);
    expect(text).toContain(`credential secrets ecr-pullthroughcache/docker-hub are encrypted with the customer managed key ${KEY}.`);
    expect(text).toContain('ECR reads them as its service-linked role AWSServiceRoleForECRPullThroughCache, which has no kms:Decrypt');
    expect(text).toContain('aws iam create-service-linked-role --aws-service-name pullthroughcache.ecr.amazonaws.com');
    expect(text).toContain(
      JSON.stringify(statement, null, 2)
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n'),
    );
  });

  test('without a customer managed key the plan says nothing about key policies', () => {
    expect(buildPlan(fullConfig()).environments[0]!.secretsKey).toBeUndefined();
    expect(renderPlan(buildPlan(fullConfig()))).not.toContain('AWSServiceRoleForECRPullThroughCache');
  });

  test('the statement follows the partition and Region of the target', () => {
    const s = secretsKeyPolicyStatement({ partition: 'aws-cn', account: '111122223333', region: 'cn-north-1' });
    expect(s.Principal.AWS).toBe(
      'arn:aws-cn:iam::111122223333:role/aws-service-role/pullthroughcache.ecr.amazonaws.com/AWSServiceRoleForECRPullThroughCache',
    );
    expect(s.Condition.StringEquals).toEqual({ 'kms:ViaService': 'secretsmanager.cn-north-1.amazonaws.com.cn' });
  });
});
