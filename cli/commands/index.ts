/**
 * Every `ptc` subcommand, by name, loaded only when it runs: `ptc resolve` never loads the AWS SDK
 * that `ptc reconcile` needs, which keeps the start-up of the compiled CLI short. Add one line per
 * command.
 */
import type { RegisterCommand } from './types';

/** A subcommand's name and how to load the function that registers it. */
export interface CommandModule {
  readonly name: string;
  readonly load: () => Promise<RegisterCommand>;
}

export const COMMAND_MODULES: readonly CommandModule[] = [
  { name: 'validate-config', load: async () => (await import('./validate-config')).registerValidateConfig },
  { name: 'plan', load: async () => (await import('./plan')).registerPlan },
  { name: 'desired-state', load: async () => (await import('./desired-state')).registerDesiredState },
  { name: 'reconcile', load: async () => (await import('./reconcile')).registerReconcile },
  { name: 'audit', load: async () => (await import('./audit')).registerAudit },
  { name: 'cleanup', load: async () => (await import('./cleanup')).registerCleanup },
  { name: 'evict', load: async () => (await import('./evict')).registerEvict },
  { name: 'resolve', load: async () => (await import('./resolve')).registerResolve },
  { name: 'rewrite', load: async () => (await import('./rewrite')).registerRewrite },
  { name: 'kyverno', load: async () => (await import('./kyverno')).registerKyverno },
  { name: 'prewarm', load: async () => (await import('./prewarm')).registerPrewarm },
  { name: 'copy', load: async () => (await import('./copy')).registerCopy },
  { name: 'node-config', load: async () => (await import('./node-config')).registerNodeConfig },
  { name: 'schema', load: async () => (await import('./schema')).registerSchema },
];

/**
 * The register functions of the commands `argv` can run: only the named subcommand when the first
 * argument names one, every command otherwise (help, `--version`, an unknown or misspelt command,
 * which commander answers with the full list).
 */
export async function loadCommands(argv: readonly string[]): Promise<RegisterCommand[]> {
  const first = argv[0];
  const named = COMMAND_MODULES.find((c) => c.name === first);
  const chosen = named ? [named] : COMMAND_MODULES;
  return Promise.all(chosen.map((c) => c.load()));
}
