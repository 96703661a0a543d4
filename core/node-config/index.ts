/**
 * Mirror mode: node configuration that makes containerd fetch upstream images through the pull
 * through cache without renaming them. One mirror map (`buildMirrorMap`), every format built
 * from it.
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';
import { al2023UserData } from './al2023';
import { bottlerocketToml, MIN_BOTTLEROCKET_K8S_VARIANT } from './bottlerocket';
import { containerdHostsFiles, type HostsFileOptions, type NodeFile } from './containerd';
import {
  credentialProviderYaml,
  ECR_CREDENTIAL_PROVIDER,
  kubeletMirrorMap,
  MIN_ECR_CREDENTIAL_PROVIDER_VERSION,
  type KubeletOptions,
} from './credential-provider';
import { karpenterYaml } from './karpenter';
import { buildMirrorMap, type MirrorMap, type MirrorRegistry } from './mirror-map';

export * from './mirror-map';
export * from './containerd';
export * from './credential-provider';
export * from './al2023';
export * from './bottlerocket';
export * from './karpenter';

/** The formats of `ptc node-config --format`. */
export const NODE_CONFIG_FORMATS = ['containerd', 'credential-provider', 'al2023', 'bottlerocket', 'karpenter'] as const;

/** One of `NODE_CONFIG_FORMATS`. */
export type NodeConfigFormat = (typeof NODE_CONFIG_FORMATS)[number];

/**
 * Whether nodes fall back to the upstream when the cache fails: the config's `mirror.fallback`,
 * off when the config has no `mirror` section (the measured default, docs/mirror-mode.md).
 */
export function configFallback(config: PtcConfig): boolean {
  return config.mirror?.fallback ?? false;
}

/** The mirror map of a deployment target (its own registry unless `registry` replaces it). */
export function mirrorMapFor(config: PtcConfig, target: Pick<Target, 'registryHost' | 'region'>, registry?: MirrorRegistry): MirrorMap {
  return buildMirrorMap(config, registry ?? { scheme: 'https', host: target.registryHost }, target.region);
}

/**
 * A format's output: files for `containerd` (paths relative to the hosts directory), one
 * document for every other format.
 */
export type NodeConfigOutput = { kind: 'files'; files: NodeFile[] } | { kind: 'document'; text: string };

/**
 * Renders one format. `region` is the cache registry's Region (for the credential provider).
 * The kubelet-facing formats leave out the hosts the credential provider cannot serve.
 */
export function renderNodeConfig(
  format: NodeConfigFormat,
  map: MirrorMap,
  region: string,
  options: HostsFileOptions & KubeletOptions,
): NodeConfigOutput {
  switch (format) {
    case 'containerd':
      return { kind: 'files', files: containerdHostsFiles(map, options) };
    case 'credential-provider':
      return { kind: 'document', text: credentialProviderYaml(map, region, options) };
    case 'al2023':
      return { kind: 'document', text: al2023UserData(kubeletMirrorMap(map), region, options) };
    case 'bottlerocket':
      return { kind: 'document', text: bottlerocketToml(map, region) };
    case 'karpenter':
      return { kind: 'document', text: karpenterYaml(kubeletMirrorMap(map), region, options) };
  }
}

/** What a node needs for mirror mode, for `ptc plan` (and the headers of the kubelet formats). */
export const MIRROR_NODE_REQUIREMENTS: readonly string[] = [
  `kubelet nodes: ${ECR_CREDENTIAL_PROVIDER} ${MIN_ECR_CREDENTIAL_PROVIDER_VERSION} or later (older releases refuse hosts that are not ECR's)`,
  `Bottlerocket: an ${MIN_BOTTLEROCKET_K8S_VARIANT} or later variant (Bottlerocket v1.18.0+); older variants ship an ${ECR_CREDENTIAL_PROVIDER} before ${MIN_ECR_CREDENTIAL_PROVIDER_VERSION}`,
];

/** The mirror map as `host -> mirror URL` lines, for `ptc plan` and the CLI. */
export function mirrorMapLines(map: {
  entries: readonly { host: string; mirrorUrl: string }[];
  unmirrored: readonly { host: string; reason: string }[];
}): string[] {
  return [...map.entries.map((e) => `${e.host} -> ${e.mirrorUrl}`), ...map.unmirrored.map((u) => `${u.host} not mirrored: ${u.reason}`)];
}

export { PUBLISHED_NODE_CONFIG_FORMATS, type PublishedNodeConfigFormat } from './formats';
export { nodeConfigDocuments, SSM_ADVANCED_VALUE_LIMIT, SSM_STANDARD_VALUE_LIMIT } from './published';
