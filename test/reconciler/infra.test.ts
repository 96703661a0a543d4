import { Match, Template } from 'aws-cdk-lib/assertions';
import type { PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { fullConfig } from '../infra/helpers';
import { fixture } from './helpers';

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
        detail: {
          eventSource: ['ecr.amazonaws.com'],
          eventName: ['CreateRepository'],
          errorCode: [{ exists: false }],
          requestParameters: { repositoryName: underPrefixes },
        },
      },
    });
  });

  test('pull through cache actions and successful pushes are matched only under the managed prefixes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Pull Through Cache Action'], detail: { 'repository-name': underPrefixes } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': underPrefixes },
      },
    });
  });

  test('the sweep runs on reconciler.sweepSchedule (daily by default) and continues itself through its own event', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
    templateOf(fullConfig({ reconciler: { sweepSchedule: 'cron(0 3 * * ? *)' } })).hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['ptc-autopilot'], 'detail-type': ['Cache Repository Sweep Continued'] },
    });
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

/**
 * The subset of EventBridge matching the reconciler's patterns use: a list of values (or of
 * `{prefix}` / `{exists: false}` filters) matches a field that equals one of them; an object
 * descends into the event.
 */
function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = event[key];
    if (!Array.isArray(rule))
      return value !== null && typeof value === 'object' && matches(rule as Record<string, unknown>, value as Record<string, unknown>);
    return rule.some((r: unknown) => {
      if (r !== null && typeof r === 'object') {
        const filter = r as { prefix?: string; exists?: boolean };
        if (filter.exists === false) return value === undefined;
        if (filter.prefix !== undefined) return typeof value === 'string' && value.startsWith(filter.prefix);
        throw new Error(`unsupported filter ${JSON.stringify(r)}`);
      }
      return value === r;
    });
  });
}

describe('the synthesized patterns against the documented events', () => {
  const patterns = Object.entries(template.findResources('AWS::Events::Rule'))
    .filter(([id, rule]) => id.startsWith('CacheReconciler') && rule.Properties.EventPattern?.source?.[0] === 'aws.ecr')
    .map(([, rule]) => rule.Properties.EventPattern as Record<string, unknown>);
  const invokes = (event: Record<string, unknown>) => patterns.filter((p) => matches(p, event)).length;
  const named = (event: Record<string, any>, name: string) => {
    const copy = structuredClone(event);
    if (copy.detail.requestParameters != null) copy.detail.requestParameters.repositoryName = name;
    else copy.detail['repository-name'] = name;
    return copy;
  };
  const documented = {
    createRepository: fixture('cloudtrail-ecr-create-repository'),
    pullThroughCache: fixture('ecr-pull-through-cache-action'),
    imagePush: fixture('ecr-image-action-push'),
  };

  test('there is one pattern per ECR trigger', () => {
    expect(patterns).toHaveLength(3);
  });

  test.each(Object.entries(documented))('%s under a managed prefix invokes the function through exactly one rule', (_trigger, event) => {
    for (const name of ['docker-hub/library/nginx', 'k8s/pause', 'central/team/app']) expect(invokes(named(event, name))).toBe(1);
  });

  test.each(Object.entries(documented))('%s outside the managed prefixes never invokes the function', (_trigger, event) => {
    for (const name of ['testrepo', 'my-repository-name', 'docker-hubx/nginx', 'team-a/docker-hub/nginx', 'k8s'])
      expect(invokes(named(event, name))).toBe(0);
  });

  test('a failed CreateRepository and a push that is not a successful PUSH do not invoke it', () => {
    const failed = named(documented.createRepository, 'docker-hub/alpine');
    failed.detail.errorCode = 'RepositoryAlreadyExistsException';
    expect(invokes(failed)).toBe(0);
    const deletion = named(documented.imagePush, 'docker-hub/alpine');
    deletion.detail['action-type'] = 'DELETE';
    expect(invokes(deletion)).toBe(0);
    const failedPush = named(documented.imagePush, 'docker-hub/alpine');
    failedPush.detail.result = 'FAILURE';
    expect(invokes(failedPush)).toBe(0);
  });
});

describe('reconciler function', () => {
  test("is a Node.js 22 function with the config and partition in its environment and Lambda's longest timeout", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({
          PTC_RECONCILER_CONFIG: Match.stringLikeRegexp('"prefix":"docker-hub"'),
          PTC_PARTITION: 'aws',
          POWERTOOLS_SERVICE_NAME: 'reconcile-repository',
        }),
      },
    });
  });

  test('sends what fails after two async retries to the DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CacheReconcilerDeadLetterQueue'), 'Arn'] } },
      },
    });
  });

  test('may write only to repositories under the managed prefixes', () => {
    const statements = reconcilerStatements();
    expect(statements.find((s) => s.Sid === 'ReconcileManagedRepositories')).toMatchObject({ Resource: repositoryArns });
    const writes = [
      'ecr:PutLifecyclePolicy',
      'ecr:SetRepositoryPolicy',
      'ecr:TagResource',
      'ecr:UntagResource',
      'ecr:PutImageScanningConfiguration',
      'ecr:PutImageTagMutability',
      'ecr:DeleteRepositoryPolicy',
    ];
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action);
      if (actions.some((a) => writes.includes(a))) expect(s.Resource).toEqual(repositoryArns);
    }
  });

  test('lists the registry with DescribeRepositories only, and puts events on the default bus only', () => {
    const statements = reconcilerStatements();
    expect(statements.find((s) => s.Sid === 'ListRepositoriesForSweep')).toMatchObject({
      Action: 'ecr:DescribeRepositories',
      Resource: 'arn:aws:ecr:eu-west-2:111122223333:repository/*',
    });
    expect(statements.find((s) => s.Sid === 'PublishReconcilerEvents')).toMatchObject({
      Action: 'events:PutEvents',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-2:111122223333:event-bus/default']] },
    });
    expect(statements.filter((s) => s.Resource === '*')).toEqual([]);
  });
});

describe('reconciler DLQ', () => {
  test('is encrypted and refuses requests without TLS', () => {
    const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue', { Properties: { SqsManagedSseEnabled: true } })).filter((id) =>
      id.startsWith('CacheReconciler'),
    );
    expect(queueId).toBeDefined();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('has an alarm on any message (depth > 0) in this very queue, notifying the alarm topic', () => {
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue')).filter((id) =>
      id.startsWith('CacheReconcilerDeadLetterQueue'),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });
});
