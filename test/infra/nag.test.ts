import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { everyFeatureTwoEnvironments, fullConfig } from './helpers';

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
    const { app, stacks } = buildApp(everyFeatureTwoEnvironments(), { nag: false });
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
