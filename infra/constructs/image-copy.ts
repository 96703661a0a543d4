/**
 * Copies: the copy-images Lambda, which copies the images of the `copies` entries (issue 22,
 * docs/copy.md) into ECR repositories `<prefix>/<path>` on each entry's schedule: one EventBridge
 * rule per distinct `copies[N].schedule`, whose event names the prefixes on it. With a dead-letter
 * queue, alarms (the function failed, a run failed every retry, any image failed) and dashboard
 * widgets; its role may push and pull only under the copy prefixes of this registry.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { prefixRepositoryArn, type PtcConfig, type Target } from '../../core';
import type { CopyMetricName } from '../../core/lambda-contracts/copy-images/metric-names';
import { copySchedules } from '../../core/lambda-contracts/copy-images/schedule-event';
import { COPY_SETTINGS_VARIABLE, encodeCopySettings } from '../../core/lambda-contracts/copy-images/settings';
import { acknowledgeNag } from '../nag';
import { failureCountAlarm } from './alarm-topic';
import { grantImageListRead } from './prewarm';
import { PtcFunction, functionMetric, deadLetterQueue } from './ptc-function';

/** The folder of the function under `functions/`, also its Powertools service name. */
export const COPY_FUNCTION_DIR = 'copy-images';

export type { CopyMetricName } from '../../core/lambda-contracts/copy-images/metric-names';

/**
 * ECR actions of a copy on its repositories: reading what the target has (manifests, blobs),
 * uploading layers and putting manifests, and creating the repository on its first push (through
 * the prefix's `CREATE_ON_PUSH` creation template, which gives it the cache repositories' settings).
 */
export const COPY_REPOSITORY_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:CreateRepository',
] as const;

/** Properties of `ImageCopy`. */
export interface ImageCopyProps {
  /** The parsed configuration: its `copies`. */
  readonly config: PtcConfig;
  /** The account and region deployed to. */
  readonly target: Target;
  /** The topic the alarms notify. */
  readonly alarmTopic: sns.ITopic;
}

/** Whether a config has anything to copy (any `copies` entry). */
export function needsImageCopy(config: Pick<PtcConfig, 'copies'>): boolean {
  return config.copies.length > 0;
}

/** The ARN pattern of a Secrets Manager secret by name: its ARN ends in `-` and six random characters. */
export function secretNameArn(target: Pick<Target, 'partition' | 'region' | 'account'>, name: string): string {
  return `arn:${target.partition}:secretsmanager:${target.region}:${target.account}:secret:${name}-??????`;
}

/** The copy-images Lambda, its schedules, DLQ and alarms. */
export class ImageCopy extends Construct {
  /** The function; invoke it with `{}` for every entry or `{"prefixes": [...]}` for some. */
  readonly function: lambda.Function;
  /** Runs that failed every retry (the failure destination of the function and of its schedules). */
  readonly deadLetterQueue: sqs.Queue;
  /** A run failed every retry. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The function failed (an image failed, ECR's token could not be had, a crash). */
  readonly errorAlarm: cloudwatch.Alarm;
  /** Any image failed in a run (`ImagesFailed`, all prefixes). */
  readonly failureAlarm: cloudwatch.Alarm;
  /** The copy prefixes, in config order. */
  readonly prefixes: readonly string[];

  constructor(scope: Construct, id: string, props: ImageCopyProps) {
    super(scope, id);
    const { config, target } = props;
    this.prefixes = config.copies.map((c) => c.prefix);
    const repositoryArns = this.prefixes.map((p) => prefixRepositoryArn(target, p));
    const secretArns = config.copies.flatMap((c) => (c.credentials ? [secretNameArn(target, c.credentials.secretName)] : []));

    this.deadLetterQueue = deadLetterQueue(this, 'the copy-images function');

    this.function = new PtcFunction(this, 'Function', {
      functionDir: COPY_FUNCTION_DIR,
      description: 'ptc-autopilot: copies the images of the copies entries into ECR repositories <prefix>/<path>',
      timeout: Duration.minutes(15),
      // Blobs stream through (docs/copy.md): memory stays at the stream buffers; the CPU share comes with memory.
      memorySize: 1024,
      // One run at a time: two runs would upload the same blobs.
      reservedConcurrentExecutions: 1,
      environment: { [COPY_SETTINGS_VARIABLE]: encodeCopySettings(config, target) },
    }).function;
    this.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 1,
      maxEventAge: Duration.hours(6),
    });

    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'RegistryLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'CopyRepositories', actions: [...COPY_REPOSITORY_ACTIONS], resources: repositoryArns }),
    );
    if (secretArns.length > 0)
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'UpstreamCredentials', actions: ['secretsmanager:GetSecretValue'], resources: secretArns }),
      );
    config.copies.forEach((entry, i) => {
      if (entry.manifest) grantImageListRead(this.function, config, target, `ReadCopyList${i}`, entry.manifest);
    });
    acknowledgeNag(this.function, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'ecr:GetAuthorizationToken supports no resource-level permissions and takes "*". Copy repositories are created on first push under each copy prefix, so the push statement is scoped to <prefix>/* of this registry. A secret ARN ends in six random characters, matched by "??????" after the configured name.',
        appliesTo: ['Resource::*', ...[...repositoryArns, ...secretArns].map((arn) => `Resource::${arn}`)],
      },
    ]);

    copySchedules(config.copies).forEach(({ schedule, prefixes }, i) => {
      new events.Rule(this, i === 0 ? 'Schedule' : `Schedule${i + 1}`, {
        description: `ptc-autopilot: copy the images of copies ${prefixes.join(', ')}`.slice(0, 512),
        schedule: events.Schedule.expression(schedule),
        targets: [
          new targets.LambdaFunction(this.function, {
            event: events.RuleTargetInput.fromObject({ prefixes }),
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 2,
            maxEventAge: Duration.hours(6),
          }),
        ],
      });
    });

    this.deadLetterAlarm = failureCountAlarm(this, 'DeadLetterAlarm', {
      description:
        'ptc-autopilot: a copy run failed every retry; read the messages in its DLQ and the copy-images log (each failed image is named with the reason)',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      topic: props.alarmTopic,
    });
    this.errorAlarm = failureCountAlarm(this, 'ErrorAlarm', {
      description: 'ptc-autopilot: the copy-images function failed (an image failed, no ECR token, a crash); read its log',
      metric: this.function.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      topic: props.alarmTopic,
    });
    this.failureAlarm = failureCountAlarm(this, 'FailureAlarm', {
      description: "ptc-autopilot: some images could not be copied; the copy-images log names each image and the upstream's reason",
      metric: copyMetric('ImagesFailed', undefined, { period: Duration.hours(1) }),
      topic: props.alarmTopic,
    });
  }

  /** A copy metric of one prefix, or the run's total without `prefix`. */
  metric(name: CopyMetricName, prefix?: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return copyMetric(name, prefix, props);
  }
}

/** A copy metric by name, summed over 1 hour unless told otherwise: of one prefix, or the run's total without `prefix`. */
export function copyMetric(name: CopyMetricName, prefix?: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return functionMetric(COPY_FUNCTION_DIR, name, {
    period: Duration.hours(1),
    ...(prefix !== undefined ? { label: prefix } : {}),
    ...props,
    ...(prefix !== undefined ? { dimensionsMap: { prefix, ...props.dimensionsMap } } : {}),
  });
}

/** The dashboard's copy row: image results per run, and bytes copied per prefix. */
export function imageCopyWidgets(prefixes: readonly string[]): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'Copied images (per hour)',
      left: [
        copyMetric('ImagesCopied', undefined, { label: 'copied' }),
        copyMetric('ImagesUnchanged', undefined, { label: 'unchanged' }),
        copyMetric('ImagesFailed', undefined, { label: 'failed' }),
        copyMetric('ImagesLeft', undefined, { label: 'left for the next run' }),
      ],
      stacked: true,
      leftYAxis: { min: 0 },
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Bytes copied per copy prefix',
      left: prefixes.map((p) => copyMetric('BytesCopied', p)),
      leftYAxis: { min: 0 },
      width: 12,
    }),
  ];
}
