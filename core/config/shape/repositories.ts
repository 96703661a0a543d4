/**
 * The shape of the `repositories` block: the settings every cached repository gets, and the
 * per-prefix overrides of them.
 */
import { z } from 'zod';
import { accountId, boundedInt, kmsKeyArn, organizationId, strictObject, tagMap } from '../fields';
import { organizationalUnitPathProblem } from '../organizational-unit-path';

/** An OU path such as `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/` (trailing slash optional), checked against the AWS Organizations ID patterns. */
const organizationalUnitPath = z.string({ error: 'must be an OU path such as "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"' }).superRefine((value, ctx) => {
  const problem = organizationalUnitPathProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const lifecycle = strictObject({
  /** Days after which untagged images expire. */
  untaggedExpireDays: boundedInt(1, 3650).optional(),
  /** How many tagged images to keep; older ones expire. */
  keepLastTagged: boundedInt(1, 10000).optional(),
});

const encryption = strictObject({
  type: z.enum(['AES256', 'KMS'], { error: 'must be "AES256" or "KMS"' }),
  kmsKeyArn: kmsKeyArn.optional(),
}).superRefine((value, ctx) => {
  if (value.type === 'AES256' && value.kmsKeyArn !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['kmsKeyArn'], message: '"kmsKeyArn" goes with type "KMS" only' });
  }
});

const repositorySettingsShape = {
  lifecycle: lifecycle.optional(),
  pullAccounts: z.array(accountId).max(100, { error: 'at most 100 accounts' }).optional(),
  pullOrganizations: z.array(organizationId).max(20, { error: 'at most 20 organizations' }).optional(),
  /** OU paths as aws:PrincipalOrgPaths writes them (`o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`); their accounts, child OUs included, may pull. */
  pullOrganizationalUnits: z.array(organizationalUnitPath).max(50, { error: 'at most 50 organizational units' }).optional(),
  tags: tagMap.optional(),
  scanOnPush: z.boolean({ error: 'must be true or false' }).optional(),
  imageTagMutability: z.enum(['MUTABLE', 'IMMUTABLE'], { error: 'must be "MUTABLE" or "IMMUTABLE"' }).optional(),
  encryption: encryption.optional(),
};

/**
 * ECR's quota "Pull through cache rules per registry": 50 in each supported Region, not adjustable
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html).
 */
export const MAX_RULES = 50;

/** ECR allows 50 tags per repository; ptc-autopilot keeps two for its own marker tags. */
export const MAX_CONFIG_TAGS = 48;

const tagCountCheck = (value: { tags?: Record<string, string> | undefined }, ctx: z.RefinementCtx) => {
  if (value.tags !== undefined && Object.keys(value.tags).length > MAX_CONFIG_TAGS) {
    ctx.addIssue({ code: 'custom', path: ['tags'], message: `at most ${MAX_CONFIG_TAGS} tags (ECR allows 50 and ptc-autopilot uses 2), got ${Object.keys(value.tags).length}` });
  }
};

/** A per-prefix override of the repository settings. */
export const override = strictObject({ prefix: z.string(), ...repositorySettingsShape }).superRefine(tagCountCheck);

/** The `repositories` block: base settings and overrides. */
export const repositories = strictObject({
  ...repositorySettingsShape,
  // One override per rule at most, so never more than there can be rules.
  overrides: z.array(override).max(MAX_RULES, { error: `at most ${MAX_RULES} overrides, one per rule` }).optional(),
}).superRefine(tagCountCheck);
