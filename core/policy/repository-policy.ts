/**
 * Repository policy statements that grant pull access to other accounts, to whole AWS
 * Organizations and to organizational units. Statements we own carry one of a fixed set of `Sid`s; anything else in a
 * repository policy belongs to someone else and is never touched.
 */
import { organizationalUnitPathPattern, pullPrincipals, type PullPrincipals, type PullSettings } from './pull-principals';

/** The actions a pull of a cached image needs, and nothing more. */
export const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

/**
 * What a repository policy grants other accounts: a pull, and the import of a tag not cached yet
 * into the existing repository. `ecr:BatchImportUpstreamImage` "can be granted by using the private
 * registry permissions policy, an identity-based IAM policy, or by using the resource-based
 * repository permissions policy" (ECR User Guide, "IAM permissions required to sync an upstream
 * registry with an Amazon ECR private registry",
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
 */
export const REPOSITORY_PULL_ACTIONS = [...PULL_ACTIONS, 'ecr:BatchImportUpstreamImage'] as const;

/** The prefix of every `Sid` we write. */
export const OWNED_SID_PREFIX = 'PtcAutopilot';

/** The exact `Sid`s ptc-autopilot writes. A statement is ours only when its Sid is one of these. */
export const OWNED_SIDS = {
  crossAccountPull: `${OWNED_SID_PREFIX}CrossAccountPull`,
  organizationPull: `${OWNED_SID_PREFIX}OrganizationPull`,
  organizationalUnitPull: `${OWNED_SID_PREFIX}OrganizationalUnitPull`,
} as const;

/** An IAM policy statement as it appears in a repository policy. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A repository policy document. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Whether a statement was written by ptc-autopilot (its Sid is one of `OWNED_SIDS`). */
export function isOwnedStatement(statement: { Sid?: unknown }): boolean {
  return typeof statement.Sid === 'string' && (Object.values(OWNED_SIDS) as string[]).includes(statement.Sid);
}

/**
 * The statements ptc-autopilot wants on every repository with these settings (`effectiveSettings`
 * includes the consumers); empty when no account, organization or OU needs access.
 * @example
 * pullStatements({ ...settings, pullAccounts: ['444455556666'], pullOrganizations: [] })
 * // [{ Sid: 'PtcAutopilotCrossAccountPull', Principal: { AWS: ['arn:aws:iam::444455556666:root'] }, ... }]
 */
export function pullStatements(settings: PullSettings, partition = 'aws'): PolicyStatement[] {
  return principalStatements(pullPrincipals(settings), REPOSITORY_PULL_ACTIONS, partition, {
    accounts: OWNED_SIDS.crossAccountPull,
    organizations: OWNED_SIDS.organizationPull,
    organizationalUnits: OWNED_SIDS.organizationalUnitPull,
  });
}

/**
 * The statements ptc-autopilot wants on every copy repository (a `copies` prefix's): the same
 * `Sid`s and principals as `pullStatements`, with the pull actions only. A copy is pushed by
 * ptc copy; nothing imports it from an upstream, so `ecr:BatchImportUpstreamImage` has no use there.
 */
export function copyPullStatements(settings: PullSettings, partition = 'aws'): PolicyStatement[] {
  return principalStatements(pullPrincipals(settings), PULL_ACTIONS, partition, {
    accounts: OWNED_SIDS.crossAccountPull,
    organizations: OWNED_SIDS.organizationPull,
    organizationalUnits: OWNED_SIDS.organizationalUnitPull,
  });
}

/**
 * One statement per kind of principal (their conditions cannot share a statement: conditions are
 * ANDed): accounts by `Principal`, organizations by `aws:PrincipalOrgID`, OUs by
 * `aws:PrincipalOrgPaths`, which is multivalued, so `ForAnyValue:StringLike` with `<path>*`
 * (the OU and every OU under it).
 */
export function principalStatements(
  principals: PullPrincipals,
  actions: readonly string[],
  partition: string,
  sids: { readonly accounts: string; readonly organizations: string; readonly organizationalUnits: string },
  resource?: readonly string[],
): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const scoped = resource === undefined ? {} : { Resource: [...resource] };
  if (principals.accounts.length > 0) {
    statements.push({
      Sid: sids.accounts,
      Effect: 'Allow',
      Principal: { AWS: principals.accounts.map((a) => `arn:${partition}:iam::${a}:root`) },
      Action: [...actions],
      ...scoped,
    });
  }
  if (principals.organizations.length > 0) {
    statements.push({
      Sid: sids.organizations,
      Effect: 'Allow',
      Principal: '*',
      Action: [...actions],
      ...scoped,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': [...principals.organizations] } },
    });
  }
  if (principals.organizationalUnitPaths.length > 0) {
    statements.push({
      Sid: sids.organizationalUnits,
      Effect: 'Allow',
      Principal: '*',
      Action: [...actions],
      ...scoped,
      Condition: {
        'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': principals.organizationalUnitPaths.map(organizationalUnitPathPattern) },
      },
    });
  }
  return statements;
}

/** Wraps statements in a policy document, or returns undefined when there are none. */
export function policyDocument(statements: PolicyStatement[]): PolicyDocument | undefined {
  return statements.length === 0 ? undefined : { Version: '2012-10-17', Statement: statements };
}
