/**
 * The prewarm settings travel from the CDK app to the Lambda in one environment variable: the
 * target's account and region, the rules (for the resolver) and the `prewarm` block. The stack
 * validated them with the schema at synth; the Lambda checks the payload (`readPrewarmPayload`,
 * the config schema's own pieces in zod/mini) once, at cold start.
 */
import type { PtcConfig } from '../../config/schema';
import type { Target } from '../../environments';
import { PREWARM_SETTINGS_VARIABLE, prewarmPayload, readPrewarmPayload, type PrewarmPayload } from '../../lambda-settings';
import { ConfigError } from '../../errors';
import { ENV_VALUE_LIMIT, packJson, unpackJson, type EnvValueError } from '../../env-value';
import { PrewarmSettingsError } from '../errors';

/** The environment variable holding the settings (JSON, or `gzip:` and base64 of gzipped JSON). */
export const SETTINGS_VARIABLE = PREWARM_SETTINGS_VARIABLE;

/** The largest value we put in the variable: Lambda allows 4 KB of environment in all. */
export const SETTINGS_VARIABLE_LIMIT = ENV_VALUE_LIMIT;

/** The part of the config the prewarm Lambda needs. */
export const prewarmConfig = prewarmPayload;

/**
 * Encodes the settings: plain JSON when small, gzipped otherwise.
 * @throws PrewarmSettingsError when even the compressed form does not fit; the message says to
 *   move the images to `prewarm.manifest`
 */
export function encodePrewarmSettings(config: Pick<PtcConfig, 'rules' | 'prewarm'>, target: Pick<Target, 'account' | 'region'>): string {
  const value = packJson(prewarmConfig(config, target));
  if (value.length > SETTINGS_VARIABLE_LIMIT) {
    throw new PrewarmSettingsError(
      SETTINGS_VARIABLE,
      `the rules and prewarm.images take ${value.length} characters even compressed; Lambda allows ${SETTINGS_VARIABLE_LIMIT}. Move the images to prewarm.manifest (an S3 object or SSM parameter).`,
    );
  }
  return value;
}

/**
 * Decodes the settings variable and checks its structure.
 * @throws PrewarmSettingsError naming the variable and, for a malformed payload, the field
 */
export function decodePrewarmSettings(value: string | undefined): PrewarmPayload {
  if (value === undefined || value === '') throw new PrewarmSettingsError(SETTINGS_VARIABLE, 'not set');
  let raw: unknown;
  try {
    raw = unpackJson(value);
  } catch (err) {
    throw new PrewarmSettingsError(SETTINGS_VARIABLE, `is not (gzipped) JSON (${(err as EnvValueError).reason})`);
  }
  try {
    return readPrewarmPayload(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw new PrewarmSettingsError(SETTINGS_VARIABLE, err.message);
    throw err;
  }
}
