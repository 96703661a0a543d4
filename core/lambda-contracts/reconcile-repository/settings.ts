/**
 * The reconciler's settings travel from the CDK app to the Lambda in environment variables: the
 * part of the config that decides desired state (rules and repository settings), the partition
 * and the sweep concurrency. The stack validated the config with the schema at synth; the Lambda
 * checks the payload (`readReconcilerPayload`, the config schema's own pieces in zod/mini) once,
 * at cold start.
 */
import type { PtcConfig } from '../../config/schema';
import type { Target } from '../../environments';
import {
  RECONCILER_CONFIG_VARIABLE,
  RECONCILER_PARTITION_VARIABLE,
  readReconcilerPayload,
  reconcilerPayload,
  type ReconcilerPayload,
} from '../../lambda-settings';
import { ConfigError } from '../../errors';
import { ENV_VALUE_LIMIT, packJson, unpackJson } from '../../env-value';
import { ReconcilerSettingsError } from '../errors';

/** The environment variable holding the config (JSON, or `gzip:` and base64 of gzipped JSON). */
export const CONFIG_VARIABLE = RECONCILER_CONFIG_VARIABLE;
/** The environment variable holding the AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
export const PARTITION_VARIABLE = RECONCILER_PARTITION_VARIABLE;

/** The largest value we put in the variable, leaving room for the other variables. */
export const CONFIG_VARIABLE_LIMIT = ENV_VALUE_LIMIT;

/** What the reconciler needs to know. */
export interface ReconcilerSettings {
  readonly config: ReconcilerPayload;
  readonly partition: string;
  /** How many repositories a sweep reconciles at once. */
  readonly concurrency: number;
}

/** The config as the Lambda needs it (core/lambda-settings.ts). */
export const reconcilerConfig = reconcilerPayload;

/**
 * Encodes the config for the environment variable: plain JSON when small, gzipped otherwise.
 * Throws when even the compressed form does not fit.
 */
export function encodeConfig(
  config: Pick<PtcConfig, 'rules' | 'repositories' | 'reconciler'> & Partial<Pick<PtcConfig, 'consumers' | 'copies'>>,
  target: Pick<Target, 'account' | 'region'>,
): string {
  const value = packJson(reconcilerConfig(config, target));
  if (value.length > CONFIG_VARIABLE_LIMIT) {
    throw new ReconcilerSettingsError(
      CONFIG_VARIABLE,
      `the rules and repository settings take ${value.length} characters even compressed; Lambda allows ${CONFIG_VARIABLE_LIMIT}. Shorten tags or account lists.`,
    );
  }
  return value;
}

/**
 * Decodes the config variable and checks its structure.
 * @throws ReconcilerSettingsError naming the variable and, for a malformed payload, the field
 */
export function decodeConfig(value: string | undefined): ReconcilerPayload {
  if (value === undefined || value === '') throw new ReconcilerSettingsError(CONFIG_VARIABLE, 'not set');
  let raw: unknown;
  try {
    raw = unpackJson(value);
  } catch (err) {
    throw new ReconcilerSettingsError(CONFIG_VARIABLE, (err as Error).message);
  }
  try {
    return readReconcilerPayload(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw new ReconcilerSettingsError(CONFIG_VARIABLE, err.message);
    throw err;
  }
}

/** Reads the settings from the Lambda environment. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): ReconcilerSettings {
  const config = decodeConfig(env[CONFIG_VARIABLE]);
  return { config, partition: env[PARTITION_VARIABLE] || 'aws', concurrency: config.reconciler.concurrency };
}
