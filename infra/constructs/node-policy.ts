/**
 * The managed policy that lets EKS/ECS nodes trigger the first pull of an image through the
 * cache, scoped to the managed prefixes.
 */
import { CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeNag } from '../nag';
import { Construct } from 'constructs';
import { nodePolicyStatements, prefixRepositoryArn, type RegistryLocation, type Target } from '../../core';

/** Properties of `NodePolicy`. */
export interface NodePolicyProps {
  readonly target: Target;
  /** The managed prefixes. */
  readonly prefixes: readonly string[];
  /** The `copies` prefixes, which nodes pull from (no first pull). @default none */
  readonly copyPrefixes?: readonly string[];
  /**
   * Node roles to attach the policy to. Give each role one ptc-autopilot policy (`nodePolicyScope`):
   * IAM allows 10 managed policies per role by default.
   * @default none; attach the exported policy yourself
   */
  readonly nodeRoleArns?: readonly string[];
  /**
   * The registries whose cache repositories the policy covers (every environment of the account,
   * so that the one policy a role gets works in each Region).
   * @default the target only
   */
  readonly covers?: readonly RegistryLocation[];
}

/** A managed IAM policy for node roles, attached to the listed roles and exported as an output. */
export class NodePolicy extends Construct {
  /** The managed policy. */
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: NodePolicyProps) {
    super(scope, id);
    const covers = props.covers ?? [props.target];
    const roles = (props.nodeRoleArns ?? []).map((arn, i) => iam.Role.fromRoleArn(this, `NodeRole${i}`, arn, { mutable: true }));
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description:
        'ptc-autopilot: lets node roles pull through the ECR cache, creating cache repositories on first pull (managed prefixes only)',
      statements: nodePolicyStatements(covers, props.prefixes, props.copyPrefixes ?? []).map((s) => iam.PolicyStatement.fromJson(s)),
      roles,
    });
    acknowledgeNag(this.policy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Cache repositories are created on first pull under each managed prefix (copies are pushed under theirs), so each repository ARN ends in <prefix>/*; ecr:GetAuthorizationToken supports no resource-level permission and must be on *.',
        appliesTo: [
          ...covers.flatMap((c) => [...props.prefixes, ...(props.copyPrefixes ?? [])].map((p) => `Resource::${prefixRepositoryArn(c, p)}`)),
          'Resource::*',
        ],
      },
    ]);
    new CfnOutput(this, 'NodePolicyArn', {
      value: this.policy.managedPolicyArn,
      description: 'Attach to EKS/ECS node roles so a first pull can create cache repositories',
      exportName: `${props.target.stackName}-NodePolicyArn`,
    });
  }
}
