import { desiredState, primaryTarget, targets } from '../../core';
import { checkRepositoryName } from '../../engines/reconcile/errors';
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
    .option(
      '-e, --environment <name>',
      'the environment whose partition the policy ARNs use (needed only when environments span partitions)',
    )
    .action((repositoryName: string, opts: { config?: string; environment?: string }) => {
      const config = readConfig(io, opts.config);
      checkRepositoryName(repositoryName, 'repositoryName');
      // The desired state differs between environments only by the partition of its ARNs.
      const partitions = new Set(targets(config).map((t) => t.partition));
      const partition =
        opts.environment === undefined && partitions.size === 1 ? [...partitions][0]! : primaryTarget(config, opts.environment).partition;
      io.stdout(`${JSON.stringify(desiredState(config, repositoryName, partition), null, 2)}\n`);
    });
};
