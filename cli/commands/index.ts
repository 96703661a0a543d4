/** Every `ptc` subcommand. Add one line per command. */
import { registerAudit } from './audit';
import { registerCleanup } from './cleanup';
import { registerDesiredState } from './desired-state';
import { registerPlan } from './plan';
import { registerReconcile } from './reconcile';
import { registerResolve } from './resolve';
import { registerRewrite } from './rewrite';
import { registerKyverno } from './kyverno';
import { registerNodeConfig } from './node-config';
import { registerPrewarm } from './prewarm';
import type { RegisterCommand } from './types';
import { registerValidateConfig } from './validate-config';

export const COMMANDS: readonly RegisterCommand[] = [
  registerValidateConfig,
  registerPlan,
  registerDesiredState,
  registerReconcile,
  registerAudit,
  registerCleanup,
  registerResolve,
  registerRewrite,
  registerKyverno,
  registerPrewarm,
  registerNodeConfig,
];
