import { buildPlan, renderPlan } from '../../core';
import { readConfig } from '../io';
import type { EvictEcrFactory } from './evict';
import type { StorageOptions } from './plan-storage';
import type { RegisterCommand } from './types';

/**
 * `ptc plan [--config FILE] [--json] [--storage | --storage-from FILE]`: what a deploy creates, per
 * environment; with a storage flag also the monthly storage cost of what eviction would keep
 * (cli/commands/plan-storage.ts). Without one it reads no AWS API and loads no SDK.
 */
export function planCommand(clients?: EvictEcrFactory): RegisterCommand {
  return (program, io) => {
    program
      .command('plan')
      .description('print, per environment, every rule, its cache URI pattern and the desired repository settings')
      .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
      .option('--json', 'print JSON instead of text')
      .option(
        '--storage',
        'estimate the monthly storage cost of what eviction would keep: reads the managed repositories as ptc evict --dry-run does (DescribeImages only, nothing written)',
      )
      .option('--storage-from <file>', 'the same estimate from the JSON ptc evict --json printed (no AWS call)')
      .option('--storage-price <usd>', "USD per GB-month of ECR's private storage (https://aws.amazon.com/ecr/pricing/)", '0.10')
      .option('--archive-price <usd>', "USD per GB-month of ECR's archive storage class, for lifecycle.archiveUnpulledDays", '0.10')
      .option('-e, --environment <name>', 'with --storage: the environment whose registry to read (default: the primary one)')
      .action(async (opts: StorageOptions & { config?: string; json?: boolean }) => {
        const config = readConfig(io, opts.config);
        const plan = buildPlan(config);
        const wanted = opts.storage === true || opts.storageFrom !== undefined;
        const storageModule = wanted ? await import('./plan-storage') : undefined;
        const factory = clients ?? (wanted ? (await import('./evict')).defaultEvictEcrFactory : undefined);
        const storage = storageModule && factory ? await storageModule.storageEstimate(io, config, opts, factory) : undefined;
        if (opts.json) {
          io.stdout(`${JSON.stringify(storage ? { ...plan, storage } : plan, null, 2)}\n`);
          return;
        }
        io.stdout(renderPlan(plan));
        if (storage) {
          const { renderStorageEstimate } = await import('../../core/plan-notes/storage');
          const where = storage.registryId ? ` of ${storage.registryId} ${storage.region ?? ''}`.trimEnd() : '';
          io.stdout(`\n${renderStorageEstimate(storage, `from ${storage.source}${where}`)}`);
        }
      });
  };
}

/** `ptc plan` with real AWS clients (built only for `--storage`). */
export const registerPlan: RegisterCommand = planCommand();
