import { Match, Template } from 'aws-cdk-lib/assertions';
import type { PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { fullConfig } from '../infra/helpers';

/** The first stack's template, synthesized without bundling the Lambdas (they are not under test here). */
function templateOf(config: PtcConfig): Template {
  const { stacks } = buildApp(config, { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } });
  return Template.fromStack(stacks[0]!);
}

const template = templateOf(fullConfig());
const PREFIXES = ['docker-hub', 'github', 'k8s', 'ecr', 'central'];
const underPrefixes = PREFIXES.map((p) => ({ prefix: `${p}/` }));
const repositoryArns = PREFIXES.map((p) => `arn:aws:ecr:eu-west-2:111122223333:repository/${p}/*`);

function reconcilerStatements(): { Sid?: string; Action: string | string[]; Resource: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const [policy] = Object.entries(policies).filter(([id]) => id.startsWith('CacheReconciler'));
  return policy![1].Properties.PolicyDocument.Statement;
}

describe('reconciler triggers', () => {
  test('CloudTrail CreateRepository is matched only under the managed prefixes, and only when it succeeded', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['ecr.amazonaws.com'], eventName: ['CreateRepository'], errorCode: [{ exists: false }], requestParameters: { repositoryName: underPrefixes } },
      },
    });
  });

  test('pull through cache actions and successful pushes are matched only under the managed prefixes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Pull Through Cache Action'], detail: { 'repository-name': underPrefixes } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': underPrefixes } },
    });
  });

  test('the sweep runs on reconciler.sweepSchedule (daily by default) and continues itself through its own event', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
    templateOf(fullConfig({ reconciler: { sweepSchedule: 'cron(0 3 * * ? *)' } })).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['ptc-autopilot'], 'detail-type': ['Cache Repository Sweep Continued'] } });
  });

  test('every rule targets the function with retries and the DLQ', () => {
    const rules = Object.entries(template.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('CacheReconciler'));
    expect(rules).toHaveLength(5);
    for (const [, rule] of rules) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^CacheReconcilerFunction/), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^CacheReconcilerDeadLetterQueue/), 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
        }),
      ]);
    }
  });
});

describe('reconciler function', () => {
  test('is a Node.js 22 function with the config and partition in its environment and Lambda\'s longest timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ PTC_RECONCILER_CONFIG: Match.stringLikeRegexp('"prefix":"docker-hub"'), PTC_PARTITION: 'aws', POWERTOOLS_SERVICE_NAME: 'reconcile-repository' }) },
    });
  });

  test('sends what fails after two async retries to the DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CacheReconcilerDeadLetterQueue'), 'Arn'] } } },
    });
  });

  test('may write only to repositories under the managed prefixes', () => {
    const statements = reconcilerStatements();
    expect(statements.find((s) => s.Sid === 'ReconcileManagedRepositories')).toMatchObject({ Resource: repositoryArns });
    const writes = ['ecr:PutLifecyclePolicy', 'ecr:SetRepositoryPolicy', 'ecr:TagResource', 'ecr:UntagResource', 'ecr:PutImageScanningConfiguration', 'ecr:PutImageTagMutability', 'ecr:DeleteRepositoryPolicy'];
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action);
      if (actions.some((a) => writes.includes(a))) expect(s.Resource).toEqual(repositoryArns);
    }
  });

  test('lists the registry with DescribeRepositories only, and puts events on the default bus only', () => {
    const statements = reconcilerStatements();
    expect(statements.find((s) => s.Sid === 'ListRepositoriesForSweep')).toMatchObject({ Action: 'ecr:DescribeRepositories', Resource: 'arn:aws:ecr:eu-west-2:111122223333:repository/*' });
    expect(statements.find((s) => s.Sid === 'PublishReconcilerEvents')).toMatchObject({
      Action: 'events:PutEvents',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-2:111122223333:event-bus/default']] },
    });
    expect(statements.filter((s) => s.Resource === '*')).toEqual([]);
  });
});

describe('reconciler DLQ', () => {
  test('is encrypted and refuses requests without TLS', () => {
    const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue', { Properties: { SqsManagedSseEnabled: true } })).filter((id) => id.startsWith('CacheReconciler'));
    expect(queueId).toBeDefined();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('has an alarm on any message, notifying the alarm topic', () => {
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });
});
