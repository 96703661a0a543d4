/**
 * The shape of a pull through cache rule (`rules[]`): its upstream, credentials and the keys only
 * some upstreams take. Checks within one rule live here; checks across rules sit in `../validate`.
 */
import { z } from 'zod';
import { UPSTREAM_NAMES, UPSTREAMS, isUpstreamName, suggestName, type UpstreamName } from '../../upstreams';
import { accountId, region, repositoryPrefix, roleArn, secretArn, secretName, strictObject } from '../fields';
import { quote } from '../../quote';

const upstreamName = z.string({ error: `must be one of: ${UPSTREAM_NAMES.join(', ')}` }).transform((value, ctx) => {
  if (isUpstreamName(value)) return value as UpstreamName;
  const hint = suggestName(value, UPSTREAM_NAMES);
  ctx.addIssue({
    code: 'custom',
    message:
      hint === undefined
        ? `${quote(value)} is not a known upstream; use one of: ${UPSTREAM_NAMES.join(', ')}`
        : `${quote(value)} is not a known upstream; did you mean ${quote(hint)}?`,
  });
  return z.NEVER;
});

const credentials = strictObject({
  /** Name of the Secrets Manager secret; created with a placeholder value when absent. */
  secretName: secretName.optional(),
  /** ARN of an existing secret to use instead of creating one. */
  secretArn: secretArn.optional(),
}).superRefine((value, ctx) => {
  const given = [value.secretName, value.secretArn].filter((v) => v !== undefined).length;
  if (given !== 1) {
    ctx.addIssue({ code: 'custom', message: 'give exactly one of "secretName" (created for you) or "secretArn" (an existing secret)' });
  }
});

/** One pull through cache rule. */
export const rule = strictObject({
  prefix: repositoryPrefix,
  upstream: upstreamName,
  credentials: credentials.optional(),
  /** Azure Container Registry: the registry host, such as `myregistry.azurecr.io`. */
  registryUrl: z.string().optional(),
  /** ECR upstream: the account that owns the upstream registry. */
  upstreamAccount: accountId.optional(),
  /** ECR upstream: the region of the upstream registry. */
  upstreamRegion: region.optional(),
  /** ECR upstream: the IAM role ECR assumes to read the upstream registry. */
  customRoleArn: roleArn.optional(),
  /** ECR upstream: only upstream repositories under this prefix are cached. */
  upstreamRepositoryPrefix: z.string().optional(),
}).superRefine((value, ctx) => {
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
      ctx.addIssue({ code: 'custom', path: ['registryUrl'], message: 'Azure Container Registry needs "registryUrl", such as "myregistry.azurecr.io"' });
    } else if (!/^[a-z0-9]{5,50}\.azurecr\.io$/.test(value.registryUrl)) {
      ctx.addIssue({ code: 'custom', path: ['registryUrl'], message: `${quote(value.registryUrl)} is not an Azure Container Registry host such as "myregistry.azurecr.io"` });
    }
  } else if (value.registryUrl !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['registryUrl'], message: `"registryUrl" is only for azure-container-registry; the URL of ${info.displayName} is known` });
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
        ctx.addIssue({ code: 'custom', path: ['upstreamRepositoryPrefix'], message: parsed.error.issues[0]?.message ?? 'invalid prefix' });
      }
    }
  } else {
    for (const key of ecrOnly) {
      if (value[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is only for the "ecr" upstream` });
      }
    }
  }
});
