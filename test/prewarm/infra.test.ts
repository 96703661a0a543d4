import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, parseConfig, type PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { fullConfig } from '../infra/helpers';

function build(config: PtcConfig) {
  return buildApp(config, { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } });
}
const templateOf = (config: PtcConfig): Template => Template.fromStack(build(config).stacks[0]!);

const PREWARM = {
  images: ['nginx:1.27', 'ghcr.io/org/app:v1'],
  manifest: { s3: { bucket: 'team-lists', key: 'prewarm/images.txt' }, ssmParameter: '/ptc/prewarm-images' },
};
const template = templateOf(fullConfig({ prewarm: PREWARM }));
const PREFIXES = ['docker-hub', 'github', 'k8s', 'ecr', 'central'];

function prewarmFunctionId(t: Template = template): string | undefined {
  return Object.keys(
    t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'prewarm' } } } }),
  )[0];
}

function statements(t: Template = template): { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const role = (t.findResources('AWS::Lambda::Function')[prewarmFunctionId(t)!]!.Properties.Role as { 'Fn::GetAtt': string[] })[
    'Fn::GetAtt'
  ][0]!;
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('prewarm infrastructure', () => {
  test('runs on prewarm.schedule (every 12 hours by default) with the settings in its environment', () => {
    const id = prewarmFunctionId()!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      MemorySize: 512,
      Environment: { Variables: Match.objectLike({ PTC_PREWARM_SETTINGS: Match.stringLikeRegexp('nginx:1.27') }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(12 hours)',
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })]),
    });
  });

  test('is not deployed when nothing is listed', () => {
    expect(prewarmFunctionId(templateOf(fullConfig()))).toBeUndefined();
  });

  test('pulls through the cache only in the managed prefixes, and reads only the configured list sources', () => {
    const s = statements();
    expect(s.find((x) => x.Sid === 'RegistryLogin')).toMatchObject({ Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(s.find((x) => x.Sid === 'PullThroughCache')).toMatchObject({
      Action: [
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchImportUpstreamImage',
        'ecr:CreateRepository',
      ],
      Resource: PREFIXES.map((p) => `arn:aws:ecr:eu-west-2:111122223333:repository/${p}/*`),
    });
    expect(s.find((x) => x.Sid === 'ReadImageListObject')).toMatchObject({
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::team-lists/prewarm/images.txt',
    });
    expect(s.find((x) => x.Sid === 'ReadImageListParameter')).toMatchObject({
      Action: 'ssm:GetParameter',
      Resource: 'arn:aws:ssm:eu-west-2:111122223333:parameter/ptc/prewarm-images',
    });
  });

  test('alarms on any image not prewarmed and on a failed run, to the alarm topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'PtcAutopilot',
      MetricName: 'Failures',
      Dimensions: [{ Name: 'service', Value: 'prewarm' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^CacheAlarmsTopic') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: prewarmFunctionId() } }],
    });
  });

  test('has no unacknowledged cdk-nag finding', () => {
    const { app } = build(fullConfig({ prewarm: PREWARM }));
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });
});

describe('a customer managed key on the prewarm image list (prewarm.manifest.kmsKeyArn)', () => {
  const KEY = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const MRK = 'arn:aws:kms:eu-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';

  test('without it, prewarm gets no kms:Decrypt (aws/ssm and aws/s3 need none)', () => {
    expect(statements().some((x) => JSON.stringify(x.Action).includes('kms:'))).toBe(false);
  });

  test('grants kms:Decrypt on that key only, used through S3 and SSM of the Region', () => {
    const t = templateOf(fullConfig({ prewarm: { ...PREWARM, manifest: { ...PREWARM.manifest, kmsKeyArn: KEY } } }));
    const kms = statements(t).filter((x) => JSON.stringify(x.Action).includes('kms:'));
    expect(kms).toEqual([
      {
        Sid: 'DecryptImageList',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: KEY,
        Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-2.amazonaws.com', 'ssm.eu-west-2.amazonaws.com'] } },
      },
    ]);
  });

  test('an S3 list alone is decrypted only through S3', () => {
    const t = templateOf(fullConfig({ prewarm: { images: [], manifest: { s3: PREWARM.manifest.s3, kmsKeyArn: KEY } } }));
    expect(statements(t).find((x) => x.Sid === 'DecryptImageList')).toMatchObject({
      Resource: KEY,
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-2.amazonaws.com' } },
    });
  });

  test("a multi-Region key is used in each environment's own Region for the parameter, in its own Region for the object", () => {
    const config = parseConfig({
      rules: [{ prefix: 'k8s', upstream: 'k8s' }],
      environments: [
        { name: 'eu', account: '111122223333', region: 'eu-west-2' },
        { name: 'us', account: '111122223333', region: 'us-east-1' },
      ],
      prewarm: { manifest: { ...PREWARM.manifest, kmsKeyArn: MRK } },
    });
    const us = Template.fromStack(build(config).stacks[1]!);
    const kms = statements(us).filter((x) => JSON.stringify(x.Action).includes('kms:'));
    expect(kms).toEqual([
      expect.objectContaining({ Resource: MRK, Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-2.amazonaws.com' } } }),
      expect.objectContaining({
        Resource: MRK.replace('eu-west-2', 'us-east-1'),
        Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
      }),
    ]);
  });

  test('a single-Region key for a parameter read in another Region is a config error naming the field', () => {
    let error: unknown;
    try {
      parseConfig({
        rules: [{ prefix: 'k8s', upstream: 'k8s' }],
        environments: [
          { name: 'eu', account: '111122223333', region: 'eu-west-2' },
          { name: 'us', account: '111122223333', region: 'us-east-1' },
        ],
        prewarm: { manifest: { ssmParameter: '/ptc/prewarm-images', kmsKeyArn: KEY } },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^config error at prewarm\.manifest\.kmsKeyArn: the key is in eu-west-2, but the parameter \/ptc\/prewarm-images is read in us-east-1 too/,
    );
  });

  test('has no unacknowledged cdk-nag finding with the key', () => {
    const { app } = build(fullConfig({ prewarm: { ...PREWARM, manifest: { ...PREWARM.manifest, kmsKeyArn: KEY } } }));
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });
});
