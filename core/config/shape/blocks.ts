/**
 * The shapes of the config's smaller blocks: prewarm, validation, reconciler, replication,
 * scanning, mirror and environments.
 */
import { z } from 'zod';
import { accountId, boundedInt, kmsKeyArn, region, scheduleExpression, strictObject } from '../fields';
import { runsAtLeastDaily } from '../cron';
import { quote } from '../../quote';

const s3Location = strictObject({ bucket: z.string().min(3).max(63), key: z.string().min(1) });

/** The `prewarm` block. */
export const prewarm = strictObject({
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

/** The `validation` block. */
export const validation = strictObject({
  // The rule alarms treat a day without a validation result as a failure (infra/constructs/rule-validation.ts).
  schedule: scheduleExpression
    .refine(runsAtLeastDaily, {
      error: (i) => `${quote(String(i.input), 60)} runs less than once a day; the rule alarms treat a day without a validation result as a failure, so validate at least daily (at most "rate(1 day)", or a cron expression with "*" or "?" in day-of-month, month, day-of-week and year)`,
    })
    .default('rate(1 hour)'),
  alarmEmail: z.email({ error: (i) => `${quote(String(i.input))} is not an email address` }).optional(),
});

/** The `reconciler` block. */
export const reconciler = strictObject({
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

/** The `replication` block. */
export const replication = strictObject({
  destinations: z.array(replicationDestination).default([]),
  /** Source accounts whose registries may replicate into this config's registries (registry policy). */
  acceptFrom: z.array(accountId).optional(),
});

/** The `scanning` block. */
export const scanning = strictObject({
  type: z.enum(['BASIC', 'ENHANCED'], { error: 'must be "BASIC" or "ENHANCED"' }),
  frequency: z.enum(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL'], { error: 'must be "SCAN_ON_PUSH", "CONTINUOUS_SCAN" or "MANUAL"' }),
});

/** The `mirror` block. */
export const mirror = strictObject({
  /**
   * Mirror mode (`ptc node-config`): nodes try the upstream when the cache fails. Off by
   * default: on a miss containerd hands the node's ECR token to the upstream's token realm
   * (docs/mirror-mode.md). The section's presence tells `ptc audit` that nodes mirror.
   */
  fallback: z.boolean({ error: 'must be true or false' }).default(false),
});

/** The `environment` block. */
export const environment = strictObject({
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
