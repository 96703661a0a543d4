/**
 * Pull through cache activity as CloudWatch metrics, without a Lambda: an EventBridge rule sends
 * ECR's `ECR Pull Through Cache Action` events of the managed prefixes to a log group, and metric
 * filters count them. ECR sends the event when it fetches from the upstream (a first pull, a cache
 * miss, or a sync); `detail.sync-status` is `SUCCESS` or a failure, whose cause is in `failure-code`
 * and `failure-reason`. AWS documents only the `SUCCESS` sample and names no failure code, so the
 * failures are drawn per code found in the events, and rate limits are recognised by pattern.
 * docs/eviction.md ("The dashboard").
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { SYNC_SUCCESS } from '../../core/lambda-contracts/validate-rules/sync-status';
import { reconcilerEventPatterns } from './repository-reconciler';

/** The namespace of the metric filters' metrics. */
export const CACHE_ACTION_NAMESPACE = 'PtcAutopilot/PullThroughCache';

/** The metrics the filters publish. */
export type CacheActionMetricName = 'UpstreamFetches' | 'UpstreamFailures' | 'UpstreamRateLimited';

/** Rate-limit failures within `RATE_LIMIT_BURST_PERIOD` that raise the alarm. */
export const RATE_LIMIT_BURST = 5;
/** The window of the rate-limit alarm. */
export const RATE_LIMIT_BURST_PERIOD = Duration.minutes(5);

/**
 * What marks a failure as an upstream rate limit, in `failure-code` or `failure-reason` (CloudWatch
 * Logs filter regex: no groups, no case folding). AWS names no code; these cover the usual spellings
 * (`TOO_MANY_REQUESTS`, `RATE_LIMIT…`, `THROTTL…`, HTTP 429, Docker Hub's "toomanyrequests"); a space is
 * not allowed in such a regex, so `.` stands for it.
 */
export const RATE_LIMIT_REGEX = 'TOO_MANY_REQUESTS|toomanyrequests|Too.Many.Requests|RATE_LIMIT|[Rr]ate.[Ll]imit|THROTTL|[Tt]hrottl|429';

/** Properties of `CacheActionMetrics`. */
export interface CacheActionMetricsProps {
  /** The managed prefixes: only their repositories' events are counted. */
  readonly prefixes: readonly string[];
  readonly alarmTopic: sns.ITopic;
}

/** The rule, log group, metric filters and rate-limit alarm of the pull through cache action events. */
export class CacheActionMetrics extends Construct {
  /** The EventBridge rule (the reconciler's pull through cache pattern). */
  readonly rule: events.Rule;
  /** Where the events land (one month). */
  readonly logGroup: logs.LogGroup;
  /** A burst of upstream rate-limit failures. */
  readonly rateLimitAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CacheActionMetricsProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Events', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'ptc-autopilot: count pull through cache actions (upstream fetches and failures)',
      eventPattern: reconcilerEventPatterns(props.prefixes).pullThroughCache,
    });
    // The target by hand, with a resource policy of our own: the CloudWatchLogGroup target would
    // write the policy through a custom-resource Lambda. EventBridge delivers to a log group with
    // the permissions of the group's resource policy, here for this rule only.
    this.rule.addTarget({ bind: () => ({ arn: this.logGroup.logGroupArn }) });
    new logs.ResourcePolicy(this, 'DeliveryPolicy', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${this.logGroup.logGroupArn}`],
          conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
        }),
      ],
    });

    const failed = logs.FilterPattern.stringValue('$.detail.sync-status', '!=', SYNC_SUCCESS);
    this.filter('FetchFilter', 'UpstreamFetches', logs.FilterPattern.stringValue('$.detail.sync-status', '=', SYNC_SUCCESS), {
      prefix: '$.detail.ecr-repository-prefix',
    });
    this.filter('FailureFilter', 'UpstreamFailures', failed, {
      prefix: '$.detail.ecr-repository-prefix',
      failureCode: '$.detail.failure-code',
    });
    this.filter(
      'RateLimitFilter',
      'UpstreamRateLimited',
      logs.FilterPattern.all(
        failed,
        logs.FilterPattern.any(
          logs.FilterPattern.regexValue('$.detail.failure-code', '=', RATE_LIMIT_REGEX),
          logs.FilterPattern.regexValue('$.detail.failure-reason', '=', RATE_LIMIT_REGEX),
        ),
      ),
    );
    this.rateLimitAlarm = new cloudwatch.Alarm(this, 'RateLimitAlarm', {
      alarmDescription: `ptc-autopilot: ${RATE_LIMIT_BURST} or more pull through cache fetches were rate limited by an upstream registry within ${RATE_LIMIT_BURST_PERIOD.toMinutes()} minutes; add upstream credentials or pull less at once (the events are in the pull through cache actions log group)`,
      metric: cacheActionMetric('UpstreamRateLimited', { period: RATE_LIMIT_BURST_PERIOD }),
      threshold: RATE_LIMIT_BURST,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.rateLimitAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
  }

  private filter(id: string, name: CacheActionMetricName, filterPattern: logs.IFilterPattern, dimensions?: Record<string, string>): void {
    new logs.MetricFilter(this, id, {
      logGroup: this.logGroup,
      metricNamespace: CACHE_ACTION_NAMESPACE,
      metricName: name,
      filterPattern,
      metricValue: '1',
      ...(dimensions ? { dimensions } : {}),
    });
  }
}

/** A pull through cache action metric, summed (per prefix when `prefix` is given). */
export function cacheActionMetric(
  name: CacheActionMetricName,
  props: cloudwatch.MetricOptions & { prefix?: string } = {},
): cloudwatch.Metric {
  const { prefix, ...options } = props;
  return new cloudwatch.Metric({
    namespace: CACHE_ACTION_NAMESPACE,
    metricName: name,
    statistic: 'Sum',
    ...options,
    ...(prefix !== undefined ? { dimensionsMap: { prefix } } : {}),
  });
}

/** The dashboard's row: upstream fetches (first pulls and syncs) per prefix per day, and failures per code. */
export function cacheActionWidgets(prefixes: readonly string[]): cloudwatch.IWidget[] {
  const day = Duration.days(1);
  return [
    new cloudwatch.GraphWidget({
      title: 'First pulls and syncs from the upstream (cache misses, per day)',
      left: prefixes.map((p) => cacheActionMetric('UpstreamFetches', { prefix: p, period: day, label: p })),
      leftYAxis: { min: 0 },
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Upstream failures by failure-code (per day)',
      left: [
        new cloudwatch.MathExpression({
          expression: `SEARCH('{${CACHE_ACTION_NAMESPACE},failureCode,prefix} MetricName="UpstreamFailures"', 'Sum', 86400)`,
          label: '',
          period: day,
          usingMetrics: {},
        }),
      ],
      right: [cacheActionMetric('UpstreamRateLimited', { period: day, label: 'rate limited' })],
      leftYAxis: { min: 0 },
      rightYAxis: { min: 0 },
      width: 12,
    }),
  ];
}
