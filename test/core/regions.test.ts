import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { PARTITION_REGIONS, STACK_RESOURCE_TYPES, parseConfig, partitionOf } from '../../core';
import { issuesOf } from './issues-of';

const withRegion = (region: string) => ({
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  environments: [
    { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
    { name: 'far', account: '111122223333', region },
  ],
});

describe('the Region list is the one aws-cdk-lib publishes', () => {
  test('every partition holds exactly the Regions region-info gives it', () => {
    const published: Record<string, string[]> = {};
    for (const r of RegionInfo.regions) (published[r.partition ?? 'unknown'] ??= []).push(r.name);
    for (const list of Object.values(published)) list.sort();
    const ours = Object.fromEntries(Object.entries(PARTITION_REGIONS).map(([p, regions]) => [p, [...regions].sort()]));
    expect(ours).toEqual(published);
  });

  test('partitionOf gives every published Region its partition, ISO partitions included', () => {
    const wrong = RegionInfo.regions
      .filter((r) => partitionOf(r.name) !== r.partition)
      .map((r) => `${r.name}: ${partitionOf(r.name)} != ${r.partition}`);
    expect(wrong).toEqual([]);
    expect(partitionOf('us-iso-east-1')).toBe('aws-iso');
    expect(partitionOf('us-isob-east-9')).toBe('aws-iso-b');
  });
});

describe('resource availability', () => {
  const db = loadAwsServiceSpecSync();

  test('every resource type the stack uses is one the CloudFormation registry (aws-service-spec) knows', () => {
    const unknown = STACK_RESOURCE_TYPES.filter((t) => db.lookup('resource', 'cloudFormationType', 'equals', t).length !== 1);
    expect(unknown).toEqual([]);
  });

  test('aws-service-spec holds no Region availability for the ECR types, so it cannot decide Regions (switch to it if this starts failing)', () => {
    for (const type of ['AWS::ECR::PullThroughCacheRule']) {
      const resource = db.lookup('resource', 'cloudFormationType', 'equals', type).only();
      expect(db.incoming('regionHasResource', resource)).toHaveLength(0);
    }
    expect(db.all('region').length).toBeLessThan(10);
  });
});

describe('deploy targets are Regions where the stack can exist', () => {
  test.each(PARTITION_REGIONS.aws!.map((r) => [r]))('%s (partition aws) is accepted', (region) => {
    if (region === 'eu-west-2') return;
    expect(() => parseConfig(withRegion(region))).not.toThrow();
  });

  test.each([
    ['cn-north-1', 'aws-cn', 'registry type list for cn-north-1'],
    ['us-gov-west-1', 'aws-us-gov', 'no CloudFormation registry data'],
    ['us-iso-east-1', 'aws-iso', 'no CloudFormation registry data'],
    ['us-isob-east-1', 'aws-iso-b', 'no CloudFormation registry data'],
    ['eusc-de-east-1', 'aws-eusc', 'no CloudFormation registry data'],
  ])('%s is refused, naming the environment, partition %s and the missing types', (region, partition, evidence) => {
    const [issue, ...rest] = issuesOf(withRegion(region));
    expect(rest).toEqual([]);
    expect(issue!.path).toBe('environments[1].region');
    expect(issue!.message).toMatch(
      new RegExp(
        `^environment "far": ${region} is in partition ${partition}, where the stack's resource types AWS::ECR::PullThroughCacheRule, AWS::ECR::RepositoryCreationTemplate are not available`,
      ),
    );
    expect(issue!.message).toContain(evidence);
  });

  test('a single-stack config is checked at region', () => {
    expect(issuesOf({ account: '111122223333', region: 'cn-northwest-1', rules: [{ prefix: 'k8s', upstream: 'k8s' }] })).toEqual([
      { path: 'region', message: expect.stringMatching(/^cn-northwest-1 is in partition aws-cn/) },
    ]);
  });

  test('a Region the list does not know is refused', () => {
    expect(issuesOf(withRegion('eu-fake-9'))).toEqual([
      { path: 'environments[1].region', message: expect.stringContaining('"eu-fake-9" is not an AWS Region ptc-autopilot knows') },
    ]);
  });
});
