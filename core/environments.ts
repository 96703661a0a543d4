/**
 * Deployment targets: one stack per account and region. A config with `environments` yields one
 * target per entry; a config without yields one target from its top-level `account` and `region`.
 */
import type { PtcConfig } from './config/schema';
import { PtcError } from './errors';
import { partitionOf } from './regions';
import { ecrRegistryHost } from './upstreams';

/** One account/region that gets a stack. */
export interface Target {
  /** Environment name (`default` when the config lists none). */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** CloudFormation stack name. */
  readonly stackName: string;
  /** The AWS partition of the region. */
  readonly partition: string;
  /** The private registry host of the target, such as `111122223333.dkr.ecr.eu-west-2.amazonaws.com`. */
  readonly registryHost: string;
}

/** The AWS partition a region belongs to (every partition, ISO ones included: see `core/regions`). */
export { partitionOf } from './regions';

function target(name: string, account: string, region: string): Target {
  return {
    name,
    account,
    region,
    stackName: name === 'default' ? 'PtcAutopilot' : `PtcAutopilot-${name}`,
    partition: partitionOf(region),
    registryHost: ecrRegistryHost(account, region),
  };
}

/**
 * Every deployment target of a config, in config order.
 * @example
 * targets(config).map((t) => t.stackName) // ['PtcAutopilot-prod-eu']
 */
export function targets(config: PtcConfig): Target[] {
  if (config.environments !== undefined) {
    return config.environments.map((e) => target(e.name, e.account, e.region));
  }
  // The schema guarantees account and region when environments is absent.
  return [target('default', config.account!, config.region!)];
}

/**
 * The one target to use where a command needs a single registry (resolve, rewrite, kyverno, ...):
 * the named environment, else the environment the top-level `account` and `region` name, else the
 * only one. With several environments and nothing to choose by, it refuses to guess: a policy
 * pointing a cluster at another region's cache would pull through a registry its nodes may not use.
 * @throws PtcError naming the environments to choose from.
 */
export function primaryTarget(config: PtcConfig, environmentName?: string): Target {
  const all = targets(config);
  const names = all.map((t) => t.name).join(', ');
  if (environmentName !== undefined) {
    const found = all.find((t) => t.name === environmentName);
    if (found === undefined) throw new PtcError(`no environment named "${environmentName}"; known: ${names}`);
    return found;
  }
  if (config.account !== undefined && config.region !== undefined) {
    // The schema makes sure the top-level account and region are one of the environments.
    return all.find((t) => t.account === config.account && t.region === config.region) ?? target('default', config.account, config.region);
  }
  if (all.length > 1) throw new PtcError(`the config lists ${all.length} environments (${names}); choose one with --environment NAME`);
  return all[0]!;
}

/** The repository ARN pattern that covers every repository under a prefix. */
export function prefixRepositoryArn(t: Pick<Target, 'partition' | 'region' | 'account'>, prefix: string): string {
  return `arn:${t.partition}:ecr:${t.region}:${t.account}:repository/${prefix}/*`;
}
