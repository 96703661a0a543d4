/**
 * The eviction Lambda's settings travel in one environment variable: the target's account and
 * region, the rules, the eviction blocks of `repositories` (base and overrides) and the prewarm
 * images and manifest sources (pinned, never evicted). The stack validated the config at synth;
 * the Lambda checks the payload's structure once, at cold start, with the reconciler's and
 * prewarm's checks (core/lambda-payload-check.ts), and bundles no schema library.
 */
import type { PtcConfig } from '../../config/schema';
import type { Target } from '../../environments';
import { ConfigError } from '../../errors';
import { EvictSettingsError } from '../errors';
import { readPrewarmPayload, readReconcilerPayload } from '../../lambda-settings';
import { ENV_VALUE_LIMIT, packJson, unpackJson } from '../../env-value';
import { EVICT_SETTINGS_VARIABLE, evictPayload, type EvictPayload } from '../../eviction/payload';

export { EVICT_SETTINGS_VARIABLE, evictPayload, type EvictPayload };

export { EvictSettingsError };

/**
 * Encodes the settings: plain JSON when small, gzipped otherwise.
 * @throws EvictSettingsError when even the compressed form does not fit Lambda's 4 KB
 */
export function encodeEvictSettings(
  config: Pick<PtcConfig, 'rules' | 'repositories' | 'prewarm'>,
  target: Pick<Target, 'account' | 'region'>,
): string {
  const value = packJson(evictPayload(config, target));
  if (value.length > ENV_VALUE_LIMIT) {
    throw new EvictSettingsError(
      EVICT_SETTINGS_VARIABLE,
      `the rules, eviction settings and prewarm.images take ${value.length} characters even compressed; Lambda allows ${ENV_VALUE_LIMIT}. Move the images to prewarm.manifest.`,
    );
  }
  return value;
}

/**
 * Decodes the settings variable and checks its structure.
 * @throws EvictSettingsError naming the variable and, for a malformed payload, the field
 */
export function decodeEvictSettings(value: string | undefined): EvictPayload {
  if (value === undefined || value === '') throw new EvictSettingsError(EVICT_SETTINGS_VARIABLE, 'not set');
  let raw: unknown;
  try {
    raw = unpackJson(value);
  } catch (err) {
    throw new EvictSettingsError(EVICT_SETTINGS_VARIABLE, (err as Error).message);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new EvictSettingsError(EVICT_SETTINGS_VARIABLE, 'must be a JSON object');
  const { repositories, prewarm, ...where } = raw as Record<string, unknown>;
  try {
    // The reconciler's check reads rules and repositories (eviction included); prewarm's reads the prewarm block.
    const reconciler = readReconcilerPayload({ ...where, repositories, reconciler: { sweepSchedule: 'rate(1 day)', concurrency: 1 } });
    const pre = readPrewarmPayload({ ...where, prewarm });
    return {
      account: reconciler.account,
      region: reconciler.region,
      rules: reconciler.rules,
      repositories: reconciler.repositories,
      prewarm: pre.prewarm,
    };
  } catch (err) {
    if (err instanceof ConfigError) throw new EvictSettingsError(EVICT_SETTINGS_VARIABLE, err.message);
    throw err;
  }
}
