/**
 * The IAM statements an EKS/ECS node role needs to trigger the first pull of an image through the
 * cache: ECR creates the cache repository and imports the upstream image on the node's behalf.
 */
import { prefixRepositoryArn, type Target } from '../environments';
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

/**
 * Statements for the node policy, scoped to the managed prefixes' repositories.
 * `ecr:GetAuthorizationToken` has no resource-level permissions, so it is the one statement on `*`.
 */
export function nodePolicyStatements(t: Pick<Target, 'partition' | 'region' | 'account'>, prefixes: readonly string[]): IamStatementJson[] {
  const resources = prefixes.map((p) => prefixRepositoryArn(t, p));
  return [
    { Sid: 'PullThroughCacheFirstPull', Effect: 'Allow', Action: [...FIRST_PULL_ACTIONS], Resource: resources },
    { Sid: 'PullThroughCachePull', Effect: 'Allow', Action: [...PULL_ACTIONS], Resource: resources },
    { Sid: 'RegistryAuthToken', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
  ];
}
