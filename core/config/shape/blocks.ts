/**
 * The shapes of the config's smaller blocks that no Lambda payload carries: validation,
 * replication, scanning, mirror and environments (prewarm and reconciler have modules of their own).
 */
import * as z from 'zod/mini';
import { accountId, described, kmsKeyArn, region, scheduleExpression, strictObject } from '../fields';
import { runsAtLeastDaily } from '../cron';
import { quote } from '../../quote';

/** The `validation` block. */
export const validation = strictObject({
  // The rule alarms treat a day without a validation result as a failure (infra/constructs/rule-validation.ts).
  schedule: described(
    z._default(
      scheduleExpression.check(
        z.refine(runsAtLeastDaily, {
          error: (i) =>
            `${quote(String(i.input), 60)} runs less than once a day; the rule alarms treat a day without a validation result as a failure, so validate at least daily (at most "rate(1 day)", or a cron expression with "*" or "?" in day-of-month, month, day-of-week and year)`,
        }),
      ),
      'rate(1 hour)',
    ),
    'schedule of rule validation; at least daily',
  ),
  alarmEmail: described(
    z.optional(z.email({ error: (i) => `${quote(String(i.input))} is not an email address` })),
    'email subscribed to every alarm',
  ),
});

const replicationDestination = strictObject({
  region: described(z.clone(region), 'destination Region'),
  account: described(z.optional(accountId), 'destination account; unset: the source account'),
  prefixes: described(
    z.optional(z.array(z.string()).check(z.minLength(1, { error: 'list at least one prefix, or remove the key' }))),
    'only these rule prefixes replicate to this destination; unset: every rule prefix',
  ),
  templates: described(
    z.optional(z.boolean({ error: 'must be true or false' })),
    "creation templates for `REPLICATION` at the destination: one an environment of this config deploys gets them from that stack; any other gets a replica stack `PtcAutopilot-replica-<account>-<region>` with the same templates (and, in another account, the registry policy statement letting the sources replicate in), which must be deployed too (`cdk deploy --all`; another account's with its credentials or bootstrap trust); `false` opts a destination managed elsewhere out; `ptc plan` says which, per destination. Unset: true",
  ),
  kmsKeyArn: described(
    z.optional(kmsKeyArn),
    "the destination's own KMS key, when the repositories use a customer managed key (a key serves only its own account and Region)",
  ),
});

/** The `replication` block. */
export const replication = strictObject({
  destinations: described(
    z._default(z.array(replicationDestination), []),
    "cache repositories under the managed prefixes (or only `prefixes`) replicate there, merged into the registry's own replication configuration",
  ),
  acceptFrom: described(
    z.optional(z.array(accountId)),
    "source accounts whose registries may replicate into this config's registries (registry policy statement)",
  ),
});

/** The `scanning` block. */
export const scanning = strictObject({
  type: described(z.enum(['BASIC', 'ENHANCED'], { error: 'must be "BASIC" or "ENHANCED"' }), 'registry scan type'),
  frequency: described(
    z.enum(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL'], { error: 'must be "SCAN_ON_PUSH", "CONTINUOUS_SCAN" or "MANUAL"' }),
    'scan frequency of the managed prefixes',
  ),
});

/** The `mirror` block. */
export const mirror = strictObject({
  fallback: described(
    z._default(z.boolean({ error: 'must be true or false' }), false),
    "mirror mode (`ptc node-config`): nodes try the upstream when the cache fails; off by default, since on a miss containerd hands the node's ECR token to the upstream's token realm (docs/mirror-mode.md)",
  ),
});

/** The `environments[]` entries. */
export const environment = strictObject({
  name: described(
    z.string().check(
      z.regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, {
        error: (i) => `${quote(String(i.input))} must start with a letter and hold only letters, digits and "-" (it names a stack)`,
      }),
    ),
    'names the stack `PtcAutopilot-<name>`',
  ),
  account: described(z.clone(accountId), 'account of the stack (12 digits, quoted)'),
  region: described(z.clone(region), 'Region of the stack'),
  kmsKeyArn: described(
    z.optional(kmsKeyArn),
    "this stack's key for every KMS-encrypted repository, replacing the config-wide `kmsKeyArn`s here",
  ),
  secretsKmsKeyArn: described(
    z.optional(kmsKeyArn),
    "this stack's key for the created credential secrets, replacing the top-level `secretsKmsKeyArn` here",
  ),
});
