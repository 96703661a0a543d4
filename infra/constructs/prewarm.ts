/**
 * Prewarm: a Lambda that, on `prewarm.schedule` and on demand, pulls every manifest and blob of
 * the critical images through the private registry, so the cache holds them before a cluster
 * needs them. Alarms when any image could not be prewarmed or the function fails.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { prefixRepositoryArn, prewarmKeyStatements, type PtcConfig, type Target } from '../../core';
import { encodePrewarmSettings, SETTINGS_VARIABLE } from '../../core/lambda-contracts/prewarm/settings';
import type { PrewarmMetricName } from '../../core/lambda-contracts/prewarm/metric-names';
import { acknowledgeNag } from '../nag';
import { failureCountAlarm } from './alarm-topic';
import { PtcFunction, functionMetric } from './ptc-function';

export type { PrewarmMetricName } from '../../core/lambda-contracts/prewarm/metric-names';

/** The folder of the function under `functions/`, also its Powertools service name. */
export const PREWARM_FUNCTION_DIR = 'prewarm';

/**
 * ECR actions a pull through the cache needs on the cache repositories: reading the image, and
 * creating the repository and importing the upstream image on a first pull.
 */
export const PREWARM_REPOSITORY_ACTIONS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchImportUpstreamImage',
  'ecr:CreateRepository',
] as const;

/** Properties of `Prewarm`. */
export interface PrewarmProps {
  /** The parsed configuration: `rules` and the `prewarm` block. */
  readonly config: PtcConfig;
  /** The account and region deployed to. */
  readonly target: Target;
  /** The topic the alarms notify. */
  readonly alarmTopic: sns.ITopic;
}

/** Whether a config lists anything to prewarm (images, or an external manifest). */
export function needsPrewarm(config: PtcConfig): boolean {
  const m = config.prewarm.manifest;
  return config.prewarm.images.length > 0 || m?.s3 !== undefined || m?.ssmParameter !== undefined;
}

/** The ARN of an SSM parameter name (with or without its leading slash). */
export function ssmParameterArn(target: Pick<Target, 'partition' | 'region' | 'account'>, name: string): string {
  return `arn:${target.partition}:ssm:${target.region}:${target.account}:parameter/${name.replace(/^\//, '')}`;
}

/** The prewarm Lambda, its schedule and its alarms. */
export class Prewarm extends Construct {
  /** The function; invoke it with `{}` for the configured list or `{"images": [...]}` for some images. */
  readonly function: lambda.Function;
  /** Any image not ok (or an unreadable image list) in a run. */
  readonly failureAlarm: cloudwatch.Alarm;
  /** The function itself failed (for example, the registry could not be reached). */
  readonly errorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PrewarmProps) {
    super(scope, id);
    const { config, target } = props;
    const repositoryArns = config.rules.map((r) => prefixRepositoryArn(target, r.prefix));

    this.function = new PtcFunction(this, 'Function', {
      functionDir: PREWARM_FUNCTION_DIR,
      description: 'ptc-autopilot: pulls every manifest and blob of the critical images through the pull through cache',
      timeout: Duration.minutes(15),
      memorySize: 512,
      environment: { [SETTINGS_VARIABLE]: encodePrewarmSettings(config, target) },
    }).function;
    // A whole prewarm is long; one retry covers a transient failure without piling up runs.
    this.function.configureAsyncInvoke({ retryAttempts: 1, maxEventAge: Duration.hours(1) });

    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'RegistryLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'PullThroughCache', actions: [...PREWARM_REPOSITORY_ACTIONS], resources: repositoryArns }),
    );
    grantImageListRead(this.function, config, target, 'ReadImageList');
    acknowledgeNag(this.function, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'ecr:GetAuthorizationToken supports no resource-level permissions and takes "*". Cache repositories are created on first pull under each managed prefix, so the pull statement is scoped to <prefix>/* of this registry.',
        appliesTo: ['Resource::*', ...repositoryArns.map((arn) => `Resource::${arn}`)],
      },
    ]);

    new events.Rule(this, 'Schedule', {
      description: 'ptc-autopilot: prewarm the critical images through the pull through cache',
      schedule: events.Schedule.expression(config.prewarm.schedule),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });

    this.failureAlarm = failureCountAlarm(this, 'FailureAlarm', {
      description:
        'ptc-autopilot: some critical images could not be prewarmed (missing, denied or failed); the prewarm log names each image and why',
      metric: this.metric('Failures', { period: Duration.hours(1) }),
      topic: props.alarmTopic,
    });
    this.errorAlarm = failureCountAlarm(this, 'ErrorAlarm', {
      description: 'ptc-autopilot: the prewarm function failed (registry unreachable, authorization, or a crash); read its log',
      metric: this.function.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      topic: props.alarmTopic,
    });
  }

  /** A prewarm metric (`ImagesOk`, `ImagesMissing`, `ImagesDenied`, `ImagesFailed`, `Failures`), summed. */
  metric(name: PrewarmMetricName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return prewarmMetric(name, props);
  }
}

/**
 * Lets `fn` read an image list's run-time sources (`prewarm.manifest` unless `manifest` names another,
 * such as `copies[N].manifest`: the S3 object and/or the SSM parameter, and a customer managed key on
 * them through S3 or SSM only; `aws/ssm` and `aws/s3` need no grant). Shared by prewarm and eviction,
 * which both honour the prewarm list, and copy-images. `sidPrefix` names the statements
 * (`<sidPrefix>Object`, `<sidPrefix>Parameter`, and `<sidPrefix>` before the key's for another list).
 */
export function grantImageListRead(
  fn: lambda.IFunction,
  config: PtcConfig,
  target: Target,
  sidPrefix: string,
  manifest: PtcConfig['prewarm']['manifest'] = config.prewarm.manifest,
): void {
  const other = manifest !== config.prewarm.manifest;
  if (manifest?.s3) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: `${sidPrefix}Object`,
        actions: ['s3:GetObject'],
        resources: [`arn:${target.partition}:s3:::${manifest.s3.bucket}/${manifest.s3.key}`],
      }),
    );
  }
  if (manifest?.ssmParameter) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: `${sidPrefix}Parameter`,
        actions: ['ssm:GetParameter'],
        resources: [ssmParameterArn(target, manifest.ssmParameter)],
      }),
    );
  }
  const keyConfig = other ? { ...config, prewarm: { ...config.prewarm, manifest } } : config;
  for (const statement of prewarmKeyStatements(keyConfig, target))
    fn.addToRolePolicy(iam.PolicyStatement.fromJson(other ? { ...statement, Sid: `${sidPrefix}${statement.Sid}` } : statement));
}

/** A prewarm metric by name, summed over 1 hour unless told otherwise. */
export function prewarmMetric(name: PrewarmMetricName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return functionMetric(PREWARM_FUNCTION_DIR, name, { period: Duration.hours(1), ...props });
}
