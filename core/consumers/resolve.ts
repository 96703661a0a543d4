/**
 * Who the consumers are and where each one's side deploys: the one place that turns the
 * `consumers` key into stacks, a StackSet, the hub registry each consumer pulls through, the
 * parameter names and export names. The CDK stacks, `ptc plan` and the CLI's `--consumer` all
 * read it from here.
 */
import type { PtcConfig } from '../config/schema';
import { PtcError } from '../errors';
import { targets, type Target } from '../environments';
import { quote } from '../quote';
import type { ConsumerAccountConfig } from './schema';

/** The stack (and StackSet) name of a consumer. */
export function consumerStackName(name: string): string {
  return `PtcAutopilot-consumer-${name}`;
}

/** The stack in the StackSet administrator account that holds the StackSet. */
export const CONSUMERS_ADMIN_STACK_NAME = 'PtcAutopilot-consumers';

/** Where a consumer's SSM parameters live: `<prefix>/node-config/<format>` and `<prefix>/hub-registry`. */
export function consumerParameterPrefix(name: string): string {
  return `/ptc-autopilot/consumer/${name}`;
}

/** The CloudFormation export names of a consumer's outputs, for the account's own stacks (`Fn::ImportValue`). */
export function consumerExportNames(name: string): { nodePolicyArn: string; hubRegistry: string } {
  return { nodePolicyArn: `${consumerStackName(name)}-NodePolicyArn`, hubRegistry: `${consumerStackName(name)}-HubRegistry` };
}

/** One stack of a listed consumer account. */
export interface ConsumerStackPlacement {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** Whether this stack holds the node policy (the first Region's stack; IAM is global). */
  readonly withNodePolicy: boolean;
}

/** A listed consumer account, resolved. */
export interface AccountConsumer {
  readonly kind: 'account';
  readonly name: string;
  readonly account: string;
  readonly regions: readonly string[];
  readonly nodeRoleArns: readonly string[];
  /** The hub environment whose registry this consumer pulls through. */
  readonly hub: Target;
  /** Its stacks: `PtcAutopilot-consumer-<name>` in the first Region, `...-<name>-<region>` in the others. */
  readonly stacks: readonly ConsumerStackPlacement[];
}

/** The OU consumers, resolved: one service-managed StackSet. */
export interface OrganizationConsumer {
  readonly kind: 'organization';
  readonly name: string;
  /** OU paths as `aws:PrincipalOrgPaths` writes them (ending in `/`). */
  readonly organizationalUnitPaths: readonly string[];
  /** What the StackSet deploys to: the last ID of each path (`ou-...` or `r-...`). */
  readonly organizationalUnitIds: readonly string[];
  readonly regions: readonly string[];
  /** Role names (without path) the node policy is attached to in every account. */
  readonly nodeRoleNames: readonly string[];
  readonly hub: Target;
  readonly stackSetName: string;
  /** The stack that holds the StackSet, in the StackSet administrator account. */
  readonly adminStack: { readonly stackName: string; readonly account: string; readonly region: string };
  /** `DELEGATED_ADMIN` from a delegated administrator, `SELF` from the management account. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
}

/** Any consumer. */
export type Consumer = AccountConsumer | OrganizationConsumer;

/** An unknown `--consumer` name, or a consumer whose hub cannot be told. */
export class ConsumerError extends PtcError {}

/**
 * The hub environment a consumer pulls through: the one it names, else the environment in its
 * (first) Region when exactly one is there, else the only environment. A string says why none
 * can be told.
 */
export function hubEnvironmentFor(
  config: PtcConfig,
  consumer: { environment?: string | undefined; regions?: readonly string[] | undefined },
): Target | string {
  const all = targets(config);
  const names = all.map((t) => t.name).join(', ');
  if (consumer.environment !== undefined) {
    return all.find((t) => t.name === consumer.environment) ?? `no environment named ${quote(consumer.environment)}; known: ${names}`;
  }
  const home = consumer.regions?.[0];
  const inRegion = home === undefined ? [] : all.filter((t) => t.region === home);
  if (inRegion.length === 1) return inRegion[0]!;
  if (all.length === 1) return all[0]!;
  if (inRegion.length > 1)
    return `environments ${inRegion.map((t) => t.name).join(', ')} are all in ${home}; name the hub with "environment"`;
  return `the config has ${all.length} environments (${names}) and ${home === undefined ? 'the consumer lists no "regions"' : `none is in ${home}`}; name the hub with "environment"`;
}

/** The role name of a `nodeRoleNames` entry: the part after its path. */
export function roleNameOf(entry: string): string {
  return entry.slice(entry.lastIndexOf('/') + 1);
}

/** The last ID of an OU path: what a StackSet deploys to. */
export function organizationalUnitIdOf(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1]!;
}

function hubOrThrow(
  config: PtcConfig,
  where: string,
  consumer: { environment?: string | undefined; regions?: readonly string[] | undefined },
): Target {
  const hub = hubEnvironmentFor(config, consumer);
  // The schema refuses such a config; a config built without it still gets a clear error.
  if (typeof hub === 'string') throw new ConsumerError(`${where}: ${hub}`);
  return hub;
}

function accountConsumer(config: PtcConfig, c: ConsumerAccountConfig, where: string): AccountConsumer {
  const hub = hubOrThrow(config, where, c);
  const regions = c.regions ?? [hub.region];
  return {
    kind: 'account',
    name: c.name,
    account: c.account,
    regions,
    nodeRoleArns: c.nodeRoleArns ?? [],
    hub,
    stacks: regions.map((region, i) => ({
      stackName: i === 0 ? consumerStackName(c.name) : `${consumerStackName(c.name)}-${region}`,
      account: c.account,
      region,
      withNodePolicy: i === 0,
    })),
  };
}

/** Every consumer of a config, listed accounts first (in config order), then the OU StackSet. */
export function consumersOf(config: PtcConfig): Consumer[] {
  const c = config.consumers;
  if (c === undefined) return [];
  const out: Consumer[] = c.accounts.map((a, i) =>
    accountConsumer(config, a, c.form === 'list' ? `consumers[${i}]` : `consumers.accounts[${i}]`),
  );
  const o = c.organization;
  if (o !== undefined) {
    const hub = hubOrThrow(config, 'consumers', o);
    out.push({
      kind: 'organization',
      name: o.name,
      organizationalUnitPaths: [...o.organizationalUnits],
      organizationalUnitIds: o.organizationalUnits.map(organizationalUnitIdOf),
      regions: [...o.regions],
      nodeRoleNames: o.nodeRoleNames.map(roleNameOf),
      hub,
      stackSetName: consumerStackName(o.name),
      adminStack: { stackName: CONSUMERS_ADMIN_STACK_NAME, account: o.delegatedAdminAccount ?? hub.account, region: hub.region },
      callAs: o.delegatedAdminAccount !== undefined ? 'DELEGATED_ADMIN' : 'SELF',
    });
  }
  return out;
}

/**
 * The consumer named `name` (`ptc ... --consumer NAME`).
 * @throws ConsumerError with one line listing the known names.
 */
export function consumerNamed(config: PtcConfig, name: string): Consumer {
  const all = consumersOf(config);
  const found = all.find((c) => c.name === name);
  if (found !== undefined) return found;
  const known = all.map((c) => c.name);
  throw new ConsumerError(
    known.length === 0
      ? `no consumer named ${quote(name)}: the config lists no consumers`
      : `no consumer named ${quote(name)}; known consumers: ${known.join(', ')}`,
  );
}

/**
 * The hub environment a `--consumer NAME` command targets (`ptc kyverno`, `rewrite`, `node-config`):
 * the registry that consumer's nodes pull through.
 * @param otherFlags the registry-choosing options also given (`--environment`, `--account`, ...): refused beside `--consumer`.
 * @throws ConsumerError for an unknown name (listing the known ones) or a conflicting option.
 */
export function consumerHubTarget(config: PtcConfig, name: string, otherFlags: readonly string[] = []): Target {
  if (otherFlags.length > 0) throw new ConsumerError(`--consumer picks the hub registry itself; drop ${otherFlags.join(', ')}`);
  return consumerNamed(config, name).hub;
}
