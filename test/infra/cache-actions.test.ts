import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { CACHE_ACTION_NAMESPACE, RATE_LIMIT_BURST, RATE_LIMIT_REGEX } from '../../infra/constructs/cache-actions';
import { documentedEvents, withRepository, type AwsEvent } from '../aws-truth/aws-events';
import { matchesPattern } from '../aws-truth/event-pattern';
import { everyFeatureTwoEnvironments, fullConfig } from './helpers';

let built: Template | undefined;
const template = (): Template => (built ??= Template.fromStack(buildApp(everyFeatureTwoEnvironments(), { nag: false }).stacks[0] as Stack));
const config = everyFeatureTwoEnvironments();
const prefixes = config.rules.map((r) => r.prefix);

function resourcesOf(t: Template, type: string, idPattern: RegExp): Array<[string, { Properties: Record<string, unknown> }]> {
  return Object.entries(t.findResources(type)).filter(([id]) => idPattern.test(id)) as Array<
    [string, { Properties: Record<string, unknown> }]
  >;
}

// AWS documents only the successful sync (test/fixtures/aws-events/ecr-pull-through-cache-action.json);
// this failure is derived from it: the EventBridge schema's optional failure-code and failure-reason
// with illustrative values, as no AWS document names a failure code.
function derivedFailure(event: AwsEvent, code: string, reason: string): AwsEvent {
  return { ...event, detail: { ...event.detail, 'sync-status': 'FAILED', 'failure-code': code, 'failure-reason': reason } };
}

describe('the pull through cache action metrics', () => {
  test('one rule sends the managed prefixes\u2019 pull through cache actions to a log group, without a Lambda', () => {
    const t = template();
    const rule = resourcesOf(t, 'AWS::Events::Rule', /CacheActionsRule/);
    expect(rule).toHaveLength(1);
    const properties = rule[0]![1].Properties as { EventPattern: unknown; Targets: Array<{ Arn: unknown }> };
    expect(properties.EventPattern).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Pull Through Cache Action'],
      detail: { 'repository-name': prefixes.map((p) => ({ prefix: `${p}/` })) },
    });
    const [logGroupId] = resourcesOf(t, 'AWS::Logs::LogGroup', /CacheActionsEvents/)[0]!;
    expect(properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } })]);
    // No custom resource writes the log group's policy.
    expect(Object.keys(t.findResources('Custom::CloudwatchLogResourcePolicy'))).toEqual([]);
  });

  test('the log group accepts writes from EventBridge for this rule only', () => {
    const t = template();
    const [ruleId] = resourcesOf(t, 'AWS::Events::Rule', /CacheActionsRule/)[0]!;
    const [policy] = resourcesOf(t, 'AWS::Logs::ResourcePolicy', /CacheActionsDeliveryPolicy/);
    const document = JSON.stringify(policy![1].Properties.PolicyDocument);
    expect(document).toContain('logs:PutLogEvents');
    expect(document).toContain('events.amazonaws.com');
    expect(document).toContain(ruleId);
    expect(document).not.toContain('"Resource":"*"');
  });

  test('the documented event fires the rule under every prefix, and nowhere else', () => {
    const rule = resourcesOf(template(), 'AWS::Events::Rule', /CacheActionsRule/)[0]![1].Properties.EventPattern;
    const sample = documentedEvents()['ECR Pull Through Cache Action']!;
    for (const p of prefixes) {
      expect(matchesPattern(rule, withRepository(sample, `${p}/alpine`, p))).toBe(true);
      expect(matchesPattern(rule, withRepository(derivedFailure(sample, 'TOO_MANY_REQUESTS', 'x'), `${p}/alpine`, p))).toBe(true);
      expect(matchesPattern(rule, withRepository(sample, `${p}-other/alpine`, `${p}-other`))).toBe(false);
    }
    expect(matchesPattern(rule, withRepository(sample, 'my-repository-name', 'my-repository-name'))).toBe(false);
    expect(
      matchesPattern(rule, { ...withRepository(sample, `${prefixes[0]}/alpine`, prefixes[0]), 'detail-type': 'ECR Image Action' }),
    ).toBe(false);
  });

  test('metric filters count successes per prefix, failures per prefix and failure-code, and rate limits', () => {
    const t = template();
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.detail.sync-status = "SUCCESS" }',
      MetricTransformations: [
        {
          MetricNamespace: CACHE_ACTION_NAMESPACE,
          MetricName: 'UpstreamFetches',
          MetricValue: '1',
          Dimensions: [{ Key: 'prefix', Value: '$.detail.ecr-repository-prefix' }],
        },
      ],
    });
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.detail.sync-status != "SUCCESS" }',
      MetricTransformations: [
        Match.objectLike({
          MetricName: 'UpstreamFailures',
          Dimensions: Match.arrayWith([{ Key: 'failureCode', Value: '$.detail.failure-code' }]),
        }),
      ],
    });
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: `{ ($.detail.sync-status != "SUCCESS") && (($.detail.failure-code = %${RATE_LIMIT_REGEX}%) || ($.detail.failure-reason = %${RATE_LIMIT_REGEX}%)) }`,
      MetricTransformations: [Match.objectLike({ MetricName: 'UpstreamRateLimited' })],
    });
  });

  test('the rate-limit regex holds only characters CloudWatch Logs allows and recognises the usual spellings', () => {
    // "Supported regular expressions (regex) syntax", CloudWatch Logs User Guide (FilterAndPatternSyntax.html).
    expect(RATE_LIMIT_REGEX).toMatch(/^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+.]+$/);
    const re = new RegExp(RATE_LIMIT_REGEX);
    for (const hit of [
      'TOO_MANY_REQUESTS',
      'toomanyrequests: You have reached your pull rate limit',
      'UPSTREAM_RATE_LIMIT_EXCEEDED',
      'HTTP 429',
    ])
      expect(re.test(hit)).toBe(true);
    for (const miss of ['UPSTREAM_AUTHENTICATION_FAILURE', 'ACCESS_DENIED', 'UPSTREAM_UNAVAILABLE', 'not found'])
      expect(re.test(miss)).toBe(false);
  });

  test('a burst of rate-limited fetches raises the alarm on the alarm topic', () => {
    const t = template();
    const [topicId] = Object.keys(t.findResources('AWS::SNS::Topic'));
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: CACHE_ACTION_NAMESPACE,
      MetricName: 'UpstreamRateLimited',
      Statistic: 'Sum',
      Period: 300,
      Threshold: RATE_LIMIT_BURST,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  test('the dashboard draws first pulls per prefix, failures by code, and shows the rate-limit alarm', () => {
    const t = template();
    const body = JSON.stringify(Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    expect(body).toContain('First pulls and syncs from the upstream (cache misses, per day)');
    for (const p of prefixes) expect(body).toContain(`UpstreamFetches\\",\\"prefix\\",\\"${p}`);
    expect(body).toContain(
      `SEARCH('{${CACHE_ACTION_NAMESPACE},failureCode,prefix} MetricName=\\\\\\"UpstreamFailures\\\\\\"', 'Sum', 86400)`,
    );
    const [alarmId] = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).find(
      ([, a]) => (a as { Properties: { MetricName?: string } }).Properties.MetricName === 'UpstreamRateLimited',
    )!;
    expect(body).toContain(alarmId);
  });
});

describe('the prewarm role as a pull-time update exclusion', () => {
  test('is registered when eviction is on, so prewarm pulls never count as use', () => {
    const t = template();
    const role = Object.keys(t.findResources('AWS::IAM::Role')).find(
      (id) => /PrewarmFunction/.test(id) && !/Provider|LogRetention/.test(id),
    )!;
    t.hasResourceProperties('AWS::ECR::PullTimeUpdateExclusion', { PrincipalArn: { 'Fn::GetAtt': [role, 'Arn'] } });
    t.resourceCountIs('AWS::ECR::PullTimeUpdateExclusion', 2);
  });

  test('is not registered without eviction (nothing reads pull times)', () => {
    const c = fullConfig({ prewarm: { images: ['nginx:1.27'] } });
    expect(c.prewarm.images).toEqual(['nginx:1.27']);
    Template.fromStack(buildApp(c, { nag: false }).stacks[0] as Stack).resourceCountIs('AWS::ECR::PullTimeUpdateExclusion', 0);
  });
});
