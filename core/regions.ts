/**
 * Where ptc-autopilot can deploy: the AWS partitions and their Regions, and the CloudFormation
 * resource types its stack uses, with the partitions that lack some of them.
 *
 * The Region list is aws-cdk-lib's `region-info` data, kept here so the Lambdas and the CLI need no
 * aws-cdk-lib; test/core/regions.test.ts asserts it equals the installed package's. The installed
 * `@aws-cdk/aws-service-spec` holds no per-Region resource availability (its database links three
 * Regions to a few dozen types, and no Region to AWS::ECR::PullThroughCacheRule; the same test pins
 * that finding), so availability comes from the CloudFormation registry type lists that cfn-lint
 * ships per Region (github.com/aws-cloudformation/cfn-lint, src/cfnlint/data/schemas/providers/<region>/__init__.py).
 */
import { quote } from './quote';

/** Every Region of every partition, as aws-cdk-lib's region-info lists them. */
export const PARTITION_REGIONS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-north-1',
    'eu-south-1',
    'eu-south-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'me-west-1',
    'mx-central-1',
    'sa-east-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-iso': ['us-iso-east-1', 'us-iso-west-1'],
  'aws-iso-b': ['us-isob-east-1', 'us-isob-west-1'],
  'aws-iso-e': ['eu-isoe-west-1'],
  'aws-iso-f': ['us-isof-east-1', 'us-isof-south-1'],
  'aws-eusc': ['eusc-de-east-1'],
};

const REGION_PARTITION = new Map(Object.entries(PARTITION_REGIONS).flatMap(([p, regions]) => regions.map((r) => [r, p] as const)));

/** Partitions by Region-name prefix, for a Region newer than the list (most specific first). */
const PREFIX_PARTITIONS: readonly [string, string][] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['eusc-', 'aws-eusc'],
];

/**
 * The AWS partition of a Region: from the Region list, else from its name's prefix.
 * @example
 * partitionOf('us-iso-east-1') // 'aws-iso'
 */
export function partitionOf(region: string): string {
  return REGION_PARTITION.get(region) ?? PREFIX_PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/** Whether the Region is in the Region list. */
export function isKnownRegion(region: string): boolean {
  return REGION_PARTITION.has(region);
}

/** Every CloudFormation resource type a ptc-autopilot stack can hold (the infra test checks the synthesized stacks against it). */
export const STACK_RESOURCE_TYPES: readonly string[] = [
  'AWS::CloudFormation::CustomResource',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::ECR::PullThroughCacheRule',
  'AWS::ECR::PullTimeUpdateExclusion',
  'AWS::ECR::RepositoryCreationTemplate',
  'AWS::Events::Rule',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::KMS::Key',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::Logs::MetricFilter',
  'AWS::Logs::ResourcePolicy',
  'AWS::SNS::Subscription',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::SSM::Parameter',
  'AWS::SecretsManager::Secret',
];

/** Why a partition cannot take the stack: the types it lacks, and the registry data that says so. */
export interface PartitionGap {
  readonly missing: readonly string[];
  readonly evidence: string;
}

const ECR_TYPES = ['AWS::ECR::PullThroughCacheRule', 'AWS::ECR::RepositoryCreationTemplate'];
const UNVERIFIED =
  'no CloudFormation registry data available to ptc-autopilot lists these types there (cfn-lint ships no type list for this partition)';

/**
 * Partitions ptc-autopilot refuses. China: cfn-lint's type list for cn-north-1 (commit
 * 00d092a63f0f0301bad7a98c32fc6b4a75f0165a) has AWS::ECR::Repository but neither ECR type the stack
 * uses. The other partitions: no registry data shows the ECR types there, so they are refused
 * rather than left to fail in CloudFormation.
 */
export const PARTITION_GAPS: Readonly<Record<string, PartitionGap>> = {
  'aws-cn': {
    missing: ECR_TYPES,
    evidence: "CloudFormation's registry type list for cn-north-1 (as cfn-lint ships it) has AWS::ECR::Repository but not these",
  },
  'aws-us-gov': { missing: ECR_TYPES, evidence: UNVERIFIED },
  'aws-iso': { missing: ECR_TYPES, evidence: UNVERIFIED },
  'aws-iso-b': { missing: ECR_TYPES, evidence: UNVERIFIED },
  'aws-iso-e': { missing: ECR_TYPES, evidence: UNVERIFIED },
  'aws-iso-f': { missing: ECR_TYPES, evidence: UNVERIFIED },
  'aws-eusc': { missing: ECR_TYPES, evidence: UNVERIFIED },
};

/**
 * Why a stack cannot deploy to `region`, or undefined when it can: a partition that lacks resource
 * types the stack uses, or a Region the list does not know.
 */
export function deployRegionProblem(region: string): string | undefined {
  if (region.length > 32) return `${quote(region, 40)} is not an AWS Region`;
  const partition = partitionOf(region);
  const gap = PARTITION_GAPS[partition];
  if (gap !== undefined) {
    return `${region} is in partition ${partition}, where the stack's resource types ${gap.missing.join(', ')} are not available to CloudFormation (${gap.evidence}); ptc-autopilot deploys to the commercial partition "aws" only`;
  }
  if (!isKnownRegion(region))
    return `${quote(region)} is not an AWS Region ptc-autopilot knows (aws-cdk-lib's region list); check the spelling`;
  return undefined;
}
