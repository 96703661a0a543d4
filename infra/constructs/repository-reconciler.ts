/**
 * The repository reconciler: a Lambda that configures every new cache repository within seconds of
 * its first pull and sweeps all of them on a schedule to repair drift. EventBridge rules filter on
 * the managed prefixes in their patterns, so other repositories never invoke it; what fails after
 * retries lands in an encrypted DLQ with an alarm.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allManagedPrefixes, prefixRepositoryArn, type PtcConfig, type Target } from '../../core';
import { EVENT_SOURCE, SWEEP_CONTINUED_DETAIL_TYPE } from '../../engines/reconcile/events';
import { CONFIG_VARIABLE, encodeConfig, PARTITION_VARIABLE } from '../../core/lambda-contracts/reconcile-repository/settings';
import { acknowledgeNag } from '../nag';
import { PtcFunction, functionMetric, deadLetterQueue } from './ptc-function';

/** Properties of `RepositoryReconciler`. */
export interface RepositoryReconcilerProps {
  /** The parsed configuration: rules, `copies` prefixes, repository settings and `reconciler` settings. */
  readonly config: PtcConfig;
  /** The account and region deployed to. */
  readonly target: Target;
  /** The topic the DLQ alarm notifies. */
  readonly alarmTopic: sns.ITopic;
}

/** The folder of the reconciler Lambda under `functions/`, also its Powertools service name. */
export const RECONCILER_FUNCTION_DIR = 'reconcile-repository';

/** The reconciler's reserved concurrency: 1, so that its own writers are serialized per repository. */
export const RECONCILER_RESERVED_CONCURRENCY = 1;

/** ECR actions the reconciler uses on repositories under the managed prefixes. */
export const RECONCILER_REPOSITORY_ACTIONS = [
  'ecr:DescribeRepositories',
  'ecr:ListTagsForResource',
  'ecr:GetLifecyclePolicy',
  'ecr:GetRepositoryPolicy',
  'ecr:PutLifecyclePolicy',
  'ecr:SetRepositoryPolicy',
  'ecr:DeleteRepositoryPolicy',
  'ecr:PutImageScanningConfiguration',
  'ecr:PutImageTagMutability',
  'ecr:TagResource',
  'ecr:UntagResource',
] as const;

/**
 * The EventBridge patterns that trigger a reconcile, each matching only repositories whose name
 * starts with `<prefix>/` for a managed prefix.
 */
export function reconcilerEventPatterns(
  prefixes: readonly string[],
): Record<'createRepository' | 'pullThroughCache' | 'imagePush', events.EventPattern> {
  const underPrefixes = prefixes.map((p) => ({ prefix: `${p}/` }));
  return {
    createRepository: {
      source: ['aws.ecr'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['ecr.amazonaws.com'],
        eventName: ['CreateRepository'],
        errorCode: [{ exists: false }],
        requestParameters: { repositoryName: underPrefixes },
      },
    },
    pullThroughCache: {
      source: ['aws.ecr'],
      detailType: ['ECR Pull Through Cache Action'],
      detail: { 'repository-name': underPrefixes },
    },
    imagePush: {
      source: ['aws.ecr'],
      detailType: ['ECR Image Action'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': underPrefixes },
    },
  };
}

/** The reconciler Lambda, its triggers, its DLQ and the DLQ alarm. */
export class RepositoryReconciler extends Construct {
  /** The reconciler function (for dashboards and on-demand invocation). */
  readonly function: lambda.Function;
  /** Events that failed every retry, and sweeps that could not reconcile every repository. */
  readonly deadLetterQueue: sqs.Queue;
  /** Fires when the DLQ holds any message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The EventBridge rules: create, pull through cache, push, sweep schedule, sweep continuation. */
  readonly rules: readonly events.Rule[];

  constructor(scope: Construct, id: string, props: RepositoryReconcilerProps) {
    super(scope, id);
    const { config, target } = props;
    // The rules' prefixes and the copies': copy repositories get the same life as cache repositories (docs/copy.md).
    const prefixes = allManagedPrefixes(config).map((m) => m.prefix);
    const repositoryArns = prefixes.map((p) => prefixRepositoryArn(target, p));

    this.deadLetterQueue = deadLetterQueue(this, 'the reconciler');

    this.function = new PtcFunction(this, 'Function', {
      functionDir: RECONCILER_FUNCTION_DIR,
      description:
        'ptc-autopilot: configures cache repositories (lifecycle, pull policy, tags, scanning, tag mutability) and repairs drift',
      timeout: Duration.minutes(15),
      memorySize: 512,
      // One invocation at a time: the events and the sweep never write the same repository at once
      // (throttled async events wait in Lambda's queue, up to maxEventAge). See docs/reconciler.md, "Concurrent writers".
      reservedConcurrentExecutions: RECONCILER_RESERVED_CONCURRENCY,
      environment: {
        [CONFIG_VARIABLE]: encodeConfig(config, target),
        [PARTITION_VARIABLE]: target.partition,
      },
    }).function;
    this.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });

    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReconcileManagedRepositories',
        actions: [...RECONCILER_REPOSITORY_ACTIONS],
        resources: repositoryArns,
      }),
    );
    // Listing every repository (the sweep) is DescribeRepositories without names, authorized on the registry's repository/*.
    const registryRepositories = `arn:${target.partition}:ecr:${target.region}:${target.account}:repository/*`;
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListRepositoriesForSweep',
        actions: ['ecr:DescribeRepositories'],
        resources: [registryRepositories],
      }),
    );
    const defaultBus = Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'PublishReconcilerEvents', actions: ['events:PutEvents'], resources: [defaultBus] }),
    );
    acknowledgeNag(this.function, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Cache repositories are created on first pull under each managed prefix (copy repositories on first push under each copies prefix), so the ARNs end in <prefix>/*. The sweep lists repositories with DescribeRepositories without names, which ECR authorizes on repository/* of this registry only; it reconciles only names under the managed prefixes.',
        appliesTo: [...repositoryArns, registryRepositories].map((arn) => `Resource::${arn}`),
      },
    ]);
    // AwsSolutions-L1 and AwsSolutions-IAM4 are shared by every ptc-autopilot Lambda and acknowledged by PtcFunction.

    const target_ = (): targets.LambdaFunction =>
      new targets.LambdaFunction(this.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      });
    const patterns = reconcilerEventPatterns(prefixes);
    this.rules = [
      new events.Rule(this, 'CreateRepositoryRule', {
        description:
          'ptc-autopilot: a cache repository was created (CloudTrail CreateRepository) under a managed prefix; fires only if a CloudTrail trail logs management events in this Region',
        eventPattern: patterns.createRepository,
        targets: [target_()],
      }),
      new events.Rule(this, 'PullThroughCacheRule', {
        description: 'ptc-autopilot: a pull through cache action on a repository under a managed prefix',
        eventPattern: patterns.pullThroughCache,
        targets: [target_()],
      }),
      new events.Rule(this, 'ImagePushRule', {
        description: 'ptc-autopilot: a successful push to a repository under a managed prefix',
        eventPattern: patterns.imagePush,
        targets: [target_()],
      }),
      new events.Rule(this, 'SweepSchedule', {
        description: 'ptc-autopilot: sweep every cache repository for drift',
        schedule: events.Schedule.expression(config.reconciler.sweepSchedule),
        targets: [target_()],
      }),
      new events.Rule(this, 'SweepContinuation', {
        description: 'ptc-autopilot: a sweep that ran out of time continues in a new invocation',
        eventPattern: { source: [EVENT_SOURCE], detailType: [SWEEP_CONTINUED_DETAIL_TYPE] },
        targets: [target_()],
      }),
    ];

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'ptc-autopilot: the repository reconciler gave up on an event or a sweep; read the messages in its DLQ and the function log',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
  }

  /** A reconciler metric (`ReposConfigured`, `ReposCompliant`, `ChangesApplied`, `EventsDropped`, `Failures`), summed. */
  metric(
    name: 'ReposConfigured' | 'ReposCompliant' | 'ChangesApplied' | 'EventsDropped' | 'Failures',
    props: cloudwatch.MetricOptions = {},
  ): cloudwatch.Metric {
    return functionMetric(RECONCILER_FUNCTION_DIR, name, { period: Duration.minutes(5), ...props });
  }
}
