/**
 * Registry-wide ECR settings that an account shares with whoever else configures it: replication
 * rules, scanning rules and the registry permissions policy. CloudFormation's own resources for
 * these replace the whole document, so a small Lambda behind a custom resource reads the current
 * document, adds or updates only ptc-autopilot's part, and on delete removes only that part.
 */
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import {
  registryPolicyIntent,
  registryPolicyProperties,
  replicationIntent,
  replicationProperties,
  scanningIntent,
  scanningProperties,
  type PtcConfig,
  type Target,
} from '../../core';
import { acknowledgeNag } from '../nag';
import { PtcFunction } from './ptc-function';

/** Properties of `RegistrySettings`. */
export interface RegistrySettingsProps {
  /** The parsed configuration (`replication`, `scanning`, `rules`). */
  readonly config: PtcConfig;
  /** The account and region deployed to. */
  readonly target: Target;
}

/** The folder of the Lambda under `functions/`, also its Powertools service name. */
export const REGISTRY_SETTINGS_FUNCTION_DIR = 'registry-settings';

/** Registry-level ECR actions the Lambda calls; ECR supports no resource-level permission for them. */
export const REGISTRY_SETTINGS_ACTIONS = [
  'ecr:DescribeRegistry',
  'ecr:PutReplicationConfiguration',
  'ecr:GetRegistryScanningConfiguration',
  'ecr:PutRegistryScanningConfiguration',
  'ecr:GetRegistryPolicy',
  'ecr:PutRegistryPolicy',
  'ecr:DeleteRegistryPolicy',
] as const;

/** Amazon Inspector actions that turning enhanced scanning on or off needs (ECR User Guide, enhanced scanning). */
export const ENHANCED_SCANNING_ACTIONS = ['inspector2:Enable', 'inspector2:Disable', 'inspector2:ListAccountPermissions'] as const;

/**
 * Whether a target needs any registry setting; `PullThroughCache` adds `RegistrySettings` only then.
 */
export function needsRegistrySettings(config: PtcConfig, target: Target): boolean {
  return replicationIntent(config, target) !== undefined || scanningIntent(config) !== undefined || registryPolicyIntent(config, target) !== undefined;
}

/** One custom resource per configured setting, served by one Lambda through the `Provider` framework. */
export class RegistrySettings extends Construct {
  /** The Lambda that merges the settings. */
  readonly function: PtcFunction;
  /** Replication rules for the managed prefixes; absent when nothing replicates from this registry. */
  readonly replication?: CustomResource;
  /** Scanning filters for the managed prefixes; absent without `scanning`. */
  readonly scanning?: CustomResource;
  /** The registry policy statement letting source accounts replicate in; absent when none does. */
  readonly registryPolicy?: CustomResource;

  constructor(scope: Construct, id: string, props: RegistrySettingsProps) {
    super(scope, id);
    const { config, target } = props;

    this.function = new PtcFunction(this, 'Function', {
      functionDir: REGISTRY_SETTINGS_FUNCTION_DIR,
      description: 'ptc-autopilot: merges replication, scanning and registry policy settings for the managed prefixes into the registry',
      timeout: Duration.minutes(2),
    });
    const fn = this.function.function;
    // Every action is granted whichever settings are configured: removing one setting deletes its
    // custom resource after the stack update, when a narrowed policy would already be in force.
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'RegistrySettings', actions: [...REGISTRY_SETTINGS_ACTIONS], resources: ['*'] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'EnhancedScanning', actions: [...ENHANCED_SCANNING_ACTIONS], resources: ['*'] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ServiceLinkedRoles',
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [
          `arn:${target.partition}:iam::${target.account}:role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication`,
          `arn:${target.partition}:iam::${target.account}:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2`,
        ],
        conditions: { StringEquals: { 'iam:AWSServiceName': ['replication.ecr.amazonaws.com', 'inspector2.amazonaws.com'] } },
      }),
    );
    acknowledgeNag(fn, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'DescribeRegistry, Put/GetRegistryScanningConfiguration, PutReplicationConfiguration and Get/Put/DeleteRegistryPolicy act on the registry itself and support no resource-level permission, nor do the inspector2 Enable/Disable/ListAccountPermissions calls enhanced scanning makes; the Lambda only writes back the registry document with foreign parts unchanged.',
        appliesTo: ['Resource::*'],
      },
      {
        id: 'AwsSolutions-IAM4',
        reason: 'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs; it is the policy Lambda documents for that.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'ptc-autopilot Lambdas target the Node.js 22 runtime on purpose (PtcFunction); the runtime moves with the project, not per function.',
      },
    ]);

    const stack = Stack.of(this);
    const functionLogicalId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)) as string;
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: fn,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    acknowledgeNag(provider, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'The custom resource framework Lambda of aws-cdk-lib uses AWSLambdaBasicExecutionRole to write its own logs only.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The framework Lambda invokes the registry settings function and its versions (<arn>:*), which CDK grants; nothing else.',
        appliesTo: [`Resource::<${functionLogicalId}.Arn>:*`],
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'The custom resource framework Lambda runtime is chosen and updated by aws-cdk-lib, not by this app.',
      },
    ]);

    const resource = (name: string, type: string, properties: Record<string, unknown>) =>
      new CustomResource(this, name, { serviceToken: provider.serviceToken, resourceType: type, properties });
    const replication = replicationIntent(config, target);
    if (replication !== undefined) {
      this.replication = resource('Replication', 'Custom::PtcReplication', replicationProperties(replication, target));
    }
    const scanning = scanningIntent(config);
    if (scanning !== undefined) {
      this.scanning = resource('Scanning', 'Custom::PtcScanning', scanningProperties(scanning, target));
    }
    const policy = registryPolicyIntent(config, target);
    if (policy !== undefined) {
      this.registryPolicy = resource('RegistryPolicy', 'Custom::PtcRegistryPolicy', registryPolicyProperties(policy, target));
    }
  }
}
