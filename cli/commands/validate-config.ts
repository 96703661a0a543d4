import { buildPlan } from '../../core';
import { configPath, readConfig } from '../io';
import type { RegisterCommand } from './types';

/** `ptc validate-config [FILE]`: checks a config file and says what it describes. */
export const registerValidateConfig: RegisterCommand = (program, io) => {
  program
    .command('validate-config')
    .description('check a config file; errors name the field path (exit 1 when invalid)')
    .argument('[file]', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .action((file?: string) => {
      const config = readConfig(io, file);
      const plan = buildPlan(config);
      const envs = plan.environments.map((e) => e.name).join(', ');
      io.stdout(`${configPath(io, file)}: valid (${config.rules.length} rules, ${plan.environments.length} environments: ${envs})\n`);
    });
};
