import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { ALARMS_PER_WIDGET, PtcDashboard } from '../../infra/constructs/dashboard';
import { ruleValidAlarmTiming, scheduleIntervalSeconds } from '../../infra/constructs/rule-validation';
import { fullConfig } from '../infra/helpers';

/** The first stack's template, synthesized without bundling the Lambdas (not under test here). */
function templateOf(config: PtcConfig): Template {
  const { stacks } = buildApp(config, { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } });
  return Template.fromStack(stacks[0]!);
}

const template = templateOf(fullConfig());
const PREFIXES = ['docker-hub', 'github', 'k8s', 'ecr', 'central'];

function validationFunctionId(): string {
  const fns = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'validate-rules' } } },
  });
  const ids = Object.keys(fns);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

function statementsOf(functionId: string): { Sid?: string; Action: string | string[]; Resource: unknown }[] {
  const role = (template.findResources('AWS::Lambda::Function')[functionId]!.Properties.Role as { 'Fn::GetAtt': string[] })[
    'Fn::GetAtt'
  ][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p.Properties.Roles).includes(role!),
  );
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('rule validation infrastructure', () => {
  test('the function gets the rules in its environment and runs on validation.schedule (hourly by default)', () => {
    const id = validationFunctionId();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          PTC_VALIDATION_RULES: Match.stringLikeRegexp('docker-hub'),
          POWERTOOLS_METRICS_NAMESPACE: 'PtcAutopilot',
        }),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })]),
    });
    templateOf(fullConfig({ validation: { schedule: 'rate(30 minutes)' } })).hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
    });
  });

  test('failed syncs (sync-status anything but the documented SUCCESS) under the managed prefixes invoke the function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Pull Through Cache Action'],
        detail: { 'sync-status': [{ 'anything-but': 'SUCCESS' }], 'repository-name': PREFIXES.map((p) => ({ prefix: `${p}/` })) },
      },
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [validationFunctionId(), 'Arn'] } })]),
    });
  });

  test('one RuleValid alarm per rule, missing data breaching, notifying the alarm topic', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'RuleValid' } });
    const byPrefix = Object.values(alarms).map((a) => a.Properties);
    expect(byPrefix.map((p) => p.Dimensions.find((d: { Name: string }) => d.Name === 'prefix').Value).sort()).toEqual([...PREFIXES].sort());
    for (const p of byPrefix) {
      expect(p).toMatchObject({
        Namespace: 'PtcAutopilot',
        Statistic: 'Minimum',
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        Period: 3600,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        AlarmActions: [{ Ref: expect.stringMatching(/^CacheAlarmsTopic/) }],
      });
      expect(p.Dimensions).toContainEqual({ Name: 'service', Value: 'validate-rules' });
    }
  });

  test('one SyncFailures alarm per rule fires on the first failed sync', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'SyncFailures' } })).map(
      (a) => a.Properties,
    );
    expect(alarms).toHaveLength(PREFIXES.length);
    for (const p of alarms) {
      expect(p).toMatchObject({
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Period: 300,
      });
    }
  });

  test("the function reads only the rules' credential secrets and puts events only on the default bus", () => {
    const statements = statementsOf(validationFunctionId());
    const secrets = statements.find((s) => s.Sid === 'ReadCredentialSecrets')!;
    expect(secrets.Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
    expect(secrets.Resource).toEqual([
      { Ref: expect.stringMatching(/^CacheRulesDockerHubSecret/) },
      'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/github-AbCdEf',
    ]);
    const put = statements.find((s) => s.Sid === 'PublishValidationEvents')!;
    expect(JSON.stringify(put.Resource)).toContain(':event-bus/default');
    const rules = statements.find((s) => s.Sid === 'DescribeAndValidateRules')!;
    expect(rules.Action).toEqual(['ecr:DescribePullThroughCacheRules', 'ecr:ValidatePullThroughCacheRule']);
  });

  test('the alarm email from validation.alarmEmail is subscribed to the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  test('a validation schedule slower than daily is refused, naming the field', () => {
    expect(() => templateOf(fullConfig({ validation: { schedule: 'rate(2 days)' } }))).toThrow(
      /config error at validation\.schedule: "rate\(2 days\)" runs less than once a day/,
    );
  });
});

describe('RuleValid alarm timing', () => {
  test('follows the schedule interval and alarms after two breaching periods', () => {
    expect(scheduleIntervalSeconds('rate(15 minutes)')).toBe(900);
    expect(scheduleIntervalSeconds('cron(0 * * * ? *)')).toBeUndefined();
    expect(ruleValidAlarmTiming('rate(15 minutes)')).toMatchObject({ evaluationPeriods: 2 });
    expect(ruleValidAlarmTiming('rate(15 minutes)').period.toSeconds()).toBe(900);
    expect(ruleValidAlarmTiming('rate(1 day)').period.toSeconds()).toBe(86400);
    expect(ruleValidAlarmTiming('cron(0 3 * * ? *)')).toMatchObject({ evaluationPeriods: 1 });
  });
});

describe('dashboard', () => {
  const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);

  test('draws rule validity and sync failures for every prefix', () => {
    for (const p of PREFIXES) {
      expect(body).toContain(`\\"PtcAutopilot\\",\\"RuleValid\\",\\"prefix\\",\\"${p}\\",\\"service\\",\\"validate-rules\\"`);
      expect(body).toContain(`\\"PtcAutopilot\\",\\"SyncFailures\\",\\"prefix\\",\\"${p}\\",\\"service\\",\\"validate-rules\\"`);
    }
  });

  test("draws the reconciler's changes and failures by metric name", () => {
    for (const name of ['ChangesApplied', 'ReposConfigured', 'Failures'])
      expect(body).toContain(`\\"PtcAutopilot\\",\\"${name}\\",\\"service\\",\\"reconcile-repository\\"`);
  });

  test('draws prewarm results only when something is prewarmed', () => {
    expect(body).not.toContain('ImagesOk');
    const withImages = templateOf(fullConfig({ prewarm: { images: ['nginx:1.27'] } }));
    const body2 = JSON.stringify(Object.values(withImages.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    for (const name of ['ImagesOk', 'ImagesMissing', 'ImagesDenied', 'ImagesFailed'])
      expect(body2).toContain(`\\"PtcAutopilot\\",\\"${name}\\",\\"service\\",\\"prewarm\\"`);
  });

  test("the alarm status widget shows every alarm of the stack: rule, sync, prewarm and the reconciler's DLQ", () => {
    const t = templateOf(fullConfig({ prewarm: { images: ['nginx:1.27'] } }));
    const alarmIds = Object.keys(t.findResources('AWS::CloudWatch::Alarm'));
    // 5 RuleValid + 5 SyncFailures + prewarm failures and errors + the reconciler's dead-letter alarm, at least.
    expect(alarmIds.length).toBeGreaterThanOrEqual(2 * PREFIXES.length + 3);
    const dashboardBody = JSON.stringify(Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    const shown = [...dashboardBody.matchAll(/\{"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]\}/g)].map((m) => m[1]);
    expect(new Set(shown)).toEqual(new Set(alarmIds));
  });
});

describe('PtcDashboard', () => {
  const widgetsOf = (alarms: cloudwatch.IAlarm[]) => {
    const stack = new Stack(new App(), 'Dash', { env: { account: '111122223333', region: 'eu-west-2' } });
    new PtcDashboard(stack, 'Dashboard', { prefixes: ['docker-hub'], alarms });
    const body = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody as
      string | { 'Fn::Join': [string, unknown[]] };
    const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''); // tokens (the region) sit inside JSON strings
    return (JSON.parse(text) as { widgets: { type: string; properties: { title?: string; alarms?: string[] } }[] }).widgets.filter(
      (w) => w.type === 'alarm',
    );
  };
  const imported = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      cloudwatch.Alarm.fromAlarmArn(new Stack(), `A${i}`, `arn:aws:cloudwatch:eu-west-2:111122223333:alarm:team-alarm-${i}`),
    );

  test('accepts any alarm, such as one imported by ARN', () => {
    const widgets = widgetsOf(imported(2));
    expect(widgets.map((w) => [w.properties.title, w.properties.alarms])).toEqual([
      [
        'Alarms',
        ['arn:aws:cloudwatch:eu-west-2:111122223333:alarm:team-alarm-0', 'arn:aws:cloudwatch:eu-west-2:111122223333:alarm:team-alarm-1'],
      ],
    ]);
  });

  test(`splits a long alarm list into widgets of at most ${ALARMS_PER_WIDGET}, as CloudWatch allows`, () => {
    const widgets = widgetsOf(imported(230));
    expect(widgets.map((w) => [w.properties.title, w.properties.alarms!.length])).toEqual([
      ['Alarms (1 of 3)', 100],
      ['Alarms (2 of 3)', 100],
      ['Alarms (3 of 3)', 30],
    ]);
    expect(widgets.flatMap((w) => w.properties.alarms).at(-1)).toBe('arn:aws:cloudwatch:eu-west-2:111122223333:alarm:team-alarm-229');
  });

  test('draws no alarm widget without alarms', () => {
    expect(widgetsOf([])).toEqual([]);
  });
});
