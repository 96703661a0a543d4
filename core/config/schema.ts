/**
 * The configuration schema's shape: one YAML file describes every cache of an account.
 *
 * This module holds shapes and the types inferred from them, nothing that reads one part of the
 * config against another: every domain module imports its types from here, and the cross-field
 * checks (`./validate`, which may import any domain module) sit on top. Parsed once at the edge
 * (`parseConfig`), then every part of ptc-autopilot works on the typed `PtcConfig`. Errors name the
 * field path (`rules[1].upstream`).
 */
import * as z from 'zod/mini';
import { accountId, described, kmsKeyArn, region, roleArn, strictObject } from './fields';
import { rules } from './shape/rule';
import { repositoriesBlock } from './shape/repositories';
import { environment, mirror, replication, scanning, validation } from './shape/blocks';
import { prewarm } from './shape/prewarm';
import { reconciler } from './shape/reconciler';
import { consumersSchema } from '../consumers/schema';
import { copiesSchema } from './copies-schema';

export { MAX_RULES } from './shape/rule';
export { MAX_CONFIG_TAGS } from './shape/repositories';

/** The `repositories` block as the config file writes it, and one of its overrides. */
const { block: repositories } = repositoriesBlock(true);

/**
 * The shape of the configuration file, each field checked on its own; `configSchema` (`./validate`)
 * adds the checks across fields. Written with `zod/mini`, so the Lambdas' payload checks, composed
 * from the same pieces, bundle small.
 */
export const configShape = strictObject({
  account: described(z.optional(accountId), 'target account (12 digits, quoted); required unless `environments` is given'),
  region: described(z.optional(region), 'target Region; required unless `environments` is given'),
  rules,
  repositories: described(z._default(repositories, {}), 'desired state of every repository under a managed prefix'),
  prewarm: described(
    z._default(prewarm, { schedule: 'rate(12 hours)', images: [], platforms: ['linux/amd64', 'linux/arm64'], concurrency: 8 }),
    'images pulled through the cache on a schedule, so a cold cache never meets an outage',
  ),
  validation: described(z._default(validation, { schedule: 'rate(1 hour)' }), 'scheduled validation of every rule, with alarms'),
  reconciler: described(
    z._default(reconciler, { sweepSchedule: 'rate(1 day)', concurrency: 8 }),
    'the reconciler that keeps every cached repository in its desired state',
  ),
  nodeRoleArns: described(
    z._default(z.array(roleArn), []),
    "node roles (EC2/EKS/ECS) the node policy is attached to (it is also exported as `<stack>-NodePolicyArn`). Each role gets one ptc-autopilot managed policy (IAM allows 10 per role by default): the first environment of the role's account attaches its policy, which covers every Region of that account (destroying that stack detaches it from the roles); `ptc plan` says which",
  ),
  secretsKmsKeyArn: described(
    z.optional(kmsKeyArn),
    'customer managed KMS key for the created secrets: a key ARN (`arn:...:kms:<region>:<account>:key/<id>`), never an alias ARN, since IAM statements identify a key only by its key ARN ([KMS keys in IAM policy statements](https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html)); ECR cannot read the secrets until the key policy lets its service-linked role decrypt (see [A customer managed key for the secrets](#a-customer-managed-key-for-the-secrets)). Unset: the AWS managed key `aws/secretsmanager`',
  ),
  replication: described(z.optional(replication), 'registry replication of the cache repositories, and sources allowed to replicate in'),
  scanning: described(
    z.optional(scanning),
    "registry scanning filtered to the managed prefixes, merged into the registry's own configuration",
  ),
  mirror: described(
    z.optional(mirror),
    'mirror mode for nodes; its presence also makes `ptc audit` count mirrored hosts as through the cache',
  ),
  environments: described(
    z.optional(z.array(environment).check(z.minLength(1, { error: 'list at least one environment, or remove the key' }))),
    'one stack per entry, named `PtcAutopilot-<name>`; unset: one stack from `account`/`region`, named `PtcAutopilot`',
  ),
  consumers: described(
    z.optional(consumersSchema),
    "other accounts whose nodes pull (and first-pull) through this config's cache: a list `[{ name, account, regions?, nodeRoleArns?, environment? }]` and/or a block `{ organizationalUnits, regions, nodeRoleNames?, delegatedAdminAccount?, name?, environment?, accounts? }` (docs/organization.md)",
  ),
  copies: described(
    z._default(copiesSchema, []),
    'images of registries the pull-through cache cannot serve (`gcr.io`, `nvcr.io`, ...), copied into ECR repositories `<prefix>/<path>` by `ptc copy` (docs/copy.md)',
  ),
});

/** The parsed, typed configuration. Defaults are filled in. */
export type PtcConfig = z.output<typeof configShape>;
/** One pull through cache rule of the configuration. */
export type RuleConfig = PtcConfig['rules'][number];
/** Repository settings: the base block or one override. */
export type RepositorySettingsConfig = z.output<typeof repositories>;
/** A per-prefix override of the repository settings. */
export type OverrideConfig = z.output<ReturnType<typeof repositoriesBlock>['override']>;
/** One deployment target. */
export type EnvironmentConfig = z.output<typeof environment>;
