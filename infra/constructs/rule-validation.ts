/**
 * Rule validation: a Lambda that, on `validation.schedule` (hourly by default), checks that every
 * managed pull through cache rule exists, that its credential secret holds more than the
 * placeholder and that ECR can authenticate upstream; and that counts failed syncs from
 * `ECR Pull Through Cache Action` events. One alarm per rule on `RuleValid` (missing data is
 * breaching, so a validator that stops running alarms too) and one per rule on `SyncFailures`.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { secretsKmsKeyFor, type PtcConfig, type Target } from '../../core';
import { encodeRules, RULES_VARIABLE } from '../../core/lambda-contracts/validate-rules/settings';
import { SYNC_SUCCESS } from '../../core/lambda-contracts/validate-rules/sync-status';
import { acknowledgeNag } from '../nag';
import { constructIds } from './cache-rules';
import { failureCountAlarm } from './alarm-topic';
import { PtcFunction, functionMetric } from './ptc-function';

/** The folder of the function under `functions/`, also its Powertools service name. */
export const VALIDATION_FUNCTION_DIR = 'validate-rules';

/** Properties of `RuleValidation`. */
export interface RuleValidationProps {
  /** The parsed configuration: `rules`, `validation.schedule`, `secretsKmsKeyArn`. */
  readonly config: PtcConfig;
  /** The account and region deployed to. */
  readonly target: Target;
  /** The credential secret of each credentialed rule, by prefix (`CacheRules.secrets`). */
  readonly secrets: ReadonlyMap<string, secretsmanager.ISecret>;
  /** The topic every alarm notifies. */
  readonly alarmTopic: sns.ITopic;
}

/** How long one schedule interval is, in seconds; `undefined` for a cron expression. */
export function scheduleIntervalSeconds(expression: string): number | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!rate) return undefined;
  const unit = rate[2]!.startsWith('minute') ? 60 : rate[2]!.startsWith('hour') ? 3600 : 86400;
  return Number(rate[1]) * unit;
}

/**
 * The `RuleValid` alarm's period and evaluation: one period per schedule interval, alarming when
 * two periods in a row are breaching (a 0, or no datapoint), so one late run does not page anyone.
 * A daily or cron schedule gets one-day periods and alarms on the first breaching day.
 * @throws Error naming `validation.schedule` when it runs less than once a day
 */
export function ruleValidAlarmTiming(schedule: string): { period: Duration; evaluationPeriods: number } {
  const interval = scheduleIntervalSeconds(schedule);
  if (interval !== undefined && interval > 86400) {
    throw new Error(
      `validation.schedule "${schedule}" runs less than once a day; the rule alarms treat a day without data as a failure, so use at most rate(1 day)`,
    );
  }
  if (interval === undefined || interval > 43200) return { period: Duration.days(1), evaluationPeriods: 1 };
  return { period: Duration.seconds(Math.max(60, interval)), evaluationPeriods: 2 };
}

/** The validation Lambda, its two triggers and the per-rule alarms. */
export class RuleValidation extends Construct {
  /** The validation function (invoke it with `{}` to validate at once). */
  readonly function: lambda.Function;
  /** `RuleValid` < 1 (or no data) two periods in a row, by prefix. */
  readonly ruleAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Any failed sync in five minutes, by prefix. */
  readonly syncFailureAlarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: RuleValidationProps) {
    super(scope, id);
    const { config, target } = props;
    const prefixes = config.rules.map((r) => r.prefix);
    const timing = ruleValidAlarmTiming(config.validation.schedule);

    this.function = new PtcFunction(this, 'Function', {
      functionDir: VALIDATION_FUNCTION_DIR,
      description: 'ptc-autopilot: validates the pull through cache rules and their credentials, and counts failed syncs',
      timeout: Duration.minutes(5),
      environment: { [RULES_VARIABLE]: encodeRules(config.rules, target, secretsKmsKeyFor(config, target)) },
    }).function;
    this.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1) });

    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DescribeAndValidateRules',
        actions: ['ecr:DescribePullThroughCacheRules', 'ecr:ValidatePullThroughCacheRule'],
        resources: ['*'],
      }),
    );
    const secretArns = [...props.secrets.values()].map((s) => s.secretArn);
    if (secretArns.length > 0) {
      // DescribeSecret tells which key a secret uses, to name a customer managed key as the cause when ECR fails the rule.
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ReadCredentialSecrets',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: secretArns,
        }),
      );
    }
    const secretsKey = secretsKmsKeyFor(config, target);
    if (secretsKey !== undefined && secretArns.length > 0) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'DecryptCredentialSecrets', actions: ['kms:Decrypt'], resources: [secretsKey] }),
      );
    }
    const defaultBus = Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'PublishValidationEvents', actions: ['events:PutEvents'], resources: [defaultBus] }),
    );
    acknowledgeNag(this.function, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'ecr:DescribePullThroughCacheRules and ecr:ValidatePullThroughCacheRule act on the registry and support no resource-level permissions (Service Authorization Reference), so they take "*"; the function only reads rules.',
        appliesTo: ['Resource::*'],
      },
    ]);

    const invoke = (): targets.LambdaFunction =>
      new targets.LambdaFunction(this.function, { retryAttempts: 4, maxEventAge: Duration.hours(1) });
    new events.Rule(this, 'Schedule', {
      description: 'ptc-autopilot: validate the pull through cache rules',
      schedule: events.Schedule.expression(config.validation.schedule),
      targets: [invoke()],
    });
    new events.Rule(this, 'SyncFailed', {
      description: 'ptc-autopilot: a pull through cache sync failed on a repository under a managed prefix',
      eventPattern: syncFailedPattern(prefixes),
      targets: [invoke()],
    });

    const ids = constructIds(prefixes);
    const ruleAlarms = new Map<string, cloudwatch.Alarm>();
    const syncAlarms = new Map<string, cloudwatch.Alarm>();
    for (const rule of config.rules) {
      const name = ids.get(rule.prefix)!;
      const ruleAlarm = new cloudwatch.Alarm(this, `${name}RuleInvalid`, {
        alarmDescription: `ptc-autopilot: the pull through cache rule "${rule.prefix}" (${rule.upstream}) failed validation, or was not validated; the validate-rules log says why`,
        metric: ruleMetric('RuleValid', rule.prefix, { statistic: 'Minimum', period: timing.period }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: timing.evaluationPeriods,
        datapointsToAlarm: timing.evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      ruleAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      ruleAlarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
      ruleAlarms.set(rule.prefix, ruleAlarm);
      const syncAlarm = failureCountAlarm(this, `${name}SyncFailures`, {
        description: `ptc-autopilot: pulls through the cache rule "${rule.prefix}" (${rule.upstream}) failed to sync from the upstream; the validate-rules log has the repository and failure reason`,
        metric: ruleMetric('SyncFailures', rule.prefix, { statistic: 'Sum', period: Duration.minutes(5) }),
        topic: props.alarmTopic,
      });
      syncAlarms.set(rule.prefix, syncAlarm);
    }
    this.ruleAlarms = ruleAlarms;
    this.syncFailureAlarms = syncAlarms;
  }
}

/**
 * The pattern of failed syncs on repositories under the managed prefixes: `sync-status` anything but
 * `SUCCESS`, the only value AWS documents (ECR User Guide sample; the EventBridge schema
 * `aws.ecr@ECRPullThroughCacheAction` gives a free string), so whatever ECR calls a failure matches.
 */
export function syncFailedPattern(prefixes: readonly string[]): events.EventPattern {
  return {
    source: ['aws.ecr'],
    detailType: ['ECR Pull Through Cache Action'],
    detail: { 'sync-status': [{ 'anything-but': SYNC_SUCCESS }], 'repository-name': prefixes.map((p) => ({ prefix: `${p}/` })) },
  };
}

/** A per-prefix metric of the validate-rules function (`RuleValid`, `SyncFailures`). */
export function ruleMetric(name: 'RuleValid' | 'SyncFailures', prefix: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return functionMetric(VALIDATION_FUNCTION_DIR, name, { ...props, dimensionsMap: { prefix } });
}
