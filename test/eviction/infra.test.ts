import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { everyFeatureTwoEnvironments, fullConfig } from '../infra/helpers';

let built: Template | undefined;
/** The first stack of the every-feature config, synthesized once for these tests. */
const template = (): Template => (built ??= Template.fromStack(buildApp(everyFeatureTwoEnvironments(), { nag: false }).stacks[0] as Stack));

describe('the eviction infrastructure', () => {
  test('is absent without repositories.eviction', () => {
    const t = Template.fromStack(buildApp(fullConfig(), { nag: false }).stacks[0] as Stack);
    t.resourceCountIs('AWS::ECR::PullTimeUpdateExclusion', 0);
  });

  test('registers the eviction role as a pull-time update exclusion, so its index reads are not pulls', () => {
    const t = template();
    const role = Object.entries(t.findResources('AWS::IAM::Role')).find(([id]) => /EvictionFunction/.test(id))![0];
    t.hasResourceProperties('AWS::ECR::PullTimeUpdateExclusion', { PrincipalArn: { 'Fn::GetAtt': [role, 'Arn'] } });
  });

  test('runs daily, one pass at a time, with a DLQ', () => {
    const t = template();
    t.hasResourceProperties('AWS::Events::Rule', {
      Description: 'ptc-autopilot: evict cached images nobody pulled',
      ScheduleExpression: 'rate(1 day)',
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('evicts cached images'),
      ReservedConcurrentExecutions: 1,
      Runtime: 'nodejs22.x',
    });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  test('may delete only under the prefixes in delete mode, and reads only under the managed prefixes', () => {
    const t = template();
    const policies = t.findResources('AWS::IAM::Policy');
    const statements = Object.entries(policies)
      .filter(([id]) => /EvictionFunction/.test(id))
      .flatMap(
        ([, p]) =>
          (p as { Properties: { PolicyDocument: { Statement: { Sid: string; Action: unknown; Resource: unknown }[] } } }).Properties
            .PolicyDocument.Statement,
      );
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    expect(bySid('DeleteUnpulledImages')).toMatchObject({
      Action: 'ecr:BatchDeleteImage',
      Resource: 'arn:aws:ecr:eu-west-2:111122223333:repository/k8s/*',
    });
    expect(bySid('ReadManagedImages').Action).toEqual(['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:ListTagsForResource']);
    expect(
      (bySid('ReadManagedImages').Resource as string[]).every((r) =>
        /^arn:aws:ecr:eu-west-2:111122223333:repository\/[a-z0-9-]+\/\*$/.test(r),
      ),
    ).toBe(true);
    expect(statements.some((s) => JSON.stringify(s.Action).includes('ecr:DeleteRepository'))).toBe(false);
  });

  test('the archive rules reach the creation template of their prefix', () => {
    const t = template();
    const templates = Object.values(t.findResources('AWS::ECR::RepositoryCreationTemplate')).map(
      (r) => (r as { Properties: { Prefix: string; LifecyclePolicy: string } }).Properties,
    );
    const github = JSON.parse(templates.find((p) => p.Prefix === 'github')!.LifecyclePolicy) as {
      rules: { selection: { countType: string } }[];
    };
    expect(github.rules.map((r) => r.selection.countType)).toEqual(expect.arrayContaining(['sinceImagePulled', 'sinceImageTransitioned']));
  });
});

describe('the eviction pass continuation', () => {
  test('a rule sends "Cache Eviction Pass Continued" from ptc-autopilot to the eviction function, which may put it on the default bus only', () => {
    const t = template();
    const fn = Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => /EvictionFunction/.test(id))![0];
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['ptc-autopilot'], 'detail-type': ['Cache Eviction Pass Continued'] },
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 } }),
      ],
    });
    const statements = Object.entries(t.findResources('AWS::IAM::Policy'))
      .filter(([id]) => /EvictionFunction/.test(id))
      .flatMap(
        ([, p]) =>
          (p as { Properties: { PolicyDocument: { Statement: { Sid: string; Action: unknown; Resource: unknown }[] } } }).Properties
            .PolicyDocument.Statement,
      );
    const put = statements.filter((s) => JSON.stringify(s.Action).includes('events:'));
    expect(put).toEqual([
      {
        Sid: 'ContinueEvictionPass',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-2:111122223333:event-bus/default']] },
      },
    ]);
  });
});
