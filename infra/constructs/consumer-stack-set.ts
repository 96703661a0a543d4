/**
 * `ConsumerStackSet`: one service-managed CloudFormation StackSet that gives every account of the
 * listed OUs, present and future, its consumer side. CloudFormation and Organizations do the
 * fan-out (automatic deployment); nothing here loops over accounts.
 *
 * Its template body is the consumer template synthesized on its own, account-agnostic
 * (`consumerStackSetTemplate`).
 */
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { ConfigError, type OrganizationConsumer } from '../../core';
import { STACK_SET_TEMPLATE_BODY_LIMIT } from '../../core/consumers';

/** Properties of `ConsumerStackSet`. */
export interface ConsumerStackSetProps {
  readonly consumer: OrganizationConsumer;
  /** The template body (JSON), from `consumerStackSetTemplate`. */
  readonly templateBody: string;
}

/**
 * What happens to an account's stack instance when the account leaves the OUs: it is deleted, so
 * its node policy is detached and its parameters go. The hub grants by OU path, so an account
 * that left could no longer pull anyway; keeping a policy that grants nothing would only mislead.
 */
export const RETAIN_STACKS_ON_ACCOUNT_REMOVAL = false;

/** The StackSet. */
export class ConsumerStackSet extends Construct {
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: ConsumerStackSetProps) {
    super(scope, id);
    const c = props.consumer;
    const size = Buffer.byteLength(props.templateBody, 'utf8');
    if (size > STACK_SET_TEMPLATE_BODY_LIMIT) {
      // The config check predicts this (consumerTemplateIssues); this is the measured backstop.
      throw new ConfigError([
        {
          path: 'consumers',
          message: `the StackSet ${c.stackSetName}'s template body is ${size} bytes; CloudFormation takes at most ${STACK_SET_TEMPLATE_BODY_LIMIT} (use fewer rules)`,
        },
      ]);
    }
    this.stackSet = new CfnStackSet(this, 'StackSet', {
      stackSetName: c.stackSetName,
      description: `ptc-autopilot consumers: node policy and node config for pulling through ${c.hub.registryHost}`,
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: RETAIN_STACKS_ON_ACCOUNT_REMOVAL },
      callAs: c.callAs,
      // The template creates a managed policy (no custom name).
      capabilities: ['CAPABILITY_IAM'],
      managedExecution: { Active: true },
      // Fifty accounts: a quarter at a time, stop the rollout when a tenth fails.
      operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25, regionConcurrencyType: 'PARALLEL' },
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [...c.organizationalUnitIds] }, regions: [...c.regions] }],
      templateBody: props.templateBody,
    });
  }
}
