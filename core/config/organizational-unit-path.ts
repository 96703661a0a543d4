/**
 * OU paths as AWS writes `aws:PrincipalOrgPaths` values (`o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`):
 * the field check the config schema and the registry-settings properties share. The ID patterns
 * are the AWS Organizations API reference's
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html,
 * API_Root.html, API_OrganizationalUnit.html).
 */
import { quote } from '../quote';

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
  if (ous.length > MAX_OU_DEPTH)
    return `${quote(value)} nests ${ous.length} OUs; AWS Organizations nests OUs at most ${MAX_OU_DEPTH} levels deep under a root`;
  if (!ORG.test(org))
    return `${expected}, got ${quote(value)}: ${quote(org)} is not an organization ID ("o-" and 10 to 32 lower-case letters or digits)`;
  if (!ROOT.test(root))
    return `${expected}, got ${quote(value)}: ${quote(root)} is not a root ID ("r-" and 4 to 32 lower-case letters or digits)`;
  for (const ou of ous) {
    const match = OU.exec(ou);
    if (match === null)
      return `${expected}, got ${quote(value)}: ${quote(ou)} is not an OU ID ("ou-", 4 to 32 letters or digits, "-", 8 to 32 letters or digits)`;
    if (match[1] !== root.slice(2))
      return `${quote(ou)} is not in root ${quote(root)} (an OU ID starts with the ID of its root: "ou-${root.slice(2)}-...")`;
  }
  return undefined;
}
