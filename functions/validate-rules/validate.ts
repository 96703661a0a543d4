/**
 * Validates every managed pull through cache rule: it must exist in the registry
 * (DescribePullThroughCacheRules), a credential secret must hold more than the placeholder
 * (GetSecretValue), and ECR must be able to authenticate upstream (ValidatePullThroughCacheRule).
 * Each rule gets `RuleValid` 1 or 0 and a log line; each failure also becomes an event.
 */
import {
  DescribePullThroughCacheRulesCommand,
  ValidatePullThroughCacheRuleCommand,
  type ECRClient,
  type PullThroughCacheRule,
} from '@aws-sdk/client-ecr';
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RuleConfig } from '../../core/config/schema';
import { isPlaceholderCredential } from '../../core/rules';
import { UPSTREAMS } from '../../core/upstreams';
import { ValidationIncompleteError } from './errors';
import { EVENT_SOURCE, VALIDATION_FAILED_DETAIL_TYPE, type ValidationFailedDetail } from './events';
import { customerManagedKeyCause, secretCustomerManagedKey } from './secret-key';
import type { RuleMetrics, ValidationLogger } from './telemetry';

/** What validation needs; the handler builds the clients once per container. */
export interface ValidationDeps {
  readonly ecr: ECRClient;
  readonly secrets: SecretsManagerClient;
  readonly events: EventBridgeClient;
  readonly log: ValidationLogger;
  readonly metrics: RuleMetrics;
  /** The customer managed key of the secrets the stack creates (`secretsKmsKeyArn`), if any. */
  readonly secretsKmsKeyArn?: string;
}

/** The verdict on one rule. `valid` is undefined when it could not be decided (a transient error). */
export interface RuleCheck {
  readonly prefix: string;
  readonly upstream: string;
  readonly valid?: boolean;
  /** Why the rule is invalid, or why it could not be checked. */
  readonly failure?: string;
  readonly upstreamRegistryUrl?: string;
}

/** Error names that say something definite about the rule or its secret (everything else is transient). */
const DEFINITE_ECR_ERRORS = new Set(['PullThroughCacheRuleNotFoundException', 'InvalidParameterException', 'ValidationException']);
const DEFINITE_SECRET_ERRORS = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
]);

const errorName = (err: unknown): string => (err instanceof Error ? err.name : 'Error');
const errorText = (err: unknown): string =>
  err instanceof Error ? (err.message && err.message !== err.name ? `${err.name}: ${err.message}` : err.name) : String(err);

/** Every pull through cache rule of the registry, by prefix (all pages). */
export async function describeRules(ecr: ECRClient): Promise<Map<string, PullThroughCacheRule>> {
  const rules = new Map<string, PullThroughCacheRule>();
  let nextToken: string | undefined;
  do {
    const page = await ecr.send(new DescribePullThroughCacheRulesCommand({ maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    for (const rule of page.pullThroughCacheRules ?? []) if (rule.ecrRepositoryPrefix) rules.set(rule.ecrRepositoryPrefix, rule);
    nextToken = page.nextToken;
  } while (nextToken);
  return rules;
}

/** The secret name or ARN to show in a message (the configured name when there is one). */
function secretLabel(rule: RuleConfig, described: PullThroughCacheRule): string {
  return rule.credentials?.secretName ?? rule.credentials?.secretArn ?? described.credentialArn ?? '(unknown secret)';
}

async function checkSecret(
  rule: RuleConfig,
  described: PullThroughCacheRule,
  deps: ValidationDeps,
): Promise<Pick<RuleCheck, 'valid' | 'failure'> | undefined> {
  const secretId = described.credentialArn ?? rule.credentials?.secretArn ?? rule.credentials?.secretName;
  const label = secretLabel(rule, described);
  if (secretId === undefined)
    return {
      valid: false,
      failure: `the rule in the registry has no credential secret, but ${UPSTREAMS[rule.upstream].displayName} needs one`,
    };
  let value: string | undefined;
  try {
    value = (await deps.secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (err) {
    if (DEFINITE_SECRET_ERRORS.has(errorName(err)))
      return { valid: false, failure: `the credential secret ${label} cannot be read (${errorText(err)})` };
    return { failure: `the credential secret ${label} could not be read now (${errorText(err)})` };
  }
  if (isPlaceholderCredential(value)) {
    return {
      valid: false,
      failure: `the credential secret ${label} still holds the placeholder (or lacks "username" or "accessToken"); put {"username":"<user>","accessToken":"<token>"} for ${UPSTREAMS[rule.upstream].displayName} in it`,
    };
  }
  return undefined;
}

async function checkRule(rule: RuleConfig, described: PullThroughCacheRule | undefined, deps: ValidationDeps): Promise<RuleCheck> {
  const base = {
    prefix: rule.prefix,
    upstream: rule.upstream,
    ...(described?.upstreamRegistryUrl ? { upstreamRegistryUrl: described.upstreamRegistryUrl } : {}),
  };
  if (described === undefined) {
    return {
      ...base,
      valid: false,
      failure: `no pull through cache rule with prefix "${rule.prefix}" exists in the registry; it was deleted or never deployed (deploy the stack again)`,
    };
  }
  if (rule.credentials !== undefined) {
    const secret = await checkSecret(rule, described, deps);
    if (secret !== undefined) return { ...base, ...secret };
  }
  try {
    const out = await deps.ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: rule.prefix }));
    if (out.isValid) return { ...base, valid: true };
    const failure = `ECR cannot use the rule: ${out.failure ?? 'no reason given'}`;
    const secretId = described.credentialArn ?? rule.credentials?.secretArn ?? rule.credentials?.secretName;
    const key = rule.credentials !== undefined && secretId !== undefined ? await secretCustomerManagedKey(rule, secretId, deps) : undefined;
    return {
      ...base,
      valid: false,
      failure: key === undefined ? failure : `${failure}; ${customerManagedKeyCause(secretLabel(rule, described), key)}`,
    };
  } catch (err) {
    const name = errorName(err);
    // ECR documents the call for upstreams that require authentication; for the others the rule's existence is the check.
    if (UPSTREAMS[rule.upstream].auth === 'none' && (name === 'ValidationException' || name === 'InvalidParameterException')) {
      deps.log.debug('no upstream authentication to validate', { prefix: rule.prefix, upstream: rule.upstream, reason: errorText(err) });
      return { ...base, valid: true };
    }
    if (DEFINITE_ECR_ERRORS.has(name)) return { ...base, valid: false, failure: `ECR rejected the validation (${errorText(err)})` };
    return { ...base, failure: `ValidatePullThroughCacheRule failed (${errorText(err)})` };
  }
}

/** Puts one `Pull Through Cache Rule Validation Failed` event per failed rule, ten per call. */
async function putFailureEvents(failed: readonly RuleCheck[], deps: ValidationDeps): Promise<string[]> {
  const problems: string[] = [];
  const entries: PutEventsRequestEntry[] = failed.map((check) => {
    const detail: ValidationFailedDetail = {
      prefix: check.prefix,
      upstream: check.upstream,
      ...(check.upstreamRegistryUrl ? { upstreamRegistryUrl: check.upstreamRegistryUrl } : {}),
      failure: check.failure ?? 'invalid',
    };
    return { Source: EVENT_SOURCE, DetailType: VALIDATION_FAILED_DETAIL_TYPE, Detail: JSON.stringify(detail) };
  });
  for (let i = 0; i < entries.length; i += 10) {
    const batch = entries.slice(i, i + 10);
    try {
      const out = await deps.events.send(new PutEventsCommand({ Entries: batch }));
      (out.Entries ?? []).forEach((entry, j) => {
        if (entry.ErrorCode)
          problems.push(`event for "${failed[i + j]?.prefix}" not put (${entry.ErrorCode}: ${entry.ErrorMessage ?? ''})`);
      });
    } catch (err) {
      problems.push(`PutEvents failed (${errorText(err)})`);
    }
  }
  return problems;
}

/**
 * Validates every configured rule and reports each one.
 * @throws ValidationIncompleteError after reporting the rest, when a rule could not be decided or
 *   an event could not be put (Lambda retries the invocation)
 */
export async function validateRules(rules: readonly RuleConfig[], deps: ValidationDeps): Promise<RuleCheck[]> {
  const described = await describeRules(deps.ecr);
  const checks: RuleCheck[] = [];
  // One rule at a time: ValidatePullThroughCacheRule reaches the upstream and is rate limited.
  for (const rule of rules) {
    const check = await checkRule(rule, described.get(rule.prefix), deps);
    checks.push(check);
    const attributes = {
      prefix: check.prefix,
      upstream: check.upstream,
      ...(check.upstreamRegistryUrl ? { upstreamRegistryUrl: check.upstreamRegistryUrl } : {}),
    };
    if (check.valid === true) {
      deps.metrics.put('RuleValid', 1, check.prefix);
      deps.log.info('pull through cache rule valid', attributes);
    } else if (check.valid === false) {
      deps.metrics.put('RuleValid', 0, check.prefix);
      deps.log.error('pull through cache rule invalid', { ...attributes, failure: check.failure });
    } else {
      // No datapoint: one missed check does not alarm, a run of them does (missing data is breaching).
      deps.log.warn('pull through cache rule not checked', { ...attributes, reason: check.failure });
    }
  }
  const problems = await putFailureEvents(
    checks.filter((c) => c.valid === false),
    deps,
  );
  problems.push(...checks.filter((c) => c.valid === undefined).map((c) => `rule "${c.prefix}": ${c.failure}`));
  if (problems.length > 0) throw new ValidationIncompleteError(problems);
  return checks;
}
