/**
 * The documents a stack publishes as SSM parameters, one per `PublishedNodeConfigFormat`: the hub's
 * own (`MirrorNodeConfig`) and a consumer account's (pointing at the hub) come from this one function.
 */
import { al2023UserData } from './al2023';
import { containerdHostsFiles, type HostsFileOptions } from './containerd';
import { bottlerocketToml } from './bottlerocket';
import { credentialProviderYaml, kubeletMirrorMap, type KubeletOptions } from './credential-provider';
import type { PublishedNodeConfigFormat } from './formats';
import { karpenterNodeClassYaml } from './karpenter';
import type { MirrorMap } from './mirror-map';

/** SSM's limit for a Standard String parameter's value, in bytes. */
export const SSM_STANDARD_VALUE_LIMIT = 4096;
/** SSM's limit for an Advanced String parameter's value, in bytes. */
export const SSM_ADVANCED_VALUE_LIMIT = 8192;

/**
 * The published values, keyed by format (`containerd` holds a JSON object of hosts files keyed by
 * `<host>/hosts.toml`; the kubelet-facing ones leave out `public.ecr.aws`, see docs/mirror-mode.md).
 * @param region the Region whose ECR tokens the credential provider and user data ask for.
 */
export function nodeConfigDocuments(
  map: MirrorMap,
  region: string,
  options: HostsFileOptions & KubeletOptions,
): Record<PublishedNodeConfigFormat, string> {
  const node = kubeletMirrorMap(map);
  return {
    containerd: JSON.stringify(Object.fromEntries(containerdHostsFiles(node, options).map((f) => [f.path, f.content]))),
    'credential-provider': credentialProviderYaml(map, region, options),
    al2023: al2023UserData(node, region, options),
    bottlerocket: bottlerocketToml(map, region),
    'karpenter-al2023': karpenterNodeClassYaml(node, region, 'al2023', options),
    'karpenter-bottlerocket': karpenterNodeClassYaml(node, region, 'bottlerocket', options),
  };
}
