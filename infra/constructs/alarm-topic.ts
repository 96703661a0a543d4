/**
 * The SNS topic every ptc-autopilot alarm notifies, with the optional email subscription.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Properties of `AlarmTopic`. */
export interface AlarmTopicProps {
  /** Address subscribed to every alarm. @default no subscription */
  readonly email?: string;
}

/** An encrypted SNS topic for alarms that only accepts TLS publishers. */
export class AlarmTopic extends Construct {
  /** The topic. */
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: 'ptc-autopilot alarm topic encryption',
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to an encrypted topic only when they may use its key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'ptc-autopilot alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}

/** Properties of `failureCountAlarm`. */
export interface FailureCountAlarmProps {
  /** What went wrong and where to look, as the page shows it. */
  readonly description: string;
  /** A count of failures (summed over its period). */
  readonly metric: cloudwatch.IMetric;
  /** The topic notified when the alarm fires. */
  readonly topic: sns.ITopic;
}

/**
 * An alarm that fires when a failure count reaches 1 in one period and notifies the alarm topic;
 * no data means nothing failed.
 * @example
 * failureCountAlarm(this, 'FailureAlarm', { description: 'prewarm failed', metric, topic: alarms.topic });
 */
export function failureCountAlarm(scope: Construct, id: string, props: FailureCountAlarmProps): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: props.description,
    metric: props.metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cwActions.SnsAction(props.topic));
  return alarm;
}
