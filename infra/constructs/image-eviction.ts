/**
 * Eviction: a Lambda that, once a day, evicts the cached images nobody pulled for
 * `repositories.eviction.unpulledDays` (report mode: counts and lists only), with its dead-letter
 * queue and alarms. Its role is a pull-time update exclusion, so reading image indexes
 * (BatchGetImage) never counts as a pull. docs/eviction.md.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { prefixRepositoryArn, type PtcConfig, type Target } from '../../core';
import { effectiveEviction, evictionEnabled } from '../../core/eviction/settings';
import type { EvictMetricName } from '../../core/lambda-contracts/evict-images/metric-names';
import { encodeEvictSettings, EVICT_SETTINGS_VARIABLE } from '../../core/lambda-contracts/evict-images/settings';
import { EVICTION_CONTINUED_DETAIL_TYPE } from '../../core/lambda-contracts/evict-images/continuation';
import { EVENT_SOURCE } from '../../engines/reconcile/events';
import { acknowledgeNag } from '../nag';
import { failureCountAlarm } from './alarm-topic';
import { grantImageListRead } from './prewarm';
import { PtcFunction, functionMetric, deadLetterQueue } from './ptc-function';

/** The folder of the function under `functions/`, also its Powertools service name. */
export const EVICTION_FUNCTION_DIR = 'evict-images';

/** What eviction reads on the managed repositories. */
export const EVICTION_READ_ACTIONS = ['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:ListTagsForResource'] as const;

/** Properties of `ImageEviction`. */
export interface ImageEvictionProps {
  readonly config: PtcConfig;
  readonly target: Target;
  readonly alarmTopic: sns.ITopic;
  /** When the pass runs. @default rate(1 day) */
  readonly schedule?: string;
  /**
   * Other roles of ours that pull cached images (the prewarm function's): registered as pull-time
   * update exclusions too, so their pulls never count as use. @default none
   */
  readonly excludedPullers?: readonly iam.IRole[];
}

/** Whether any prefix of the config has eviction on. */
export const needsEviction = evictionEnabled;

/** The eviction Lambda, its schedule, its pull-time update exclusion, DLQ and alarms. */
export class ImageEviction extends Construct {
  readonly function: lambda.Function;
  readonly deadLetterQueue: sqs.Queue;
  /** A pass that failed every retry (deletions that failed included). */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The function failed (a deletion failed, or it could not list). */
  readonly errorAlarm: cloudwatch.Alarm;
  /** The prefixes with eviction on, in config order. */
  readonly prefixes: readonly string[];

  constructor(scope: Construct, id: string, props: ImageEvictionProps) {
    super(scope, id);
    const { config, target } = props;
    this.prefixes = config.rules.map((r) => r.prefix).filter((p) => effectiveEviction(config, p) !== undefined);
    const readArns = this.prefixes.map((p) => prefixRepositoryArn(target, p));
    const deleteArns = this.prefixes
      .filter((p) => effectiveEviction(config, p)!.mode === 'delete')
      .map((p) => prefixRepositoryArn(target, p));

    this.deadLetterQueue = deadLetterQueue(this, 'the eviction function');

    this.function = new PtcFunction(this, 'Function', {
      functionDir: EVICTION_FUNCTION_DIR,
      description: 'ptc-autopilot: evicts cached images nobody pulled for repositories.eviction.unpulledDays, by image group',
      timeout: Duration.minutes(15),
      memorySize: 512,
      // One pass at a time: two passes would decide on the same images.
      reservedConcurrentExecutions: 1,
      environment: { [EVICT_SETTINGS_VARIABLE]: encodeEvictSettings(config, target) },
    }).function;
    this.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 1,
      maxEventAge: Duration.hours(6),
    });

    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadManagedImages', actions: [...EVICTION_READ_ACTIONS], resources: readArns }),
    );
    if (deleteArns.length > 0)
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'DeleteUnpulledImages', actions: ['ecr:BatchDeleteImage'], resources: deleteArns }),
      );
    const registryRepositories = `arn:${target.partition}:ecr:${target.region}:${target.account}:repository/*`;
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ListRepositories', actions: ['ecr:DescribeRepositories'], resources: [registryRepositories] }),
    );
    grantImageListRead(this.function, config, target, 'ReadPrewarmList');
    acknowledgeNag(this.function, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Cache repositories are created on first pull under each managed prefix, so the ARNs end in <prefix>/*. Listing repositories is DescribeRepositories without names, which ECR authorizes on repository/* of this registry only; eviction describes only names under the managed prefixes.',
        appliesTo: [...new Set([...readArns, registryRepositories])].map((arn) => `Resource::${arn}`),
      },
    ]);

    // The index reads are BatchGetImage calls, which ECR records as pulls unless the caller is excluded.
    new ecr.CfnPullTimeUpdateExclusion(this, 'PullTimeUpdateExclusion', { principalArn: this.function.role!.roleArn });
    (props.excludedPullers ?? []).forEach(
      (role, i) => new ecr.CfnPullTimeUpdateExclusion(this, `PullerExclusion${i}`, { principalArn: role.roleArn }),
    );

    const invoke = () =>
      new targets.LambdaFunction(this.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      });
    new events.Rule(this, 'Schedule', {
      description: 'ptc-autopilot: evict cached images nobody pulled',
      schedule: events.Schedule.expression(props.schedule ?? 'rate(1 day)'),
      targets: [invoke()],
    });
    // A pass that would outlast the 15-minute timeout continues in a new invocation (at most MAX_EVICTION_PARTS).
    new events.Rule(this, 'Continuation', {
      description: 'ptc-autopilot: an eviction pass that ran out of time continues in a new invocation',
      eventPattern: { source: [EVENT_SOURCE], detailType: [EVICTION_CONTINUED_DETAIL_TYPE] },
      targets: [invoke()],
    });
    const defaultBus = Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ContinueEvictionPass', actions: ['events:PutEvents'], resources: [defaultBus] }),
    );

    this.deadLetterAlarm = failureCountAlarm(this, 'DeadLetterAlarm', {
      description:
        'ptc-autopilot: an eviction pass failed every retry; read the messages in its DLQ and the evict-images log (each failed deletion is named)',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      topic: props.alarmTopic,
    });
    this.errorAlarm = failureCountAlarm(this, 'ErrorAlarm', {
      description:
        'ptc-autopilot: the eviction function failed (a deletion refused, throttling beyond retries, access denied); read its log',
      metric: this.function.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      topic: props.alarmTopic,
    });
  }

  /** An eviction metric of one prefix, at its latest daily value unless told otherwise. */
  metric(name: EvictMetricName, prefix: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return evictionMetric(name, prefix, props);
  }
}

/** An eviction metric of one prefix by name (the Lambda publishes each per `prefix`). */
export function evictionMetric(name: EvictMetricName, prefix: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return functionMetric(EVICTION_FUNCTION_DIR, name, {
    period: Duration.days(1),
    statistic: 'Maximum',
    label: prefix,
    ...props,
    dimensionsMap: { prefix, ...props.dimensionsMap },
  });
}

/** The dashboard's eviction row: stored bytes per prefix over time, evictable and evicted bytes. */
export function evictionWidgets(prefixes: readonly string[]): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'Cache storage per prefix (bytes, daily)',
      left: prefixes.map((p) => evictionMetric('StoredBytes', p)),
      leftYAxis: { min: 0 },
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Evictable and evicted bytes per prefix (daily)',
      left: prefixes.map((p) => evictionMetric('EvictableBytes', p, { label: `${p} evictable` })),
      right: prefixes.map((p) => evictionMetric('EvictedBytes', p, { label: `${p} evicted` })),
      leftYAxis: { min: 0 },
      rightYAxis: { min: 0 },
      width: 12,
    }),
  ];
}
