import { desiredState, primaryTarget } from '../../core';
import { checkRepositoryName } from '../../functions/reconcile-repository/errors';
import { readConfig } from '../io';
import type { RegisterCommand } from './types';

/**
 * `ptc desired-state <repositoryName> [--config FILE]`: prints, as JSON, exactly what the
 * reconciler enforces on that repository (per-prefix overrides applied), or `{"managed": false}`.
 */
export const registerDesiredState: RegisterCommand = (program, io) => {
  program
    .command('desired-state')
    .description('print, as JSON, what the reconciler enforces on a repository ({"managed": false} outside the managed prefixes)')
    .argument('<repositoryName>', 'repository name in the cache registry, such as docker-hub/library/nginx')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .action((repositoryName: string, opts: { config?: string }) => {
      const config = readConfig(io, opts.config);
      checkRepositoryName(repositoryName, 'repositoryName');
      io.stdout(`${JSON.stringify(desiredState(config, repositoryName, primaryTarget(config).partition), null, 2)}\n`);
    });
};
