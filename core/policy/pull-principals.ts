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
import { quote } from '../quote';
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
export type PullSettings = Pick<EffectiveSettings, 'pullAccounts' | 'pullOrganizations'> & { readonly pullOrganizationalUnits?: readonly string[] };

const ORG = /^o-[a-z0-9]{10,32}$/;
const ROOT = /^r-[0-9a-z]{4,32}$/;
const OU = /^ou-([0-9a-z]{4,32})-[a-z0-9]{8,32}$/;

/**
 * "OU maximum nesting in a root: Five levels of OUs deep under a root" (AWS Organizations quotas,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
 */
export const MAX_OU_DEPTH = 5;

/** An OU path as AWS writes it, such as `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`. */
export const ORGANIZATIONAL_UNIT_PATH_EXAMPLE = 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/';

/**
 * Why a string is not an OU path, or undefined when it is one (trailing slash optional).
 * @example
 * organizationalUnitPathProblem('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111') // undefined
 * organizationalUnitPathProblem('ou-ab12-11111111') // 'must be an OU path such as ...'
 */
export function organizationalUnitPathProblem(value: string): string | undefined {
  const expected = `must be an OU path such as "${ORGANIZATIONAL_UNIT_PATH_EXAMPLE}" (organization ID / root ID / OU IDs, as aws:PrincipalOrgPaths writes it)`;
  const parts = (value.endsWith('/') ? value.slice(0, -1) : value).split('/');
  if (parts.length < 3) return `${expected}, got ${quote(value)}`;
  const [org, root, ...ous] = parts as [string, string, ...string[]];
  if (ous.length > MAX_OU_DEPTH) return `${quote(value)} nests ${ous.length} OUs; AWS Organizations nests OUs at most ${MAX_OU_DEPTH} levels deep under a root`;
  if (!ORG.test(org)) return `${expected}, got ${quote(value)}: ${quote(org)} is not an organization ID ("o-" and 10 to 32 lower-case letters or digits)`;
  if (!ROOT.test(root)) return `${expected}, got ${quote(value)}: ${quote(root)} is not a root ID ("r-" and 4 to 32 lower-case letters or digits)`;
  for (const ou of ous) {
    const match = OU.exec(ou);
    if (match === null) return `${expected}, got ${quote(value)}: ${quote(ou)} is not an OU ID ("ou-", 4 to 32 letters or digits, "-", 8 to 32 letters or digits)`;
    if (match[1] !== root.slice(2)) return `${quote(ou)} is not in root ${quote(root)} (an OU ID starts with the ID of its root: "ou-${root.slice(2)}-...")`;
  }
  return undefined;
}

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
