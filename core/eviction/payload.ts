/**
 * What the CDK app hands the eviction Lambda (functions/evict-images) in its settings variable,
 * written once, so the construct, the Lambda and the config's deploy-limit check agree on it.
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';

/** The eviction Lambda's settings variable (JSON, or `gzip:` and base64 of gzipped JSON). */
export const EVICT_SETTINGS_VARIABLE = 'PTC_EVICT_SETTINGS';

/** What the eviction Lambda reads. */
export interface EvictPayload extends Pick<Target, 'account' | 'region'>, Pick<PtcConfig, 'rules' | 'repositories' | 'prewarm'> {}

/** The part of the config the Lambda needs: no repository setting but eviction, the prewarm block for the pinned images. */
export function evictPayload(
  config: Pick<PtcConfig, 'rules' | 'repositories' | 'prewarm'>,
  target: Pick<Target, 'account' | 'region'>,
): EvictPayload {
  const r = config.repositories;
  return {
    account: target.account,
    region: target.region,
    rules: config.rules,
    repositories: {
      ...(r.eviction !== undefined ? { eviction: r.eviction } : {}),
      ...(r.overrides !== undefined
        ? { overrides: r.overrides.filter((o) => o.eviction !== undefined).map((o) => ({ prefix: o.prefix, eviction: o.eviction })) }
        : {}),
    },
    prewarm: config.prewarm,
  };
}
