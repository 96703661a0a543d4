/**
 * The copy-images settings travel from the CDK app to the Lambda in one environment variable: the
 * target's account and region (its ECR registry) and the `copies` list. The stack validated them
 * with the schema at synth; the Lambda checks the payload (`readCopyPayload`, the config schema's
 * own pieces in zod/mini) once, at cold start.
 */
import type { PtcConfig } from '../../config/schema';
import type { Target } from '../../environments';
import { ConfigError } from '../../errors';
import { ENV_VALUE_LIMIT, packJson, unpackJson, type EnvValueError } from '../../env-value';
import { COPY_SETTINGS_VARIABLE, copyPayload, readCopyPayload, type CopyPayload } from '../../lambda-settings';
import { CopySettingsError } from '../errors';

export { COPY_SETTINGS_VARIABLE, copyPayload, type CopyPayload, CopySettingsError };

/**
 * Encodes the settings: plain JSON when small, gzipped otherwise.
 * @throws CopySettingsError when even the compressed form does not fit; the message says to move the images to `copies[N].manifest`
 */
export function encodeCopySettings(config: Pick<PtcConfig, 'copies'>, target: Pick<Target, 'account' | 'region'>): string {
  const value = packJson(copyPayload(config, target));
  if (value.length > ENV_VALUE_LIMIT) {
    throw new CopySettingsError(
      COPY_SETTINGS_VARIABLE,
      `the copies take ${value.length} characters even compressed; Lambda allows ${ENV_VALUE_LIMIT}. Move images to copies[N].manifest (an S3 object or SSM parameter).`,
    );
  }
  return value;
}

/**
 * Decodes the settings variable and checks its structure.
 * @throws CopySettingsError naming the variable and, for a malformed payload, the field
 */
export function decodeCopySettings(value: string | undefined): CopyPayload {
  if (value === undefined || value === '') throw new CopySettingsError(COPY_SETTINGS_VARIABLE, 'not set');
  let raw: unknown;
  try {
    raw = unpackJson(value);
  } catch (err) {
    throw new CopySettingsError(COPY_SETTINGS_VARIABLE, `is not (gzipped) JSON (${(err as EnvValueError).reason})`);
  }
  try {
    return readCopyPayload(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw new CopySettingsError(COPY_SETTINGS_VARIABLE, err.message);
    throw err;
  }
}
