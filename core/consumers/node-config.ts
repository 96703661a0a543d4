/**
 * The node config a consumer account publishes: the mirror-mode documents of `ptc node-config`
 * rendered with the HUB registry as the mirror (and the hub's Region for the credential provider,
 * since ECR tokens are per Region), the same renderers the hub stacks and the CLI use.
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';
import { configFallback, mirrorMapFor, nodeConfigDocuments, type PublishedNodeConfigFormat } from '../node-config';

export { SSM_ADVANCED_VALUE_LIMIT, SSM_STANDARD_VALUE_LIMIT } from '../node-config/published';

/** The documents a consumer publishes, keyed by format (one SSM parameter each). */
export function consumerNodeConfigDocuments(config: PtcConfig, hub: Target): Record<PublishedNodeConfigFormat, string> {
  return nodeConfigDocuments(mirrorMapFor(config, hub), hub.region, { fallback: configFallback(config) });
}
