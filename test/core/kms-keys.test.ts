import { buildPlan, configForTarget, effectiveSettings, parseConfig, targets } from '../../core';
import { issuesOf } from './issues-of';

const keyEu = 'arn:aws:kms:eu-west-2:111122223333:key/1111aaaa-12ab-34cd-56ef-1234567890ab';
const keyUs = 'arn:aws:kms:us-east-1:111122223333:key/2222bbbb-12ab-34cd-56ef-1234567890ab';
const secretsEu = 'arn:aws:kms:eu-west-2:111122223333:key/3333cccc-12ab-34cd-56ef-1234567890ab';
const secretsUs = 'arn:aws:kms:us-east-1:111122223333:key/4444dddd-12ab-34cd-56ef-1234567890ab';

function twoRegions(overrides: Record<string, unknown> = {}, environments?: Record<string, unknown>[]) {
  return {
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      { prefix: 'k8s', upstream: 'k8s' },
    ],
    repositories: { encryption: { type: 'KMS' } },
    environments: environments ?? [
      { name: 'prod-eu', account: '111122223333', region: 'eu-west-2', kmsKeyArn: keyEu, secretsKmsKeyArn: secretsEu },
      { name: 'prod-us', account: '111122223333', region: 'us-east-1', kmsKeyArn: keyUs, secretsKmsKeyArn: secretsUs },
    ],
    ...overrides,
  };
}

describe('per-environment KMS keys', () => {
  test('each stack gets its own environment keys; "type: KMS" needs no config-wide key', () => {
    const config = parseConfig(twoRegions());
    const [eu, us] = targets(config).map((t) => configForTarget(config, t));
    expect(effectiveSettings(eu!, 'k8s').encryption).toEqual({ type: 'KMS', kmsKeyArn: keyEu });
    expect(effectiveSettings(us!, 'k8s').encryption).toEqual({ type: 'KMS', kmsKeyArn: keyUs });
    expect([eu!.secretsKmsKeyArn, us!.secretsKmsKeyArn]).toEqual([secretsEu, secretsUs]);
  });

  test('an environment key replaces the config-wide keys of the base block and of overrides with type KMS', () => {
    const config = parseConfig(
      twoRegions(
        {
          repositories: {
            encryption: { type: 'KMS', kmsKeyArn: keyEu },
            overrides: [{ prefix: 'k8s', encryption: { type: 'KMS', kmsKeyArn: keyEu } }],
          },
        },
        [
          { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
          { name: 'prod-us', account: '111122223333', region: 'us-east-1', kmsKeyArn: keyUs },
        ],
      ),
    );
    const [eu, us] = targets(config).map((t) => configForTarget(config, t));
    expect(['docker-hub', 'k8s'].map((p) => effectiveSettings(eu!, p).encryption.kmsKeyArn)).toEqual([keyEu, keyEu]);
    expect(['docker-hub', 'k8s'].map((p) => effectiveSettings(us!, p).encryption.kmsKeyArn)).toEqual([keyUs, keyUs]);
  });

  test('configForTarget is idempotent and leaves a config without environment keys as it is', () => {
    const config = parseConfig(twoRegions());
    const t = targets(config)[1]!;
    expect(configForTarget(configForTarget(config, t), t)).toEqual(configForTarget(config, t));
    const plain = parseConfig({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] });
    expect(configForTarget(plain, targets(plain)[0]!)).toBe(plain);
  });

  test("the plan shows each environment's repository key", () => {
    const plan = buildPlan(parseConfig(twoRegions()));
    expect(plan.environments.map((e) => e.rules[1]!.repositorySettings.encryption)).toEqual([
      { type: 'KMS', kmsKeyArn: keyEu },
      { type: 'KMS', kmsKeyArn: keyUs },
    ]);
  });

  test("an environment key outside that environment's Region is an error at its own field", () => {
    const input = twoRegions({}, [
      { name: 'prod-eu', account: '111122223333', region: 'eu-west-2', kmsKeyArn: keyEu },
      { name: 'prod-us', account: '111122223333', region: 'us-east-1', kmsKeyArn: keyEu, secretsKmsKeyArn: secretsEu },
    ]);
    expect(issuesOf(input)).toEqual([
      {
        path: 'environments[1].secretsKmsKeyArn',
        message:
          'the key is in account 111122223333, eu-west-2 but environment "prod-us" deploys to 111122223333 in us-east-1; a KMS key serves only its own account and Region',
      },
      {
        path: 'environments[1].kmsKeyArn',
        message:
          'the key is in account 111122223333, eu-west-2 but environment "prod-us" deploys to 111122223333 in us-east-1; a KMS key serves only its own account and Region',
      },
    ]);
  });

  test('a config-wide key is an error at its field, naming the environment it does not fit', () => {
    const input = twoRegions({ repositories: { encryption: { type: 'KMS', kmsKeyArn: keyEu } }, secretsKmsKeyArn: secretsEu }, [
      { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
      { name: 'prod-us', account: '111122223333', region: 'us-east-1' },
    ]);
    expect(issuesOf(input)).toEqual([
      {
        path: 'secretsKmsKeyArn',
        message: expect.stringContaining(
          'environment "prod-us" deploys to 111122223333 in us-east-1; a KMS key serves only its own account and Region; give that environment its own key in environments[1].secretsKmsKeyArn',
        ),
      },
      {
        path: 'repositories.encryption.kmsKeyArn',
        message: expect.stringContaining(
          'environment "prod-us" deploys to 111122223333 in us-east-1; a KMS key serves only its own account and Region; give that environment its own key in environments[1].kmsKeyArn',
        ),
      },
    ]);
  });

  test("a key of another account is an error, also for a config's single stack", () => {
    const other = 'arn:aws:kms:eu-west-2:999988887777:key/1111aaaa-12ab-34cd-56ef-1234567890ab';
    expect(
      issuesOf({
        account: '111122223333',
        region: 'eu-west-2',
        rules: [{ prefix: 'k8s', upstream: 'k8s' }],
        repositories: { encryption: { type: 'KMS', kmsKeyArn: other } },
      }),
    ).toEqual([
      {
        path: 'repositories.encryption.kmsKeyArn',
        message:
          'the key is in account 999988887777, eu-west-2 but the stack deploys to 111122223333 in eu-west-2; a KMS key serves only its own account and Region',
      },
    ]);
  });

  test('an override key that does not fit is reported at the override', () => {
    const input = twoRegions({ repositories: { overrides: [{ prefix: 'k8s', encryption: { type: 'KMS', kmsKeyArn: keyUs } }] } }, [
      { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
    ]);
    expect(issuesOf(input)).toEqual([
      {
        path: 'repositories.overrides[0].encryption.kmsKeyArn',
        message: expect.stringContaining('environment "prod-eu" deploys to 111122223333 in eu-west-2'),
      },
    ]);
  });

  test('an environment repository key with no KMS-encrypted repository is refused as unused', () => {
    const input = twoRegions({ repositories: {} }, [{ name: 'prod-eu', account: '111122223333', region: 'eu-west-2', kmsKeyArn: keyEu }]);
    expect(issuesOf(input)).toEqual([
      {
        path: 'environments[0].kmsKeyArn',
        message: expect.stringContaining('no repository is encrypted with KMS, so this key would go unused'),
      },
    ]);
  });
});
