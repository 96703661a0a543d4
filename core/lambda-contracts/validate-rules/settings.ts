/**
 * The rules travel from the CDK app to the Lambda in one environment variable (the target's
 * account and region and the `rules` block). The stack validated them with the schema at synth;
 * the Lambda checks the payload (`readValidationPayload`, the config schema's own pieces in
 * zod/mini) at cold start.
 */
import type { RuleConfig } from '../../config/schema';
import type { Target } from '../../environments';
import { readValidationPayload, VALIDATION_RULES_VARIABLE, validationPayload } from '../../lambda-settings';
import { ConfigError } from '../../errors';
import { ENV_VALUE_LIMIT, packJson, unpackJson, type EnvValueError } from '../../env-value';
import { ValidationSettingsError } from '../errors';

/** The environment variable holding the rules (JSON, or `gzip:` and base64 of gzipped JSON). */
export const RULES_VARIABLE = VALIDATION_RULES_VARIABLE;

/** The largest value we put in the variable: Lambda allows 4 KB of environment in all. */
export const RULES_VARIABLE_LIMIT = ENV_VALUE_LIMIT;

/**
 * Encodes the rules: plain JSON when small, gzipped otherwise.
 * @throws ValidationSettingsError when even the compressed form does not fit
 */
export function encodeRules(rules: readonly RuleConfig[], target: Pick<Target, 'account' | 'region'>, secretsKmsKeyArn?: string): string {
  const value = packJson(validationPayload(rules, target, secretsKmsKeyArn));
  if (value.length > RULES_VARIABLE_LIMIT) {
    throw new ValidationSettingsError(
      RULES_VARIABLE,
      `the rules take ${value.length} characters even compressed; Lambda allows ${RULES_VARIABLE_LIMIT}`,
    );
  }
  return value;
}

/** What the validation Lambda knows: the rules, and the customer managed key of the secrets its stack creates. */
export interface ValidationSettings {
  readonly rules: RuleConfig[];
  readonly secretsKmsKeyArn?: string;
}

/** Decodes the rules variable and checks its structure. */
export function decodeRules(value: string | undefined): RuleConfig[] {
  return decodeValidationSettings(value).rules;
}

/**
 * Decodes the rules variable and checks its structure, with the secrets key it carries.
 * @throws ValidationSettingsError naming the variable and, for a malformed payload, the field
 */
export function decodeValidationSettings(value: string | undefined): ValidationSettings {
  if (value === undefined || value === '') throw new ValidationSettingsError(RULES_VARIABLE, 'not set');
  let raw: unknown;
  try {
    raw = unpackJson(value);
  } catch (err) {
    throw new ValidationSettingsError(RULES_VARIABLE, `is not (gzipped) JSON (${(err as EnvValueError).reason})`);
  }
  try {
    const config = readValidationPayload(raw);
    return { rules: config.rules, ...(config.secretsKmsKeyArn !== undefined ? { secretsKmsKeyArn: config.secretsKmsKeyArn } : {}) };
  } catch (err) {
    if (err instanceof ConfigError) throw new ValidationSettingsError(RULES_VARIABLE, err.message);
    throw err;
  }
}
