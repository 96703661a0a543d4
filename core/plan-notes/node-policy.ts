/**
 * The node policy part of `ptc plan`: which stack attaches the node policy to which roles, how
 * many ptc-autopilot policies each role gets (one), and which Regions that policy covers.
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';
import { nodePolicyScope } from '../policy/node-policy';

/** The node policy of one environment. */
export interface PlannedNodePolicy {
  /** The roles this stack attaches its policy to. */
  attachedTo: string[];
  /** The stack that attaches the node policy to this account's roles (this one, or the account's first). */
  attachedBy: string;
  /** The Regions of this account whose cache repositories the policy covers. */
  coversRegions: string[];
  /** Managed policies ptc-autopilot attaches to each listed role of this account: always 1. */
  policiesPerRole: number;
}

/** Plans the node policy of one target. */
export function planNodePolicy(config: PtcConfig, target: Target): PlannedNodePolicy {
  const scope = nodePolicyScope(config, target);
  return {
    attachedTo: [...scope.attachTo],
    attachedBy: scope.attachingStack,
    coversRegions: scope.covers.map((t) => t.region),
    policiesPerRole: 1,
  };
}

/** The plan lines of one environment's node policy. */
export function renderNodePolicy(policy: PlannedNodePolicy, stackName: string, account: string, rolesListed: boolean): string[] {
  const covers = `covers ${policy.coversRegions.join(', ')} of ${account}`;
  if (policy.attachedTo.length > 0) {
    return [
      `  node policy (${covers}) attached to: ${policy.attachedTo.join(', ')} (${policy.policiesPerRole} ptc-autopilot managed policy per role; IAM allows 10 per role by default)`,
    ];
  }
  if (policy.attachedBy !== stackName) {
    return [
      `  node policy (${covers}): the node roles of ${account} get the policy of ${policy.attachedBy} (one per role); this stack's policy is only exported`,
    ];
  }
  return [
    `  node policy (${covers}) attached to: ${rolesListed ? `no role of account ${account} is listed` : '(no roles listed; attach the exported policy yourself)'}`,
  ];
}
