/**
 * The SNS topic every ptc-autopilot alarm notifies, with the optional email subscription.
 */
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
