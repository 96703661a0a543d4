/**
 * The shape of the `repositories` block: the settings every cached repository gets, and the
 * per-prefix overrides of them.
 */
import * as z from 'zod/mini';
import { accountId, boundedInt, described, kmsKeyArn, organizationId, refineWith, strictObject, tagMap } from '../fields';
import { organizationalUnitPathProblem } from '../organizational-unit-path';
import { archiveLifecycleShape, evictionSchema } from '../eviction-schema';
import { MAX_RULES } from './rule';

/** An OU path such as `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/` (trailing slash optional), checked against the AWS Organizations ID patterns. */
const organizationalUnitPath = z
  .string({ error: 'must be an OU path such as "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"' })
  .check(refineWith(organizationalUnitPathProblem));

const lifecycle = strictObject({
  untaggedExpireDays: described(
    z.optional(boundedInt(1, 3650)),
    'days after which untagged images expire (1 to 3650); unset, untagged images never expire (the platform manifests of a cached multi-arch tag are untagged)',
  ),
  keepLastTagged: described(z.optional(boundedInt(1, 10000)), 'how many tagged images to keep (1 to 10000); older ones expire. Unset: 100'),
  ...archiveLifecycleShape,
});

const encryption = strictObject({
  type: described(z.enum(['AES256', 'KMS'], { error: 'must be "AES256" or "KMS"' }), 'encryption of new repositories'),
  kmsKeyArn: described(
    z.optional(kmsKeyArn),
    "type KMS: the key ARN (never an alias); unset, the AWS managed key `aws/ecr` or the environment's `kmsKeyArn`",
  ),
}).check(
  z.superRefine((value, ctx) => {
    if (value.type === 'AES256' && value.kmsKeyArn !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['kmsKeyArn'], message: '"kmsKeyArn" goes with type "KMS" only' });
    }
  }),
);

/** A list whose length the config limits (`limited`), or does not (a payload, where consumers' principals were added to the list). */
function grantList<T extends z.ZodMiniType>(item: T, max: number, what: string, limited: boolean) {
  return limited ? z.array(item).check(z.maxLength(max, { error: `at most ${max} ${what}` })) : z.array(item);
}

/** The keys the base block shares with each override; `limited` as in `grantList`. */
function repositorySettingsShape(limited: boolean) {
  return {
    lifecycle: described(z.optional(lifecycle), 'lifecycle policy of the repositories (`untaggedExpireDays`, `keepLastTagged`)'),
    pullAccounts: described(
      z.optional(grantList(accountId, 100, 'accounts', limited)),
      'accounts allowed to pull (and to pull first); at most 100',
    ),
    pullOrganizations: described(
      z.optional(grantList(organizationId, 20, 'organizations', limited)),
      'AWS Organizations IDs allowed to pull, through an `aws:PrincipalOrgID` condition; at most 20',
    ),
    pullOrganizationalUnits: described(
      z.optional(grantList(organizationalUnitPath, 50, 'organizational units', limited)),
      'OU paths as `aws:PrincipalOrgPaths` writes them (`o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`): accounts of the OU and of every OU under it may pull; at most 50',
    ),
    tags: described(
      z.optional(tagMap),
      "repository tags (at most 48: ECR allows 50 and ptc-autopilot uses 2); an override's tags merge key by key into the base tags",
    ),
    scanOnPush: described(z.optional(z.boolean({ error: 'must be true or false' })), 'scan images on push; unset: true'),
    imageTagMutability: described(
      z.optional(z.enum(IMAGE_TAG_MUTABILITIES, { error: `must be one of ${IMAGE_TAG_MUTABILITIES.map((v) => `"${v}"`).join(', ')}` })),
      'tag mutability of the repositories; unset: MUTABLE. The `*_WITH_EXCLUSION` values need `imageTagMutabilityExclusionFilters` (docs/reconciler.md, "Tag mutability and the 24-hour refresh")',
    ),
    imageTagMutabilityExclusionFilters: described(
      z.optional(
        z
          .array(exclusionFilter)
          .check(
            z.minLength(1, { error: 'at least 1 pattern' }),
            z.maxLength(MAX_EXCLUSION_FILTERS, { error: `at most ${MAX_EXCLUSION_FILTERS} patterns (ECR's limit)` }),
          ),
      ),
      `tag patterns (\`*\` wildcard; letters, digits, \`.\`, \`_\`, \`-\`; 1 to 128 characters; 1 to ${MAX_EXCLUSION_FILTERS} patterns) excepted from \`imageTagMutability\`; only with \`IMMUTABLE_WITH_EXCLUSION\` or \`MUTABLE_WITH_EXCLUSION\`, and then required`,
    ),
    encryption: described(z.optional(encryption), 'encryption of new repositories; unset: AES256'),
    eviction: described(z.optional(evictionSchema), 'evict images nobody pulled (docs/eviction.md); absent: nothing is evicted'),
  };
}

/** ECR's tag mutability settings (`ImageTagMutability` in the API and in CloudFormation). */
export const IMAGE_TAG_MUTABILITIES = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'] as const;

/** The most exclusion filters ECR takes (`ImageTagMutabilityExclusionFilters`, `maxItems` 5 in the CloudFormation schema). */
export const MAX_EXCLUSION_FILTERS = 5;

/**
 * One `WILDCARD` exclusion filter: ECR's pattern `^[0-9a-zA-Z._*-]{1,128}$`
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html).
 */
const exclusionFilter = z
  .string({ error: 'must be a tag pattern such as "latest" or "dev-*"' })
  .check(
    z.minLength(1, { error: 'must not be empty' }),
    z.maxLength(128, { error: (issue) => `at most 128 characters, got ${String((issue.input as string).length)}` }),
    z.regex(/^[0-9a-zA-Z._*-]*$/, { error: 'may contain only letters, digits, ".", "_", "-" and the wildcard "*"' }),
  );

/**
 * `imageTagMutabilityExclusionFilters` goes with a `*_WITH_EXCLUSION` value of `imageTagMutability`
 * in the same block, and such a value needs it: ECR refuses the one without the other.
 */
const exclusionPairCheck = z.superRefine<{
  imageTagMutability?: string | undefined;
  imageTagMutabilityExclusionFilters?: string[] | undefined;
}>((value, ctx) => {
  const withExclusion = value.imageTagMutability?.endsWith('_WITH_EXCLUSION') === true;
  if (withExclusion && value.imageTagMutabilityExclusionFilters === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['imageTagMutabilityExclusionFilters'],
      message: `required with imageTagMutability "${value.imageTagMutability}": the tag patterns excepted from it`,
    });
  }
  if (!withExclusion && value.imageTagMutabilityExclusionFilters !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['imageTagMutabilityExclusionFilters'],
      message: `goes with imageTagMutability "IMMUTABLE_WITH_EXCLUSION" or "MUTABLE_WITH_EXCLUSION" (in the same block), not ${value.imageTagMutability === undefined ? 'an unset one' : `"${value.imageTagMutability}"`}`,
    });
  }
});

/** ECR allows 50 tags per repository; ptc-autopilot keeps two for its own marker tags. */
export const MAX_CONFIG_TAGS = 48;

const tagCountCheck = z.superRefine<{ tags?: Record<string, string> | undefined }>((value, ctx) => {
  if (value.tags !== undefined && Object.keys(value.tags).length > MAX_CONFIG_TAGS) {
    ctx.addIssue({
      code: 'custom',
      path: ['tags'],
      message: `at most ${MAX_CONFIG_TAGS} tags (ECR allows 50 and ptc-autopilot uses 2), got ${Object.keys(value.tags).length}`,
    });
  }
});

/**
 * The `repositories` block and its override, with the config's limits on grant lists (`limited`) or,
 * for the reconciler's payload, without. A factory, so each side constructs only its own variant.
 */
export function repositoriesBlock(limited: boolean) {
  const override = strictObject({
    prefix: described(z.string(), 'the rule or `copies` prefix whose repositories this override applies to'),
    ...repositorySettingsShape(limited),
  }).check(tagCountCheck, exclusionPairCheck);
  const block = strictObject({
    ...repositorySettingsShape(limited),
    // One override per rule at most, so never more than there can be rules.
    overrides: described(
      z.optional(z.array(override).check(z.maxLength(MAX_RULES, { error: `at most ${MAX_RULES} overrides, one per rule` }))),
      'per-prefix settings: `{ prefix, ...any of the keys above }`; lifecycle and tags merge key by key, the other keys replace',
    ),
  }).check(tagCountCheck, exclusionPairCheck);
  return { override, block };
}
