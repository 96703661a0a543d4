/**
 * What the registry-settings Lambda needs of this module, and nothing that reads the config: the
 * merges, the custom resource properties and their errors. The Lambda imports this file, not the
 * index, so its bundle carries neither zod nor the config schema (issue 15: bundles of at most 150 KB).
 */
export * from './errors';
export * from './types';
export * from './replication';
export * from './scanning';
export * from './registry-policy';
export * from './properties';
