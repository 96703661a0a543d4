/**
 * The configuration schema: one YAML file describes every cache of an account.
 *
 * Parsed once at the edge (`parseConfig`), then every part of ptc-autopilot works on the typed
 * `PtcConfig`. Errors name the field path (`rules[1].upstream`).
 */
import { z } from 'zod';
import { UPSTREAM_NAMES, UPSTREAMS, isUpstreamName, suggestName, type UpstreamName } from '../upstreams';
import {
  accountId,
  boundedInt,
  kmsKeyArn,
  organizationId,
  region,
  repositoryPrefix,
  roleArn,
  scheduleExpression,
  secretArn,
  secretName,
  strictObject,
  tagMap,
} from './fields';
import { registrySettingsIssues } from '../registry-settings/limits';
import { prewarmKeyIssues } from '../policy/prewarm-key';
import { kmsKeyIssues } from './kms-keys';
import { deployRegionProblem } from '../regions';
import { runsAtLeastDaily } from './cron';
import { quote } from '../quote';
import { prewarmImageIssues } from './prewarm-images';
import { deployLimitIssues } from './deploy-limits';
import { replicaIssues } from './replication-templates';
import { organizationalUnitPathProblem } from '../policy/pull-principals';

/** An OU path such as `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/` (trailing slash optional), checked against the AWS Organizations ID patterns. */
const organizationalUnitPath = z.string({ error: 'must be an OU path such as "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"' }).superRefine((value, ctx) => {
  const problem = organizationalUnitPathProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
import { consumersSchema } from '../consumers/schema';
import { consumerIssues } from '../consumers/validate';
import { archiveLifecycleShape, evictionIssues, evictionSchema } from './eviction-schema';

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

const rule = strictObject({
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

const lifecycle = strictObject({
  /** Days after which untagged images expire. */
  untaggedExpireDays: boundedInt(1, 3650).optional(),
  /** How many tagged images to keep; older ones expire. */
  keepLastTagged: boundedInt(1, 10000).optional(),
  ...archiveLifecycleShape,
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
  eviction: evictionSchema.optional(),
};

/**
 * ECR's quota "Pull through cache rules per registry": 50 in each supported Region, not adjustable
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html).
 */
export const MAX_RULES = 50;

/** ECR allows 50 tags per repository; ptc-autopilot keeps two for its own marker tags. */
const MAX_CONFIG_TAGS = 48;

const tagCountCheck = (value: { tags?: Record<string, string> | undefined }, ctx: z.RefinementCtx) => {
  if (value.tags !== undefined && Object.keys(value.tags).length > MAX_CONFIG_TAGS) {
    ctx.addIssue({ code: 'custom', path: ['tags'], message: `at most ${MAX_CONFIG_TAGS} tags (ECR allows 50 and ptc-autopilot uses 2), got ${Object.keys(value.tags).length}` });
  }
};

const override = strictObject({ prefix: z.string(), ...repositorySettingsShape }).superRefine(tagCountCheck);

const repositories = strictObject({
  ...repositorySettingsShape,
  // One override per rule at most, so never more than there can be rules.
  overrides: z.array(override).max(MAX_RULES, { error: `at most ${MAX_RULES} overrides, one per rule` }).optional(),
}).superRefine(tagCountCheck);

const s3Location = strictObject({ bucket: z.string().min(3).max(63), key: z.string().min(1) });

const prewarm = strictObject({
  schedule: scheduleExpression.default('rate(12 hours)'),
  images: z.array(z.string()).default([]),
  /** Extra images read at run time, so the list changes without a deploy. */
  manifest: strictObject({
    s3: s3Location.optional(),
    ssmParameter: z.string().regex(/^\/?[a-zA-Z0-9_.\-/]+$/, { error: 'must be an SSM parameter name such as "/ptc/prewarm-images"' }).optional(),
    /** Customer managed key of the SecureString parameter and/or the SSE-KMS object (prewarm gets kms:Decrypt on it). */
    kmsKeyArn: kmsKeyArn.optional(),
  }).optional(),
  platforms: z
    .array(z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, { error: (i) => `${quote(String(i.input))} is not a platform such as "linux/amd64"` }))
    .min(1)
    .default(['linux/amd64', 'linux/arm64']),
  concurrency: boundedInt(1, 64).default(8),
});

const validation = strictObject({
  // The rule alarms treat a day without a validation result as a failure (infra/constructs/rule-validation.ts).
  schedule: scheduleExpression
    .refine(runsAtLeastDaily, {
      error: (i) => `${quote(String(i.input), 60)} runs less than once a day; the rule alarms treat a day without a validation result as a failure, so validate at least daily (at most "rate(1 day)", or a cron expression with "*" or "?" in day-of-month, month, day-of-week and year)`,
    })
    .default('rate(1 hour)'),
  alarmEmail: z.email({ error: (i) => `${quote(String(i.input))} is not an email address` }).optional(),
});

const reconciler = strictObject({
  /** How often every managed repository is checked for drift. */
  sweepSchedule: scheduleExpression.default('rate(1 day)'),
  /** How many repositories the sweep configures at once. */
  concurrency: boundedInt(1, 50).default(8),
});

const replicationDestination = strictObject({
  region,
  account: accountId.optional(),
  /** Only these rule prefixes replicate to this destination. @default every rule prefix */
  prefixes: z.array(z.string()).min(1, { error: 'list at least one prefix, or remove the key' }).optional(),
  /**
   * Whether this config gives the destination its creation templates when no environment deploys it
   * (a `PtcAutopilot-replica-<account>-<region>` stack, core/config/replication-templates.ts).
   * `false` when that registry is managed elsewhere. @default true
   */
  templates: z.boolean({ error: 'must be true or false' }).optional(),
  /** The destination's own KMS key for the replicated repositories (a key serves only its own account and Region). */
  kmsKeyArn: kmsKeyArn.optional(),
});

const replication = strictObject({
  destinations: z.array(replicationDestination).default([]),
  /** Source accounts whose registries may replicate into this config's registries (registry policy). */
  acceptFrom: z.array(accountId).optional(),
});

const scanning = strictObject({
  type: z.enum(['BASIC', 'ENHANCED'], { error: 'must be "BASIC" or "ENHANCED"' }),
  frequency: z.enum(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL'], { error: 'must be "SCAN_ON_PUSH", "CONTINUOUS_SCAN" or "MANUAL"' }),
});

const mirror = strictObject({
  /**
   * Mirror mode (`ptc node-config`): nodes try the upstream when the cache fails. Off by
   * default: on a miss containerd hands the node's ECR token to the upstream's token realm
   * (docs/mirror-mode.md). The section's presence tells `ptc audit` that nodes mirror.
   */
  fallback: z.boolean({ error: 'must be true or false' }).default(false),
});

const environment = strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, {
    error: (i) => `${quote(String(i.input))} must start with a letter and hold only letters, digits and "-" (it names a stack)`,
  }),
  account: accountId,
  region,
  /** This stack's key for every KMS-encrypted repository, replacing the config-wide `kmsKeyArn`s here. */
  kmsKeyArn: kmsKeyArn.optional(),
  /** This stack's key for the created credential secrets, replacing the top-level `secretsKmsKeyArn` here. */
  secretsKmsKeyArn: kmsKeyArn.optional(),
});

/** The raw shape of the configuration file. */
type ConfigBeforeChecks = {
  account?: string | undefined;
  region?: string | undefined;
  environments?: readonly { account: string; region: string }[] | undefined;
  rules: readonly { prefix: string; credentials?: { secretName?: string | undefined; secretArn?: string | undefined } | undefined }[];
  repositories: { tags?: Record<string, string> | undefined; overrides?: readonly { prefix: string; tags?: Record<string, string> | undefined }[] | undefined };
};

/**
 * Secrets CloudFormation and ECR can use: one secret per name (two rules cannot create the same
 * secret), and an imported secret in the account and Region of every stack that uses it (ECR
 * requires the secret beside the rule).
 */
function credentialIssues(config: ConfigBeforeChecks, ctx: z.RefinementCtx): void {
  const named = new Map<string, number>();
  const places = config.environments?.map((e) => ({ account: e.account, region: e.region })) ??
    (config.account !== undefined && config.region !== undefined ? [{ account: config.account, region: config.region }] : []);
  config.rules.forEach((rule, index) => {
    const name = rule.credentials?.secretName;
    if (name !== undefined) {
      const first = named.get(name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['rules', index, 'credentials', 'secretName'], message: `${quote(name)} is already the secret of rules[${first}]; give each rule its own secret, or import the shared one with secretArn` });
      } else {
        named.set(name, index);
      }
    }
    const arn = rule.credentials?.secretArn;
    if (arn !== undefined && /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:/.test(arn)) {
      const [, , , region, account] = arn.split(':');
      const elsewhere = places.find((p) => p.account !== account || p.region !== region);
      if (elsewhere !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'credentials', 'secretArn'],
          message: `the secret is in account ${account}, ${region} but the rule deploys to ${elsewhere.account}, ${elsewhere.region}; ECR needs the secret in the rule's account and Region (use secretName to create one per environment)`,
        });
      }
    }
  });
}

/** ECR's 50-tag limit on what a repository actually gets: the base tags merged with its override. */
function mergedTagIssues(config: ConfigBeforeChecks, ctx: z.RefinementCtx): void {
  const base = config.repositories.tags ?? {};
  config.repositories.overrides?.forEach((o, index) => {
    const count = Object.keys({ ...base, ...o.tags }).length;
    if (o.tags !== undefined && count > MAX_CONFIG_TAGS) {
      ctx.addIssue({ code: 'custom', path: ['repositories', 'overrides', index, 'tags'], message: `repositories under ${quote(o.prefix)} would get ${count} tags with the base tags merged in; at most ${MAX_CONFIG_TAGS} (ECR allows 50 and ptc-autopilot uses 2)` });
    }
  });
}

export const configSchema = strictObject({
  account: accountId.optional(),
  region: region.optional(),
  rules: z
    .array(rule)
    .min(1, { error: 'list at least one rule' })
    .max(MAX_RULES, { error: (i) => `at most ${MAX_RULES} rules: ECR allows ${MAX_RULES} pull through cache rules per registry, a quota it does not raise; got ${(i.input as unknown[]).length}` }),
  repositories: repositories.default({}),
  prewarm: prewarm.default({ schedule: 'rate(12 hours)', images: [], platforms: ['linux/amd64', 'linux/arm64'], concurrency: 8 }),
  validation: validation.default({ schedule: 'rate(1 hour)' }),
  reconciler: reconciler.default({ sweepSchedule: 'rate(1 day)', concurrency: 8 }),
  /** Node (EC2/EKS/ECS) roles that get the managed node policy attached. */
  nodeRoleArns: z.array(roleArn).default([]),
  /** Customer managed KMS key for the credential secrets. */
  secretsKmsKeyArn: kmsKeyArn.optional(),
  replication: replication.optional(),
  scanning: scanning.optional(),
  mirror: mirror.optional(),
  environments: z.array(environment).min(1, { error: 'list at least one environment, or remove the key' }).optional(),
  /** Other accounts (listed, or whole OUs by StackSet) whose nodes pull through this config's cache (core/consumers). */
  consumers: consumersSchema.optional(),
}).superRefine((config, ctx) => {
  const seen = new Map<string, number>();
  config.rules.forEach((r, index) => {
    const first = seen.get(r.prefix);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['rules', index, 'prefix'], message: `duplicate prefix ${quote(r.prefix)} (already used by rules[${first}])` });
    } else {
      seen.set(r.prefix, index);
    }
  });
  // Each prefix's ancestors (a, a/b for a/b/c) looked up by name: linear in the rules, never rule against rule.
  config.rules.forEach((r, index) => {
    const parts = r.prefix.split('/');
    for (let n = 1; n < parts.length; n++) {
      const other = parts.slice(0, n).join('/');
      const otherIndex = seen.get(other);
      if (otherIndex !== undefined && otherIndex !== index) {
        ctx.addIssue({ code: 'custom', path: ['rules', index, 'prefix'], message: `prefix ${quote(r.prefix)} lies inside the namespace of rules[${otherIndex}] ("${other}/")` });
      }
    }
  });
  const prefixes = [...seen.keys()];
  const overridden = new Map<string, number>();
  config.repositories.overrides?.forEach((o, index) => {
    if (!seen.has(o.prefix)) {
      const hint = suggestName(o.prefix, prefixes);
      ctx.addIssue({
        code: 'custom',
        path: ['repositories', 'overrides', index, 'prefix'],
        message: `no rule has prefix ${quote(o.prefix)}${hint === undefined ? `; rule prefixes are: ${prefixes.join(', ')}` : `; did you mean ${quote(hint)}?`}`,
      });
    }
    const first = overridden.get(o.prefix);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['repositories', 'overrides', index, 'prefix'], message: `prefix ${quote(o.prefix)} already has an override at repositories.overrides[${first}]` });
    } else {
      overridden.set(o.prefix, index);
    }
  });
  if (config.environments === undefined) {
    if (config.account === undefined) ctx.addIssue({ code: 'custom', path: ['account'], message: 'required (or list "environments")' });
    if (config.region === undefined) ctx.addIssue({ code: 'custom', path: ['region'], message: 'required (or list "environments")' });
  } else {
    // Top-level account/region beside environments pick the CLI's default registry: it must be one that a stack deploys.
    const envs = config.environments;
    const listed = envs.map((e) => `${e.name}: ${e.account}/${e.region}`).join(', ');
    if (config.account !== undefined && !envs.some((e) => e.account === config.account && (config.region === undefined || e.region === config.region))) {
      ctx.addIssue({ code: 'custom', path: ['account'], message: `${config.account}${config.region ? ` in ${config.region}` : ''} is none of the environments (${listed}); make it one of them, or remove it` });
    } else if (config.region !== undefined && !envs.some((e) => e.region === config.region && (config.account === undefined || e.account === config.account))) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: `${config.region} is none of the environments' regions (${listed}); make it one of them, or remove it` });
    }
    const names = new Set<string>();
    const targets = new Set<string>();
    config.environments.forEach((env, index) => {
      if (names.has(env.name)) ctx.addIssue({ code: 'custom', path: ['environments', index, 'name'], message: `duplicate environment name ${quote(env.name)}` });
      names.add(env.name);
      const target = `${env.account}/${env.region}`;
      if (targets.has(target)) ctx.addIssue({ code: 'custom', path: ['environments', index], message: `account ${env.account} in ${env.region} is already listed; one stack per account and region` });
      targets.add(target);
    });
  }
  // Partitions and Regions where the stack's resource types exist (core/regions).
  const deployRegions = config.environments?.map((e, i) => ({ path: ['environments', i, 'region'], name: `environment "${e.name}": `, region: e.region })) ??
    (config.region !== undefined ? [{ path: ['region'], name: '', region: config.region }] : []);
  for (const { path, name, region } of deployRegions) {
    const problem = deployRegionProblem(region);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path, message: `${name}${problem}` });
  }
  credentialIssues(config, ctx);
  mergedTagIssues(config, ctx);
  for (const issue of kmsKeyIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of prewarmImageIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of deployLimitIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of registrySettingsIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of prewarmKeyIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of replicaIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of consumerIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of evictionIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  if (config.replication !== undefined) {
    config.replication.destinations.forEach((d, index) => {
      const envRegions = config.environments?.map((e) => e.region) ?? (config.region ? [config.region] : []);
      if (d.account === undefined && envRegions.length === 1 && envRegions[0] === d.region) {
        ctx.addIssue({ code: 'custom', path: ['replication', 'destinations', index, 'region'], message: `${quote(d.region)} is the source region; replicate to another region or account` });
      }
    });
  }
});

/** The parsed, typed configuration. Defaults are filled in. */
export type PtcConfig = z.output<typeof configSchema>;
/** One pull through cache rule of the configuration. */
export type RuleConfig = PtcConfig['rules'][number];
/** Repository settings: the base block or one override. */
export type RepositorySettingsConfig = z.output<typeof repositories>;
/** A per-prefix override of the repository settings. */
export type OverrideConfig = z.output<typeof override>;
/** One deployment target. */
export type EnvironmentConfig = z.output<typeof environment>;
