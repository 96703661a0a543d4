/**
 * `ConsumerNodeAccess`: what one consumer account gets, in a plain stack or in the template of
 * the organization's StackSet: the managed policy for its node roles (pull and first pull on the
 * hub's cache repositories, pull on its copy repositories), the mirror-mode node config pointing at the hub registry as SSM
 * parameters, and outputs exported for the account's own stacks.
 */
import { CfnOutput, aws_iam as iam, aws_ssm as ssm, type CfnCondition } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { copyPrefixes, managedPrefixes, type PtcConfig, type Target } from '../../core';
import {
  SSM_ADVANCED_VALUE_LIMIT,
  SSM_STANDARD_VALUE_LIMIT,
  consumerExportNames,
  consumerNodeConfigDocuments,
  consumerNodePolicyDocument,
  consumerParameterPrefix,
  hubRepositoryArns,
} from '../../core/consumers';
import { NodeConfigError } from '../../core/node-config';
import { acknowledgeNag } from '../nag';

/** The node roles to attach the policy to. */
export type ConsumerNodeRoles = { readonly arns: readonly string[] } | { readonly names: readonly string[] };

/** Properties of `ConsumerNodeAccess`. */
export interface ConsumerNodeAccessProps {
  readonly config: PtcConfig;
  /** The consumer's name: parameter names and export names carry it. */
  readonly name: string;
  /** The hub environment whose registry the consumer pulls through. */
  readonly hub: Target;
  /** Roles to attach the node policy to. @default none; attach the exported policy yourself */
  readonly nodeRoles?: ConsumerNodeRoles;
  /**
   * Create the node policy (and its output). A managed policy is global, so of several stacks of
   * one account only one may hold it.
   * @default true
   */
  readonly withNodePolicy?: boolean;
  /** Create the node policy only where this condition holds (the StackSet's first Region). @default unconditional */
  readonly nodePolicyCondition?: CfnCondition;
}

/** The consumer's node policy, parameters and outputs. */
export class ConsumerNodeAccess extends Construct {
  /** The managed policy, when this stack holds it. */
  readonly policy?: iam.ManagedPolicy;
  /** The node config parameters by format, and `hub-registry`. */
  readonly parameters: Readonly<Record<string, ssm.StringParameter>>;

  constructor(scope: Construct, id: string, props: ConsumerNodeAccessProps) {
    super(scope, id);
    const prefixes = managedPrefixes(props.config);
    const copied = copyPrefixes(props.config);
    const exports = consumerExportNames(props.name);
    if (props.withNodePolicy ?? true) {
      const roles = nodeRoles(this, props.nodeRoles);
      const document = consumerNodePolicyDocument(props.hub, prefixes, copied);
      const policy = new iam.ManagedPolicy(this, 'NodePolicy', {
        description: `ptc-autopilot consumer ${props.name}: node roles pull through the hub cache ${props.hub.registryHost} (managed prefixes only)`,
        document: iam.PolicyDocument.fromJson(document),
        roles,
      });
      acknowledgeNag(policy, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Cache repositories are created in the hub on first pull under each managed prefix (copy repositories on the copy's first push under each copies prefix), so each repository ARN ends in <prefix>/*; ecr:GetAuthorizationToken supports no resource-level permission and must be on *.",
          appliesTo: [...hubRepositoryArns(props.hub, [...prefixes, ...copied]).map((arn) => `Resource::${arn}`), 'Resource::*'],
        },
      ]);
      const output = new CfnOutput(this, 'NodePolicyArn', {
        value: policy.managedPolicyArn,
        description: 'Attach to node roles so they pull (and first-pull) through the hub cache',
        exportName: exports.nodePolicyArn,
      });
      if (props.nodePolicyCondition !== undefined) {
        (policy.node.defaultChild as iam.CfnManagedPolicy).cfnOptions.condition = props.nodePolicyCondition;
        output.condition = props.nodePolicyCondition;
      }
      this.policy = policy;
    }
    const prefix = consumerParameterPrefix(props.name);
    const parameters: Record<string, ssm.StringParameter> = {};
    parameters['hub-registry'] = new ssm.StringParameter(this, 'HubRegistry', {
      parameterName: `${prefix}/hub-registry`,
      description: `ptc-autopilot consumer ${props.name}: the hub registry nodes pull through`,
      stringValue: props.hub.registryHost,
    });
    for (const [format, value] of Object.entries(consumerNodeConfigDocuments(props.config, props.hub))) {
      const size = Buffer.byteLength(value, 'utf8');
      if (size > SSM_ADVANCED_VALUE_LIMIT) {
        throw new NodeConfigError(
          `consumer ${props.name}: node config "${format}" is ${size} bytes, more than the ${SSM_ADVANCED_VALUE_LIMIT} an SSM parameter holds`,
        );
      }
      parameters[format] = new ssm.StringParameter(this, `NodeConfig-${format}`, {
        parameterName: `${prefix}/node-config/${format}`,
        description: `ptc-autopilot consumer ${props.name}: mirror-mode ${format} node config for the hub ${props.hub.registryHost}`,
        stringValue: value,
        tier: size > SSM_STANDARD_VALUE_LIMIT ? ssm.ParameterTier.ADVANCED : ssm.ParameterTier.STANDARD,
      });
    }
    this.parameters = parameters;
    new CfnOutput(this, 'HubRegistryOutput', {
      value: props.hub.registryHost,
      description: `The hub registry; node config parameters are under ${prefix}/node-config/`,
      exportName: exports.hubRegistry,
    });
  }
}

function nodeRoles(scope: Construct, roles: ConsumerNodeRoles | undefined): iam.IRole[] {
  if (roles === undefined) return [];
  if ('arns' in roles) return roles.arns.map((arn, i) => iam.Role.fromRoleArn(scope, `NodeRole${i}`, arn, { mutable: true }));
  return roles.names.map((name, i) => iam.Role.fromRoleName(scope, `NodeRole${i}`, name, { mutable: true }));
}
