/**
 * The node config formats each stack publishes, in a module of their own: the config's deploy-limit
 * check counts them without loading the renderers (and the YAML library they need).
 */

/** The node config formats each stack publishes, one SSM parameter each (`MirrorNodeConfig`). */
export const PUBLISHED_NODE_CONFIG_FORMATS = [
  'containerd',
  'credential-provider',
  'al2023',
  'bottlerocket',
  'karpenter-al2023',
  'karpenter-bottlerocket',
] as const;

/** One of `PUBLISHED_NODE_CONFIG_FORMATS`. */
export type PublishedNodeConfigFormat = (typeof PUBLISHED_NODE_CONFIG_FORMATS)[number];
