/**
 * The consumer side of a hub-and-consumers config (issue 14):
 * - `ConsumerStack` (`PtcAutopilot-consumer-<name>`): a plain stack per listed account (and one
 *   per further Region, parameters only), deployed with that account's credentials;
 * - `ConsumersAdminStack` (`PtcAutopilot-consumers`): the organization's StackSet, in the
 *   delegated administrator account (or the hub account when it is the management account);
 * - `consumerStackSetTemplate`: the StackSet's template body, the same construct synthesized on
 *   its own without account, Region, assets, bootstrap rule or CDK metadata.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnCondition, DefaultStackSynthesizer, Fn, Stack, Aws, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PtcConfig } from '../../core';
import { consumersOf, type AccountConsumer, type ConsumerStackPlacement, type OrganizationConsumer } from '../../core/consumers';
import { ConsumerNodeAccess } from '../constructs/consumer-node-access';
import { ConsumerStackSet } from '../constructs/consumer-stack-set';

/** Properties of `ConsumerStack`. */
export interface ConsumerStackProps extends StackProps {
  readonly config: PtcConfig;
  readonly consumer: AccountConsumer;
  readonly placement: ConsumerStackPlacement;
}

/** One listed consumer account's stack in one Region. */
export class ConsumerStack extends Stack {
  readonly access: ConsumerNodeAccess;

  constructor(scope: Construct, id: string, props: ConsumerStackProps) {
    const { consumer, placement } = props;
    super(scope, id, {
      ...props,
      stackName: placement.stackName,
      env: { account: placement.account, region: placement.region },
      description: `ptc-autopilot consumer ${consumer.name}: pulls through the hub cache ${consumer.hub.registryHost}`,
    });
    this.access = new ConsumerNodeAccess(this, 'Consumer', {
      config: props.config,
      name: consumer.name,
      hub: consumer.hub,
      nodeRoles: { arns: consumer.nodeRoleArns },
      withNodePolicy: placement.withNodePolicy,
    });
  }
}

/** The template every StackSet instance deploys: the node policy in the first Region only (IAM is global). */
export class ConsumerTemplateStack extends Stack {
  constructor(scope: Construct, id: string, config: PtcConfig, consumer: OrganizationConsumer) {
    super(scope, id, {
      // No bootstrap: a StackSet instance has no CDK bootstrap stack, and the template has no assets.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
    });
    const policyRegion = new CfnCondition(this, 'NodePolicyRegion', { expression: Fn.conditionEquals(Aws.REGION, consumer.regions[0]!) });
    new ConsumerNodeAccess(this, 'Consumer', {
      config,
      name: consumer.name,
      hub: consumer.hub,
      nodeRoles: { names: consumer.nodeRoleNames },
      nodePolicyCondition: policyRegion,
    });
  }
}

/** A CloudFormation template as synthesized. */
export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Condition?: string; Metadata?: unknown }>;
  [section: string]: unknown;
}

/**
 * The StackSet's template body: `ConsumerNodeAccess` synthesized in an app of its own, every
 * account and Region left to `AWS::AccountId` / `AWS::Region` of the instance.
 */
export function consumerStackSetTemplate(config: PtcConfig, consumer: OrganizationConsumer): CfnTemplate {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ptc-consumer-template-'));
  try {
    const app = new App({ outdir, analyticsReporting: false });
    const stack = new ConsumerTemplateStack(app, 'ConsumerTemplate', config, consumer);
    const template = structuredClone(app.synth().getStackArtifact(stack.artifactId).template) as CfnTemplate;
    // What a StackSet instance cannot resolve; none is expected, removed should a CDK version add it.
    delete template.Rules;
    delete (template.Parameters as Record<string, unknown> | undefined)?.BootstrapVersion;
    if (template.Parameters !== undefined && Object.keys(template.Parameters as object).length === 0) delete template.Parameters;
    delete template.Resources.CDKMetadata;
    delete (template.Conditions as Record<string, unknown> | undefined)?.CDKMetadataAvailable;
    return template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Properties of `ConsumersAdminStack`. */
export interface ConsumersAdminStackProps extends StackProps {
  readonly config: PtcConfig;
  readonly consumer: OrganizationConsumer;
}

/** The stack that holds the organization's StackSet, in the StackSet administrator account. */
export class ConsumersAdminStack extends Stack {
  readonly stackSet: ConsumerStackSet;

  constructor(scope: Construct, id: string, props: ConsumersAdminStackProps) {
    const c = props.consumer;
    super(scope, id, {
      ...props,
      stackName: c.adminStack.stackName,
      env: { account: c.adminStack.account, region: c.adminStack.region },
      description: `ptc-autopilot consumers: the StackSet ${c.stackSetName} for the OUs ${c.organizationalUnitIds.join(', ')}`,
    });
    this.stackSet = new ConsumerStackSet(this, 'Consumers', {
      consumer: c,
      templateBody: JSON.stringify(consumerStackSetTemplate(props.config, c)),
    });
  }
}

/** The consumer stacks of an app, in config order. */
export interface ConsumerStacks {
  readonly accounts: ConsumerStack[];
  readonly admin?: ConsumersAdminStack;
}

/** Adds every consumer stack of the config to the app (`buildApp` calls it). */
export function addConsumerStacks(app: App, config: PtcConfig): ConsumerStacks {
  const accounts: ConsumerStack[] = [];
  let admin: ConsumersAdminStack | undefined;
  for (const consumer of consumersOf(config)) {
    if (consumer.kind === 'account') {
      for (const placement of consumer.stacks) accounts.push(new ConsumerStack(app, placement.stackName, { config, consumer, placement }));
    } else {
      admin = new ConsumersAdminStack(app, consumer.adminStack.stackName, { config, consumer });
    }
  }
  return admin === undefined ? { accounts } : { accounts, admin };
}
