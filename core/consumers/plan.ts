/**
 * `ptc plan` for consumers: per consumer, what it gets (policy actions on which hub repositories,
 * roles, parameters, exports, where it deploys) and what the hub grants it (first pull and pull,
 * by account or by OU path).
 */
import type { PtcConfig } from '../config/schema';
import { managedPrefixes } from '../policy/settings';
import { copyPrefixes } from '../policy/managed-prefixes';
import { CONSUMER_FIRST_PULL_ACTIONS, CONSUMER_PULL_ACTIONS, hubRepositoryArns } from './policy';
import { consumerExportNames, consumerParameterPrefix, consumersOf, type Consumer } from './resolve';
import { PUBLISHED_NODE_CONFIG_FORMATS } from '../node-config/formats';

/** One consumer in the plan. */
export interface PlannedConsumer {
  name: string;
  kind: 'account' | 'organization';
  /** The hub environment and its registry. */
  hub: { environment: string; registry: string };
  /** Where its side deploys, one line each. */
  deploysTo: string[];
  /** The node policy: actions and the hub repositories they apply to, plus the token. */
  nodePolicy: {
    actions: string[];
    resources: string[];
    /** Pull only (no first pull) on the hub's copy repositories; absent without `copies`. */
    copies?: { actions: string[]; resources: string[] };
    authorizationToken: 'ecr:GetAuthorizationToken on *';
  };
  /** Roles the policy is attached to: ARNs (listed accounts) or names in every account (OUs). */
  nodeRoles: string[];
  /** SSM parameters it publishes. */
  parameters: string[];
  /** CloudFormation exports for the account's own stacks. */
  exports: string[];
  /** What the hub grants it. */
  hubGrants: { firstPull: string; pull: string };
}

function deploysTo(c: Consumer): string[] {
  if (c.kind === 'account') {
    return c.stacks.map(
      (s) =>
        `stack ${s.stackName} in ${s.account} ${s.region}${s.withNodePolicy ? '' : " (parameters only; the policy is in the first Region's stack)"}, deployed with that account's credentials`,
    );
  }
  return [
    `StackSet ${c.stackSetName} (service-managed, auto-deployment on, stacks deleted when an account leaves the OUs) in stack ${c.adminStack.stackName}, account ${c.adminStack.account} ${c.adminStack.region}, CallAs ${c.callAs}`,
    `stack instances in every account of ${c.organizationalUnitIds.join(', ')}, Regions ${c.regions.join(', ')} (node policy in ${c.regions[0]} only)`,
  ];
}

/** The consumers of a config, as the plan shows them (empty without consumers). */
export function planConsumers(config: PtcConfig): PlannedConsumer[] {
  const prefixes = managedPrefixes(config);
  const copied = copyPrefixes(config);
  return consumersOf(config).map((c) => {
    const prefix = consumerParameterPrefix(c.name);
    const exports = consumerExportNames(c.name);
    const who =
      c.kind === 'account'
        ? `account ${c.account}`
        : `principals whose aws:PrincipalOrgPaths is under ${c.organizationalUnitPaths.join(' or ')}`;
    return {
      name: c.name,
      kind: c.kind,
      hub: { environment: c.hub.name, registry: c.hub.registryHost },
      deploysTo: deploysTo(c),
      nodePolicy: {
        actions: [...CONSUMER_FIRST_PULL_ACTIONS, ...CONSUMER_PULL_ACTIONS],
        resources: hubRepositoryArns(c.hub, prefixes),
        ...(copied.length > 0 ? { copies: { actions: [...CONSUMER_PULL_ACTIONS], resources: hubRepositoryArns(c.hub, copied) } } : {}),
        authorizationToken: 'ecr:GetAuthorizationToken on *',
      },
      nodeRoles: c.kind === 'account' ? [...c.nodeRoleArns] : c.nodeRoleNames.map((n) => `${n} (by name, in every account)`),
      parameters: [`${prefix}/hub-registry`, ...PUBLISHED_NODE_CONFIG_FORMATS.map((f) => `${prefix}/node-config/${f}`)],
      exports: [exports.nodePolicyArn, exports.hubRegistry],
      hubGrants: {
        firstPull: `registry policy of ${c.hub.registryHost}: ${CONSUMER_FIRST_PULL_ACTIONS.join(', ')} on repository/<prefix>/* to ${who}`,
        pull: `repository policies under the managed prefixes: ${CONSUMER_PULL_ACTIONS.join(', ')} (and ecr:BatchImportUpstreamImage) to ${who}${copied.length > 0 ? `; under the copies prefixes (${copied.join(', ')}): ${CONSUMER_PULL_ACTIONS.join(', ')} only` : ''}`,
      },
    };
  });
}

/** The plan's consumer lines. */
export function renderConsumers(consumers: readonly PlannedConsumer[]): string[] {
  const lines: string[] = [];
  for (const c of consumers) {
    lines.push(
      `Consumer ${c.name} (${c.kind === 'account' ? 'listed account' : 'organizational units'}): pulls through ${c.hub.registry} (environment ${c.hub.environment})`,
    );
    for (const d of c.deploysTo) lines.push(`  deploys  ${d}`);
    lines.push(`  policy   ${c.nodePolicy.actions.join(', ')} on ${c.nodePolicy.resources.join(', ')}; ${c.nodePolicy.authorizationToken}`);
    if (c.nodePolicy.copies !== undefined)
      lines.push(`  copies   ${c.nodePolicy.copies.actions.join(', ')} on ${c.nodePolicy.copies.resources.join(', ')} (pull only)`);
    lines.push(`  roles    ${c.nodeRoles.length > 0 ? c.nodeRoles.join(', ') : `none: attach the exported ${c.exports[0]} yourself`}`);
    lines.push(
      `  params   ${c.parameters[0]}, ${c.parameters[1]!.replace(/[^/]+$/, '')}{${c.parameters
        .slice(1)
        .map((p) => p.slice(p.lastIndexOf('/') + 1))
        .join(',')}}`,
    );
    lines.push(`  exports  ${c.exports.join(', ')}`);
    lines.push(`  hub grants first pull: ${c.hubGrants.firstPull}`);
    lines.push(`  hub grants pull:       ${c.hubGrants.pull}`);
  }
  return lines;
}
