/**
 * The configuration schema's shape: one YAML file describes every cache of an account.
 *
 * This module holds shapes and the types inferred from them, nothing that reads one part of the
 * config against another: every domain module imports its types from here, and the cross-field
 * checks (`./validate`, which may import any domain module) sit on top. Parsed once at the edge
 * (`parseConfig`), then every part of ptc-autopilot works on the typed `PtcConfig`. Errors name the
 * field path (`rules[1].upstream`).
 */
import { z } from 'zod';
import { accountId, kmsKeyArn, region, roleArn, strictObject } from './fields';
import { rule } from './shape/rule';
import { MAX_RULES, override, repositories } from './shape/repositories';
import { environment, mirror, prewarm, reconciler, replication, scanning, validation } from './shape/blocks';
import { consumersSchema } from '../consumers/schema';

export { MAX_RULES } from './shape/repositories';

/** The shape of the configuration file, each field checked on its own; `configSchema` (`./validate`) adds the checks across fields. */
export const configShape = strictObject({
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
});

/** The parsed, typed configuration. Defaults are filled in. */
export type PtcConfig = z.output<typeof configShape>;
/** One pull through cache rule of the configuration. */
export type RuleConfig = PtcConfig['rules'][number];
/** Repository settings: the base block or one override. */
export type RepositorySettingsConfig = z.output<typeof repositories>;
/** A per-prefix override of the repository settings. */
export type OverrideConfig = z.output<typeof override>;
/** One deployment target. */
export type EnvironmentConfig = z.output<typeof environment>;
