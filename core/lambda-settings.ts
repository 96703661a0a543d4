/**
 * What the CDK app hands each Lambda in its settings variable: the variable names and the JSON
 * payloads, written once. The constructs encode these (functions/<name>/settings.ts), and the
 * config's deploy-limit check predicts the same variables from the same payloads, so the two cannot
 * drift apart. The stack validates the config with the schema at synth; each Lambda reads its payload
 * back with `./lambda-payload-check`, whose schemas are composed from the config schema's pieces.
 */
import type { PtcConfig, RuleConfig } from './config/schema';
import type { Target } from './environments';
import { repositoriesWithConsumers } from './policy/settings';

import type { CopyPayload, PrewarmPayload, ReconcilerPayload, ValidationPayload } from './lambda-payload-check';

export { readCopyPayload, readPrewarmPayload, readReconcilerPayload, readValidationPayload } from './lambda-payload-check';
export type { CopyPayload, PrewarmPayload, ReconcilerPayload, ValidationPayload } from './lambda-payload-check';

/** The reconciler's config variable (JSON, or `gzip:` and base64 of gzipped JSON). */
export const RECONCILER_CONFIG_VARIABLE = 'PTC_RECONCILER_CONFIG';
/** The reconciler's AWS partition variable (`aws`, `aws-cn`, `aws-us-gov`). */
export const RECONCILER_PARTITION_VARIABLE = 'PTC_PARTITION';
/** Rule validation's rules variable (JSON, or `gzip:` and base64 of gzipped JSON). */
export const VALIDATION_RULES_VARIABLE = 'PTC_VALIDATION_RULES';
/** Prewarm's settings variable (JSON, or `gzip:` and base64 of gzipped JSON). */
export const PREWARM_SETTINGS_VARIABLE = 'PTC_PREWARM_SETTINGS';
/** The copy-images Lambda's settings variable (JSON, or `gzip:` and base64 of gzipped JSON). */
export const COPY_SETTINGS_VARIABLE = 'PTC_COPY_SETTINGS';

type Where = Pick<Target, 'account' | 'region'>;

/**
 * A rule with its `seeds` list cut to what a Lambda reads: the reconciler needs only whether the rule
 * seeds (its prefix then gets the seed lifecycle rule), so one seed stands for all (`keep: 1`);
 * rule validation and prewarm need none. The full list (hundreds of incompressible digests) would
 * not fit Lambda's 4 KB; the eviction Lambda, which pins each seed, gets it whole.
 */
function withSeeds(rule: RuleConfig, keep: 0 | 1): RuleConfig {
  if (rule.seeds === undefined) return rule;
  const { seeds, ...rest } = rule;
  return keep === 1 && seeds.length > 0 ? { ...rest, seeds: seeds.slice(0, 1) } : rest;
}

/**
 * The config as the reconciler needs it: the target's account and region, the rules, the `copies`
 * prefixes and the repository settings; prewarm, validation and the rest stay out to keep within Lambda's 4 KB.
 */
export function reconcilerPayload(
  config: Pick<PtcConfig, 'rules' | 'repositories' | 'reconciler'> & Partial<Pick<PtcConfig, 'consumers' | 'copies'>>,
  target: Where,
): ReconcilerPayload {
  // Consumers travel as the pull grants they add (repositoriesWithConsumers), not as a block the Lambda would have to read.
  // Copies travel as their prefixes only (managed prefixes, docs/copy.md); their image lists stay out of the 4 KB.
  const copies = (config.copies ?? []).map((c) => ({ prefix: c.prefix }));
  return {
    account: target.account,
    region: target.region,
    rules: config.rules.map((r) => withSeeds(r, 1)),
    ...(copies.length > 0 ? { copies } : {}),
    repositories: repositoriesWithConsumers(config),
    reconciler: config.reconciler,
  };
}

/** What rule validation needs: the rules, and the customer managed key of the secrets its stack creates. */
export function validationPayload(rules: readonly RuleConfig[], target: Where, secretsKmsKeyArn?: string): ValidationPayload {
  return {
    account: target.account,
    region: target.region,
    rules: rules.map((r) => withSeeds(r, 0)),
    ...(secretsKmsKeyArn !== undefined ? { secretsKmsKeyArn } : {}),
  };
}

/** What prewarm needs: the rules (to map images to the cache) and the prewarm block. */
export function prewarmPayload(config: Pick<PtcConfig, 'rules' | 'prewarm'>, target: Where): PrewarmPayload {
  return { account: target.account, region: target.region, rules: config.rules.map((r) => withSeeds(r, 0)), prewarm: config.prewarm };
}

/** What the copy-images Lambda needs: the target's account and region (its ECR registry) and the `copies` list. */
export function copyPayload(config: Pick<PtcConfig, 'copies'>, target: Where): CopyPayload {
  return { account: target.account, region: target.region, copies: config.copies };
}
