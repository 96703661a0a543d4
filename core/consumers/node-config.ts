/**
 * The node config a consumer account publishes: the mirror-mode documents of `ptc node-config`
 * rendered with the HUB registry as the mirror (and the hub's Region for the credential provider,
 * since ECR tokens are per Region), the same renderers the hub stacks and the CLI use.
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';
import {
  al2023UserData,
  bottlerocketToml,
  configFallback,
  containerdHostsFiles,
  credentialProviderYaml,
  karpenterNodeClass,
  kubeletMirrorMap,
  mirrorMapFor,
  type PublishedNodeConfigFormat,
} from '../node-config';
import { stringify } from 'yaml';

/** SSM's limit for an Advanced String parameter (a Standard one holds 4,096 bytes). */
export const SSM_ADVANCED_VALUE_LIMIT = 8192;
/** SSM's limit for a Standard String parameter. */
export const SSM_STANDARD_VALUE_LIMIT = 4096;

/** The documents a consumer publishes, keyed by format (one SSM parameter each). */
export function consumerNodeConfigDocuments(config: PtcConfig, hub: Target): Record<PublishedNodeConfigFormat, string> {
  const map = mirrorMapFor(config, hub);
  const node = kubeletMirrorMap(map);
  const options = { fallback: configFallback(config) };
  return {
    containerd: JSON.stringify(Object.fromEntries(containerdHostsFiles(node, options).map((f) => [f.path, f.content]))),
    'credential-provider': credentialProviderYaml(map, hub.region),
    al2023: al2023UserData(node, hub.region, options),
    bottlerocket: bottlerocketToml(map),
    'karpenter-al2023': stringify(karpenterNodeClass(node, hub.region, 'al2023', options), { lineWidth: 0 }),
    'karpenter-bottlerocket': stringify(karpenterNodeClass(node, hub.region, 'bottlerocket', options), { lineWidth: 0 }),
  };
}
