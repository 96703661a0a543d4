/**
 * ptc-autopilot's shared domain module: configuration, upstream catalogue, repository policies
 * and deployment targets. The CDK app, the Lambdas and the `ptc` CLI all import from here.
 */
export * from './errors';
export * from './quote';
export * from './upstreams';
export * from './environments';
export { PARTITION_REGIONS, PARTITION_GAPS, STACK_RESOURCE_TYPES, deployRegionProblem, isKnownRegion } from './regions';
export * from './config/schema';
export { configSchema } from './config/validate';
export * from './config/parse';
export * from './config/load';
export * from './config/fields';
export * from './config/kms-keys';
export * from './config/cron';
export * from './config/deploy-limits';
export * from './config/replication-templates';
export * from './config/prewarm-images';
export * from './env-value';
export * from './policy/settings';
export * from './policy/managed-prefixes';
export * from './policy/lifecycle';
export * from './policy/repository-policy';
export * from './policy/pull-principals';
export * from './policy/policy-size';
export * from './policy/desired-state';
export * from './policy/node-policy';
export * from './policy/merge';
export * from './registry-settings';
export * from './rules';
export * from './plan';
export * from './image-ref';
export * from './policy/secrets-key-policy';
export * from './policy/prewarm-key';
export * from './node-config';
export * from './consumers';
