/**
 * The IAM statements an EKS/ECS node role needs to trigger the first pull of an image through the
 * cache: ECR creates the cache repository and imports the upstream image on the node's behalf.
 *
 * IAM attaches at most 10 managed policies to a role by default, and EKS node roles already carry
 * four or five. So each node role gets exactly one ptc-autopilot policy: the one of the first
 * environment (in config order) of the role's account, covering every environment of that account.
 */
import type { PtcConfig } from '../config/schema';
import { prefixRepositoryArn, targets, type Target } from '../environments';
import { PULL_ACTIONS } from './repository-policy';

/** Actions that let a pull create the cache repository and import the upstream image. */
export const FIRST_PULL_ACTIONS = ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'] as const;

/** A plain IAM statement (the shape `iam.PolicyStatement.fromJson` takes). */
export interface IamStatementJson {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

/** The parts of a target a repository ARN needs. */
export type RegistryLocation = Pick<Target, 'partition' | 'region' | 'account'>;

/**
 * Statements for the node policy, scoped to the managed prefixes' repositories in each of the
 * given registries (one, or every environment of an account), and pulls of the `copies`
 * prefixes' repositories when there are any.
 * `ecr:GetAuthorizationToken` has no resource-level permissions, so it is the one statement on `*`.
 */
export function nodePolicyStatements(
  t: RegistryLocation | readonly RegistryLocation[],
  prefixes: readonly string[],
  copyPrefixes: readonly string[] = [],
): IamStatementJson[] {
  const registries: readonly RegistryLocation[] = Array.isArray(t) ? t : [t as RegistryLocation];
  const resources = registries.flatMap((r) => prefixes.map((p) => prefixRepositoryArn(r, p)));
  // Copies (`copies`, docs/copy.md) are pushed by ptc copy: nodes only pull them, never create or import.
  const copied = registries.flatMap((r) => copyPrefixes.map((p) => prefixRepositoryArn(r, p)));
  return [
    { Sid: 'PullThroughCacheFirstPull', Effect: 'Allow', Action: [...FIRST_PULL_ACTIONS], Resource: resources },
    { Sid: 'PullThroughCachePull', Effect: 'Allow', Action: [...PULL_ACTIONS], Resource: resources },
    ...(copied.length > 0 ? [{ Sid: 'CopiedImagesPull', Effect: 'Allow' as const, Action: [...PULL_ACTIONS], Resource: copied }] : []),
    { Sid: 'RegistryAuthToken', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
  ];
}

/** Where one stack's node policy applies and which roles that stack attaches it to. */
export interface NodePolicyScope {
  /** The environments whose cache repositories the policy covers: every environment of the stack's account. */
  readonly covers: readonly Target[];
  /** The `nodeRoleArns` this stack attaches its policy to (empty unless it is the first stack of its account). */
  readonly attachTo: readonly string[];
  /** The stack that attaches the policy to this account's node roles. */
  readonly attachingStack: string;
}

const roleAccount = (roleArn: string): string | undefined => roleArn.split(':')[4];
const rolePartition = (roleArn: string): string | undefined => roleArn.split(':')[1];
const sameAccount = (a: Target, b: Target): boolean => a.account === b.account && a.partition === b.partition;

/**
 * The node policy scope of one target: the first target of an account attaches its policy (which
 * covers every target of that account) to the node roles of that account, so a role gets one
 * ptc-autopilot policy however many Regions the account deploys to. Roles of an account no
 * environment deploys to are attached by no stack (`unattachedNodeRoles`).
 */
export function nodePolicyScope(config: PtcConfig, target: Target): NodePolicyScope {
  const all = targets(config);
  const covers = all.filter((t) => sameAccount(t, target));
  const first = covers[0] ?? target;
  const attachTo =
    first.stackName === target.stackName
      ? config.nodeRoleArns.filter((arn) => roleAccount(arn) === target.account && rolePartition(arn) === target.partition)
      : [];
  return { covers, attachTo, attachingStack: first.stackName };
}

/** Node roles in an account (and partition) that no environment deploys to: no stack can attach a policy to them. */
export function unattachedNodeRoles(config: PtcConfig): string[] {
  const all = targets(config);
  return config.nodeRoleArns.filter((arn) => !all.some((t) => roleAccount(arn) === t.account && rolePartition(arn) === t.partition));
}
