import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { fullConfig } from './helpers';

function violationsOf(app: ReturnType<typeof buildApp>['app']) {
  return new AwsSolutionsChecks().validateScope(app).violations;
}

describe('cdk-nag AwsSolutions', () => {
  test('the bundled example app has no unacknowledged finding', () => {
    const { app } = buildApp(loadConfig(path.join(__dirname, '..', '..', 'config', 'example.yaml')), { nag: false });
    expect(violationsOf(app)).toEqual([]);
  });

  test('a config using every foundation feature has no unacknowledged finding', () => {
    const { app } = buildApp(fullConfig(), { nag: false });
    expect(violationsOf(app)).toEqual([]);
  });

  test('a config using every feature of every issue, in two environments, has no unacknowledged finding', () => {
    const { app, stacks } = buildApp(
      fullConfig({
        account: undefined,
        region: undefined,
        // An imported secret serves one account and Region only, so every environment creates its own.
        rules: fullConfig().rules.map((r) => (r.credentials?.secretArn ? { ...r, credentials: { secretName: 'ecr-pullthroughcache/github' } } : r)),
        // A KMS key serves one Region: each environment names its own.
        environments: [
          { name: 'prod-eu', account: '111122223333', region: 'eu-west-2', secretsKmsKeyArn: 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
          { name: 'prod-us', account: '111122223333', region: 'us-east-1', secretsKmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab' },
        ],
        replication: { destinations: [{ region: 'ap-south-1' }, { region: 'eu-west-1', account: '444455556666', prefixes: ['k8s'] }], acceptFrom: ['555566667777'] },
        scanning: { type: 'ENHANCED', frequency: 'CONTINUOUS_SCAN' },
        prewarm: { images: ['nginx:1.27'], manifest: { s3: { bucket: 'ptc-config', key: 'prewarm.txt' }, ssmParameter: '/ptc/prewarm-images' } },
      }),
      { nag: false },
    );
    expect(stacks).toHaveLength(2);
    const template = Template.fromStack(stacks[0] as Stack);
    for (const type of ['Custom::PtcReplication', 'Custom::PtcScanning', 'Custom::PtcRegistryPolicy']) template.resourceCountIs(type, 1);
    expect(violationsOf(app)).toEqual([]);
  });

  test('the check is live: an unscoped wildcard added beside our stack is reported', () => {
    const { app, stacks } = buildApp(fullConfig(), { nag: false });
    const stray = new iam.Role(stacks[0] as Stack, 'Stray', { assumedBy: new iam.AccountRootPrincipal() });
    stray.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:*'], resources: ['*'] }));
    const ruleNames = violationsOf(app).map((v) => v.ruleName);
    expect(ruleNames).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-IAM5/)]));
  });

  test('every acknowledgement carries a written reason', () => {
    const { app } = buildApp(fullConfig(), { nag: false });
    const acks = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) expect({ id, reasonLength: reason.length > 30 }).toEqual({ id, reasonLength: true });
  });
});
