import { buildPlan, renderPlan } from '../../core';
import { readConfig } from '../io';
import type { RegisterCommand } from './types';

/** `ptc plan [--config FILE] [--json]`: what a deploy creates, per environment. */
export const registerPlan: RegisterCommand = (program, io) => {
  program
    .command('plan')
    .description('print, per environment, every rule, its cache URI pattern and the desired repository settings')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option('--json', 'print JSON instead of text')
    .action((opts: { config?: string; json?: boolean }) => {
      const plan = buildPlan(readConfig(io, opts.config));
      io.stdout(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan));
    });
};
