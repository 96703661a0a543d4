/**
 * The app's stack: a thin user of the `PullThroughCache` construct, one per account and region.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PtcConfig, Target } from '../../core';
import { PullThroughCache } from '../constructs/pull-through-cache';

/** Properties of `PtcAutopilotStack`. */
export interface PtcAutopilotStackProps extends StackProps {
  readonly config: PtcConfig;
  readonly target: Target;
}

/** One account/region's ptc-autopilot deployment. */
export class PtcAutopilotStack extends Stack {
  /** The cache construct. */
  readonly cache: PullThroughCache;

  constructor(scope: Construct, id: string, props: PtcAutopilotStackProps) {
    super(scope, id, {
      ...props,
      env: { account: props.target.account, region: props.target.region },
      description: `ptc-autopilot: ECR pull through cache for ${props.target.account} in ${props.target.region}`,
    });
    this.cache = new PullThroughCache(this, 'Cache', { config: props.config, target: props.target });
  }
}
