/**
 * ptc-autopilot's library entry point (`import { ... } from 'ptc-autopilot'`): the `PullThroughCache`
 * construct to embed in a CDK app, the app and stacks this repository deploys, and the part of the
 * domain a CDK app needs: reading and validating the config, its types, the deployment targets and image
 * references. Every name is listed here on purpose, and `etc/ptc-autopilot.api.md` (the
 * API report, checked by `npm run api`) fails the build when this list changes by accident; everything
 * else (policies, the plan, the node config renderers, the Lambdas' payloads) is internal and may change in any
 * release.
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

// The construct, and the stacks and app this repository deploys.
export { PullThroughCache, type PullThroughCacheProps } from './infra/constructs/pull-through-cache';
export { PtcAutopilotStack, type PtcAutopilotStackProps } from './infra/stacks/ptc-autopilot-stack';
export { buildApp, type BuildAppOptions, type BuiltApp } from './infra/build-app';
export { ConsumerNodeAccess, type ConsumerNodeAccessProps, type ConsumerNodeRoles } from './infra/constructs/consumer-node-access';
export { ConsumerStackSet, type ConsumerStackSetProps } from './infra/constructs/consumer-stack-set';
export {
  ConsumerStack,
  ConsumersAdminStack,
  addConsumerStacks,
  consumerStackSetTemplate,
  type ConsumerStackProps,
  type ConsumersAdminStackProps,
  type ConsumerStacks,
} from './infra/stacks/consumer-stack';
export { VERSION } from './version';

// The parts of a PullThroughCache, reachable through its properties (`cache.reconciler.function`, ...).
export { CacheRules, type CacheRulesProps } from './infra/constructs/cache-rules';
export { CreationTemplates, type CreationTemplatesProps } from './infra/constructs/creation-templates';
export { NodePolicy, type NodePolicyProps } from './infra/constructs/node-policy';
export { AlarmTopic, type AlarmTopicProps } from './infra/constructs/alarm-topic';
export { RegistrySettings, type RegistrySettingsProps } from './infra/constructs/registry-settings';
export { RepositoryReconciler, type RepositoryReconcilerProps } from './infra/constructs/repository-reconciler';
export { RuleValidation, type RuleValidationProps } from './infra/constructs/rule-validation';
export { Prewarm, type PrewarmProps, type PrewarmMetricName } from './infra/constructs/prewarm';
export { PtcDashboard, type PtcDashboardProps } from './infra/constructs/dashboard';
export { MirrorNodeConfig, type MirrorNodeConfigProps } from './infra/constructs/node-config';
export { PtcFunction, type PtcFunctionProps } from './infra/constructs/ptc-function';
export { ImageEviction, type ImageEvictionProps } from './infra/constructs/image-eviction';
export { ImageCopy, type ImageCopyProps, type CopyMetricName } from './infra/constructs/image-copy';
export { CacheActionMetrics, type CacheActionMetricsProps } from './infra/constructs/cache-actions';
export { type CfnTemplate } from './infra/stacks/consumer-stack';

// The config: read a file or text, validate a parsed document, and its types.
export {
  loadConfig,
  parseConfig,
  parseConfigText,
  ConfigError,
  PtcError,
  type ConfigIssue,
  type PtcConfig,
  type RuleConfig,
  type RepositorySettingsConfig,
  type OverrideConfig,
  type EnvironmentConfig,
  UPSTREAM_NAMES,
  type UpstreamName,
} from './core';

// Where the config deploys: one target per environment, and the accounts and OUs that pull from its hub.
export { targets, primaryTarget, type Target, type AccountConsumer, type OrganizationConsumer, type ConsumerStackPlacement } from './core';

// The node roles' policy scope and the mirror-mode host map, as the constructs above expose them.
export { type RegistryLocation, type MirrorMap, type MirrorEntry, type MirrorRegistry, type UnmirroredHost } from './core';
export { type CopyMirrorEntry } from './core';

// Image references: parse, format, and map to the cache (`ptc resolve` as functions).
export {
  parseReference,
  formatReference,
  createResolver,
  resolveReference,
  InvalidReferenceError,
  type ImageReference,
  type Resolution,
  type ResolutionStatus,
  type ResolveContext,
} from './core';
