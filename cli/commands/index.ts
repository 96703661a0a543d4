/** Every `ptc` subcommand. Add one line per command. */
import { registerPlan } from './plan';
import { registerResolve } from './resolve';
import { registerRewrite } from './rewrite';
import { registerKyverno } from './kyverno';
import type { RegisterCommand } from './types';
import { registerValidateConfig } from './validate-config';

export const COMMANDS: readonly RegisterCommand[] = [
  registerValidateConfig,
  registerPlan,
  registerResolve,
  registerRewrite,
  registerKyverno,
];
