/**
 * Who may pull from (and trigger first pulls into) a prefix's repositories: accounts, whole AWS
 * Organizations, and organizational units. Every policy that grants pull access (repository
 * policies, the registry policy's first-pull statements, `ptc plan`) computes its principals here,
 * and consumer accounts and OUs, which `effectiveSettings` adds to every prefix's settings, are granted by all of them.
 *
 * OU paths are written exactly as AWS writes `aws:PrincipalOrgPaths` values
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths):
 * `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`, organization ID, root ID, then one or more OU IDs.
 * The ID patterns are the AWS Organizations API reference's
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html,
 * API_Root.html, API_OrganizationalUnit.html): `o-[a-z0-9]{10,32}`, `r-[0-9a-z]{4,32}`,
 * `ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}`, where an OU ID's first part is "the ID of the root that
 * contains the OU".
 */
import type { EffectiveSettings } from './types';

/** The principals of a pull grant, each list sorted and without duplicates. */
export interface PullPrincipals {
  /** 12-digit account IDs, granted as `arn:<partition>:iam::<account>:root`. */
  readonly accounts: readonly string[];
  /** AWS Organizations IDs, granted through `aws:PrincipalOrgID`. */
  readonly organizations: readonly string[];
  /** Normalized OU paths (trailing `/`), granted with their child OUs through `aws:PrincipalOrgPaths`. */
  readonly organizationalUnitPaths: readonly string[];
}

/** The settings a pull grant reads. `pullOrganizationalUnits` may be absent (older callers, tests). */
export type PullSettings = Pick<EffectiveSettings, 'pullAccounts' | 'pullOrganizations'> & {
  readonly pullOrganizationalUnits?: readonly string[];
};

export { MAX_OU_DEPTH, ORGANIZATIONAL_UNIT_PATH_EXAMPLE, organizationalUnitPathProblem } from '../config/organizational-unit-path';

/** An OU path with its trailing slash, the form `aws:PrincipalOrgPaths` values take. */
export function normalizeOrganizationalUnitPath(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * The `aws:PrincipalOrgPaths` pattern matching an OU's accounts and those of every OU under it.
 * @example
 * organizationalUnitPathPattern('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111') // 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'
 */
export function organizationalUnitPathPattern(path: string): string {
  return `${normalizeOrganizationalUnitPath(path)}*`;
}

const sortedUnique = (list: readonly string[]): string[] => [...new Set(list)].sort();

/**
 * The principals granted pull (and first-pull) access under one prefix by its effective settings
 * (consumers included), each list sorted and deduplicated, OU paths normalized.
 * @example
 * pullPrincipals(effectiveSettings(config, 'k8s'))
 * // { accounts: ['444455556666'], organizations: ['o-a1b2c3d4e5'], organizationalUnitPaths: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'] }
 */
export function pullPrincipals(settings: PullSettings): PullPrincipals {
  return {
    accounts: sortedUnique(settings.pullAccounts),
    organizations: sortedUnique(settings.pullOrganizations),
    organizationalUnitPaths: sortedUnique((settings.pullOrganizationalUnits ?? []).map(normalizeOrganizationalUnitPath)),
  };
}

/** Whether a principal set grants nobody. */
export function isEmptyPrincipals(p: PullPrincipals): boolean {
  return p.accounts.length === 0 && p.organizations.length === 0 && p.organizationalUnitPaths.length === 0;
}
