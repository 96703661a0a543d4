/**
 * ptc-autopilot's library entry point (`import { ... } from 'ptc-autopilot'`): the `PullThroughCache`
 * construct to embed in a CDK app, the app and stack this repository deploys, and the core API
 * (config loading and validation, targets, image references, policies, plan).
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import { PullThroughCache, loadConfig, targets } from 'ptc-autopilot';
 *
 * const app = new App();
 * const config = loadConfig('ptc.yaml');
 * for (const target of targets(config)) {
 *   const stack = new Stack(app, target.stackName, { env: { account: target.account, region: target.region } });
 *   new PullThroughCache(stack, 'Cache', { config, target });
 * }
 */
export * from './core';
export { PullThroughCache, type PullThroughCacheProps } from './infra/constructs/pull-through-cache';
export { PtcAutopilotStack, type PtcAutopilotStackProps } from './infra/stacks/ptc-autopilot-stack';
export { buildApp, type BuildAppOptions, type BuiltApp } from './infra/build-app';
export { VERSION } from './version';
export { ConsumerNodeAccess, type ConsumerNodeAccessProps, type ConsumerNodeRoles } from './infra/constructs/consumer-node-access';
export { ConsumerStackSet, type ConsumerStackSetProps } from './infra/constructs/consumer-stack-set';
export { ConsumerStack, ConsumersAdminStack, addConsumerStacks, consumerStackSetTemplate, type ConsumerStackProps, type ConsumersAdminStackProps, type ConsumerStacks } from './infra/stacks/consumer-stack';
