/**
 * Registry-wide ECR settings (replication, scanning, registry policy) that ptc-autopilot shares
 * with whoever else configures the registry: pure merges that add, update and remove only what
 * ptc-autopilot owns.
 */
export * from './errors';
export * from './types';
export * from './limits';
export * from './replication';
export * from './scanning';
export * from './registry-policy';
export * from './intent';
export * from './properties';
export * from './plan';
