/**
 * `MirrorNodeConfig`: each stack publishes the mirror-mode node configuration of its registry, so
 * node groups, launch templates and Karpenter read it instead of running `ptc node-config`.
 * Everything is rendered at synth by the same core functions the CLI uses.
 */
import { aws_ec2 as ec2, aws_ssm as ssm } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { PtcConfig, Target } from '../../core';
import {
  NodeConfigError,
  SSM_ADVANCED_VALUE_LIMIT as ADVANCED_LIMIT,
  SSM_STANDARD_VALUE_LIMIT as STANDARD_LIMIT,
  configFallback,
  mirrorMapFor,
  nodeConfigDocuments,
  type MirrorMap,
} from '../../core/node-config';

/** The values published, keyed by the last part of their parameter name (core/node-config/published.ts). */
export { nodeConfigDocuments };

/** Properties of `MirrorNodeConfig`. */
export interface MirrorNodeConfigProps {
  readonly config: PtcConfig;
  readonly target: Target;
  /**
   * Prefix of the parameter names; each format is `<prefix>/<format>`.
   * @default `/ptc-autopilot/<stackName>/node-config`
   */
  readonly parameterPrefix?: string;
}

/**
 * One SSM String parameter per format (`containerd` holds a JSON object of hosts files keyed by
 * `<host>/hosts.toml`; the kubelet-facing ones leave out `public.ecr.aws`, see docs/mirror-mode.md),
 * and `userData()` for a launch template.
 *
 * @example
 * const cache = new PullThroughCache(stack, 'Cache', { config, target });
 * new ec2.LaunchTemplate(stack, 'Nodes', { userData: cache.nodeConfig.userData('al2023') });
 */
export class MirrorNodeConfig extends Construct {
  /** The mirror map the parameters were rendered from. */
  readonly mirrorMap: MirrorMap;
  /** The parameters, keyed by format (`containerd`, `credential-provider`, `al2023`, `bottlerocket`, `karpenter-al2023`, `karpenter-bottlerocket`). */
  readonly parameters: Readonly<Record<string, ssm.StringParameter>>;
  private readonly documents: Record<string, string>;

  constructor(scope: Construct, id: string, props: MirrorNodeConfigProps) {
    super(scope, id);
    const prefix = props.parameterPrefix ?? `/ptc-autopilot/${props.target.stackName}/node-config`;
    this.mirrorMap = mirrorMapFor(props.config, props.target);
    this.documents = nodeConfigDocuments(this.mirrorMap, props.target.region, { fallback: configFallback(props.config) });
    const parameters: Record<string, ssm.StringParameter> = {};
    for (const [format, value] of Object.entries(this.documents)) {
      const size = Buffer.byteLength(value, 'utf8');
      if (size > ADVANCED_LIMIT) {
        throw new NodeConfigError(
          `node config "${format}" is ${size} bytes, more than the 8192 an SSM parameter holds; use ptc node-config --format ${format.replace(/-.*/, '')} instead`,
        );
      }
      parameters[format] = new ssm.StringParameter(this, `Parameter-${format}`, {
        parameterName: `${prefix}/${format}`,
        description: `ptc-autopilot mirror mode: ${format} node config for ${props.target.registryHost}`,
        stringValue: value,
        tier: size > STANDARD_LIMIT ? ssm.ParameterTier.ADVANCED : ssm.ParameterTier.STANDARD,
      });
    }
    this.parameters = parameters;
  }

  /** The user data of a launch template for AL2023 (MIME multi-part) or Bottlerocket (settings TOML). */
  userData(family: 'al2023' | 'bottlerocket' = 'al2023'): ec2.UserData {
    return ec2.UserData.custom(this.documents[family]!);
  }
}
