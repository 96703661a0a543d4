import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { fullConfig } from '../infra/helpers';

function build(config: PtcConfig) {
  return buildApp(config, { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } });
}
const templateOf = (config: PtcConfig): Template => Template.fromStack(build(config).stacks[0]!);

const PREWARM = { images: ['nginx:1.27', 'ghcr.io/org/app:v1'], manifest: { s3: { bucket: 'team-lists', key: 'prewarm/images.txt' }, ssmParameter: '/ptc/prewarm-images' } };
const template = templateOf(fullConfig({ prewarm: PREWARM }));
const PREFIXES = ['docker-hub', 'github', 'k8s', 'ecr', 'central'];

function prewarmFunctionId(t: Template = template): string | undefined {
  return Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'prewarm' } } } }))[0];
}

function statements(): { Sid?: string; Action: string | string[]; Resource: unknown }[] {
  const role = (template.findResources('AWS::Lambda::Function')[prewarmFunctionId()!]!.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('prewarm infrastructure', () => {
  test('runs on prewarm.schedule (every 12 hours by default) with the settings in its environment', () => {
    const id = prewarmFunctionId()!;
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, MemorySize: 512, Environment: { Variables: Match.objectLike({ PTC_PREWARM_SETTINGS: Match.stringLikeRegexp('nginx:1.27') }) } });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(12 hours)', Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })]) });
  });

  test('is not deployed when nothing is listed', () => {
    expect(prewarmFunctionId(templateOf(fullConfig()))).toBeUndefined();
  });

  test('pulls through the cache only in the managed prefixes, and reads only the configured list sources', () => {
    const s = statements();
    expect(s.find((x) => x.Sid === 'RegistryLogin')).toMatchObject({ Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(s.find((x) => x.Sid === 'PullThroughCache')).toMatchObject({
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
      Resource: PREFIXES.map((p) => `arn:aws:ecr:eu-west-2:111122223333:repository/${p}/*`),
    });
    expect(s.find((x) => x.Sid === 'ReadImageListObject')).toMatchObject({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::team-lists/prewarm/images.txt' });
    expect(s.find((x) => x.Sid === 'ReadImageListParameter')).toMatchObject({ Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:eu-west-2:111122223333:parameter/ptc/prewarm-images' });
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
