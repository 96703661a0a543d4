/**
 * The shape of a pull through cache rule (`rules[]`): its upstream, credentials and the keys only
 * some upstreams take. Checks within one rule live here; checks across rules sit in `../validate`.
 */
import * as z from 'zod/mini';
import { UPSTREAM_NAMES, UPSTREAMS, isUpstreamName, suggestName } from '../../upstreams';
import { accountId, described, region, repositoryPrefix, roleArn, secretArn, secretName, strictObject } from '../fields';
import { quote } from '../../quote';

/**
 * ECR's quota "Pull through cache rules per registry": 50 in each supported Region, not adjustable
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html).
 */
export const MAX_RULES = 50;

/** The most `seeds` one rule lists: each is an image (an index: one per platform too) the seed lifecycle rule keeps. */
export const MAX_SEEDS = 500;

const upstreamName = z
  .pipe(
    z.string({ error: `must be one of: ${UPSTREAM_NAMES.join(', ')}` }),
    z.transform((value, ctx) => {
      if (isUpstreamName(value)) return value;
      const hint = suggestName(value, UPSTREAM_NAMES);
      ctx.issues.push({
        code: 'custom',
        input: value,
        message:
          hint === undefined
            ? `${quote(value)} is not a known upstream; use one of: ${UPSTREAM_NAMES.join(', ')}`
            : `${quote(value)} is not a known upstream; did you mean ${quote(hint)}?`,
      });
      return z.NEVER;
    }),
  )
  .check(z.meta({ enum: [...UPSTREAM_NAMES] }));

const credentials = strictObject({
  secretName: described(
    z.optional(secretName),
    'name of a Secrets Manager secret (`ecr-pullthroughcache/<name>`) that the stack creates with a placeholder value',
  ),
  secretArn: described(
    z.optional(secretArn),
    'complete ARN of an existing `ecr-pullthroughcache/...` secret, in the account and Region of every stack that uses it',
  ),
}).check(
  z.superRefine((value, ctx) => {
    const given = [value.secretName, value.secretArn].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "secretName" (created for you) or "secretArn" (an existing secret)' });
    }
  }),
);

/** One pull through cache rule. */
export const rule = strictObject({
  prefix: described(
    z.clone(repositoryPrefix),
    "the cache's repository prefix (`ecrRepositoryPrefix`): 2 to 30 characters, ECR's pattern less `ROOT` and a trailing `/`",
  ),
  upstream: described(upstreamName, "the upstream registry, as the ECR API's `UpstreamRegistry` value"),
  credentials: described(
    z.optional(credentials),
    'upstream credentials: exactly one of `secretName` or `secretArn`; required by the upstreams that take a secret',
  ),
  registryUrl: described(z.optional(z.string()), 'azure-container-registry only: the registry host, such as `myregistry.azurecr.io`'),
  upstreamAccount: described(z.optional(accountId), 'ecr upstream only: the account that owns the upstream registry'),
  upstreamRegion: described(z.optional(region), 'ecr upstream only: the Region of the upstream registry'),
  customRoleArn: described(z.optional(roleArn), 'ecr upstream only: the IAM role ECR assumes to read the upstream registry'),
  upstreamRepositoryPrefix: described(z.optional(z.string()), 'ecr upstream only: only upstream repositories under this prefix are cached'),
  seeds: described(
    z.optional(
      z
        .array(z.string({ error: 'must be a digest-pinned image reference such as "nginx@sha256:..."' }))
        .check(z.maxLength(MAX_SEEDS, { error: `at most ${MAX_SEEDS} seeds per rule` })),
    ),
    'digest-pinned images of this rule\'s upstream (`name@sha256:...`, `name:tag@sha256:...`) that `ptc copy` seeds into the cache repository, which the pull-through cache cannot fetch by digest; each keeps a `ptc-seed-<hex>` tag that a lifecycle rule never expires (docs/copy.md, "Seeding pinned digests")',
  ),
}).check(
  z.superRefine((value, ctx) => {
    if (!isUpstreamName(value.upstream)) return;
    const info = UPSTREAMS[value.upstream];
    if (info.auth === 'secret' && value.credentials === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['credentials'],
        message: `${info.displayName} requires credentials: add "credentials: { secretName: ecr-pullthroughcache/${value.prefix} }"`,
      });
    }
    if (info.auth !== 'secret' && value.credentials !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['credentials'],
        message:
          info.auth === 'iam-role'
            ? `${info.displayName} authenticates with an IAM role ("customRoleArn"), not a secret`
            : `${info.displayName} does not take credentials; remove "credentials"`,
      });
    }
    if (value.upstream === 'azure-container-registry') {
      if (value.registryUrl === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['registryUrl'],
          message: 'Azure Container Registry needs "registryUrl", such as "myregistry.azurecr.io"',
        });
      } else if (!/^[a-z0-9]{5,50}\.azurecr\.io$/.test(value.registryUrl)) {
        ctx.addIssue({
          code: 'custom',
          path: ['registryUrl'],
          message: `${quote(value.registryUrl)} is not an Azure Container Registry host such as "myregistry.azurecr.io"`,
        });
      }
    } else if (value.registryUrl !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['registryUrl'],
        message: `"registryUrl" is only for azure-container-registry; the URL of ${info.displayName} is known`,
      });
    }
    const ecrOnly = ['upstreamAccount', 'upstreamRegion', 'customRoleArn', 'upstreamRepositoryPrefix'] as const;
    if (value.upstream === 'ecr') {
      for (const key of ['upstreamAccount', 'upstreamRegion', 'customRoleArn'] as const) {
        if (value[key] === undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: `an "ecr" upstream needs "${key}"` });
        }
      }
      const upstreamPrefix = value.upstreamRepositoryPrefix;
      if (upstreamPrefix !== undefined && upstreamPrefix !== 'ROOT') {
        const parsed = repositoryPrefix.safeParse(upstreamPrefix);
        if (!parsed.success) {
          ctx.addIssue({
            code: 'custom',
            path: ['upstreamRepositoryPrefix'],
            message: parsed.error.issues[0]?.message ?? 'invalid prefix',
          });
        }
      }
    } else {
      for (const key of ecrOnly) {
        if (value[key] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is only for the "ecr" upstream` });
        }
      }
    }
  }),
);

/** The `rules` list: one rule per upstream prefix, at most ECR's quota. */
export const rules = described(
  z.array(rule).check(
    z.minLength(1, { error: 'list at least one rule' }),
    z.maxLength(MAX_RULES, {
      error: (i) =>
        `at most ${MAX_RULES} rules: ECR allows ${MAX_RULES} pull through cache rules per registry, a quota it does not raise; got ${(i.input as unknown[]).length}`,
    }),
  ),
  "one pull through cache rule each; at least one, at most 50 (ECR's quota per registry)",
);
