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
  type RegistryPolicyOptions,
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
  /** Whether the registry policy grants first pulls (false where no pull-through cache rule exists, a replica registry). @default true */
  readonly firstPull?: boolean;
}

/** The folder of the Lambda under `functions/`, also its Powertools service name. */
export const REGISTRY_SETTINGS_FUNCTION_DIR = 'registry-settings';

/**
 * Registry-level ECR actions the Lambda calls, each with why it needs it. ECR supports no
 * resource-level permission for any of them (they act on the registry, not a repository), so each
 * is granted on `*`, and each reason goes into the cdk-nag acknowledgement of that wildcard.
 */
export const REGISTRY_SETTINGS_ACTION_REASONS = {
  'ecr:DescribeRegistry': 'reads the replication configuration so that rules not created by ptc-autopilot are written back unchanged',
  'ecr:PutReplicationConfiguration': 'writes the merged replication configuration (foreign rules kept) for the managed prefixes',
  'ecr:GetRegistryScanningConfiguration': 'reads the scanning configuration so that foreign filters and the scan type are kept',
  'ecr:PutRegistryScanningConfiguration': 'writes the merged scanning configuration (foreign filters kept) for the managed prefixes',
  'ecr:GetRegistryPolicy': 'reads the registry permissions policy so that foreign statements are kept',
  'ecr:PutRegistryPolicy':
    'writes the merged registry policy holding the PtcAutopilotReplicationAccess and PtcAutopilotFirstPull* statements',
  'ecr:DeleteRegistryPolicy': 'deletes the registry policy only when statements of ptc-autopilot were its last statements',
} as const;

/** Registry-level ECR actions the Lambda calls; ECR supports no resource-level permission for them. */
export const REGISTRY_SETTINGS_ACTIONS = Object.keys(REGISTRY_SETTINGS_ACTION_REASONS) as (keyof typeof REGISTRY_SETTINGS_ACTION_REASONS)[];

/**
 * Amazon Inspector actions that turning enhanced scanning on or off needs (ECR User Guide, "IAM
 * permissions required for enhanced scanning"), each with why. Inspector supports no resource-level
 * permission for them either. `ListFindings` and `ListCoverage`, which only read results, are left out.
 */
export const ENHANCED_SCANNING_ACTION_REASONS = {
  'inspector2:Enable': 'PutRegistryScanningConfiguration with scanType ENHANCED turns Amazon Inspector ECR scanning on through it',
  'inspector2:Disable': 'restoring scanType BASIC (on update or delete) turns Amazon Inspector ECR scanning off through it',
  'inspector2:ListAccountPermissions':
    'the ECR User Guide lists it with Enable and Disable as needed by the principal that turns enhanced scanning on or off',
} as const;

/** Amazon Inspector actions that turning enhanced scanning on or off needs. */
export const ENHANCED_SCANNING_ACTIONS = Object.keys(ENHANCED_SCANNING_ACTION_REASONS) as (keyof typeof ENHANCED_SCANNING_ACTION_REASONS)[];

/** The cdk-nag reason for the Lambda's `Resource::*`: one line per action, saying why it is needed. */
export function registrySettingsWildcardReason(): string {
  const lines = Object.entries({ ...REGISTRY_SETTINGS_ACTION_REASONS, ...ENHANCED_SCANNING_ACTION_REASONS }).map(
    ([action, why]) => `${action}: ${why}`,
  );
  return (
    'Registry-level actions support no resource-level permission, so each is granted on "*". ' +
    'They stay granted whichever settings the config has, because removing a setting deletes its custom resource after the role policy was already narrowed. ' +
    lines.join('; ') +
    '.'
  );
}

/**
 * Whether a target needs any registry setting; `PullThroughCache` adds `RegistrySettings` only then.
 */
export function needsRegistrySettings(config: PtcConfig, target: Target, options: RegistryPolicyOptions = {}): boolean {
  return (
    replicationIntent(config, target) !== undefined ||
    scanningIntent(config) !== undefined ||
    registryPolicyIntent(config, target, options) !== undefined
  );
}

/** One custom resource per configured setting, served by one Lambda through the `Provider` framework. */
export class RegistrySettings extends Construct {
  /** The Lambda that merges the settings. */
  readonly function: PtcFunction;
  /** Replication rules for the managed prefixes; absent when nothing replicates from this registry. */
  readonly replication?: CustomResource;
  /** Scanning filters for the managed prefixes; absent without `scanning`. */
  readonly scanning?: CustomResource;
  /**
   * The registry policy statements letting source accounts replicate in and the accounts,
   * organizations and OUs allowed to pull trigger first pulls; absent when neither is configured.
   * One resource writes both, since two resources on one document would race.
   */
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
    // PtcFunction acknowledges the findings every ptc-autopilot Lambda shares (L1, IAM4); the
    // wildcard is this function's own, with a reason per action.
    acknowledgeNag(fn, [{ id: 'AwsSolutions-IAM5', reason: registrySettingsWildcardReason(), appliesTo: ['Resource::*'] }]);

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
    const policy = registryPolicyIntent(config, target, { firstPull: props.firstPull ?? true });
    if (policy !== undefined) {
      this.registryPolicy = resource('RegistryPolicy', 'Custom::PtcRegistryPolicy', registryPolicyProperties(policy, target));
    }
  }
}
