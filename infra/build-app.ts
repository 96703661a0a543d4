/**
 * Builds the CDK app from a parsed config: one stack per target, with cdk-nag's AwsSolutions pack.
 */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { targets, type PtcConfig } from '../core';
import { PtcAutopilotStack } from './stacks/ptc-autopilot-stack';
import { addReplicaStacks } from './stacks/replica-stack';
import { addConsumerStacks } from './stacks/consumer-stack';

/** Options for `buildApp`. */
export interface BuildAppOptions {
  /** Run cdk-nag during synthesis. @default true */
  readonly nag?: boolean;
  /** The app to add the stacks to. @default a new App */
  readonly app?: App;
  /** Properties for a new App (ignored when `app` is given). */
  readonly appProps?: AppProps;
}

/** The app and its stacks, in target order. */
export interface BuiltApp {
  readonly app: App;
  readonly stacks: PtcAutopilotStack[];
}

/** Creates one stack per target of the config. */
export function buildApp(config: PtcConfig, options: BuildAppOptions = {}): BuiltApp {
  const app = options.app ?? new App(options.appProps);
  const stacks = targets(config).map((target) => new PtcAutopilotStack(app, target.stackName, { config, target }));
  addReplicaStacks(app, config);
  addConsumerStacks(app, config);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks };
}
