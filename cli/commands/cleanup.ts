import { ECRClient } from '@aws-sdk/client-ecr';
import { InvalidArgumentError, Option } from 'commander';
import { PtcError, primaryTarget, suggestName, truncate } from '../../core';
import { executeCleanup, planCleanup, type CleanupCandidate } from '../cleanup/cleanup';
import { readConfig, type CliIo } from '../io';
import type { RegisterCommand } from './types';

/** Builds the ECR client for a region. Tests inject their own; the CLI builds a real one. */
export type EcrClientFactory = (region: string) => ECRClient;

/** The real factory: the caller's credentials, adaptive retries. */
export const defaultEcrClientFactory: EcrClientFactory = (region) => new ECRClient({ region, retryMode: 'adaptive', maxAttempts: 5 });

/** No AWS credentials, or credentials that cannot be used: said plainly instead of an SDK trace. */
export class CleanupCredentialsError extends PtcError {}

interface CleanupOptions {
  config?: string;
  environment?: string;
  account?: string;
  region?: string;
  prefix?: string[];
  unusedDays?: number;
  dryRun?: boolean;
  yes?: boolean;
  format: 'table' | 'json';
}

function positiveDays(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('must be a whole number of days, at least 1');
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function day(d: Date | undefined): string {
  return d === undefined ? 'never' : d.toISOString().slice(0, 10);
}

function renderTable(candidates: readonly CleanupCandidate[], deleting: boolean): string {
  const header = ['REPOSITORY', 'IMAGES', 'LAST USED', 'ACTION'];
  const rows = candidates.map((c) => [
    c.repositoryName,
    String(c.images),
    day(c.lastUsed),
    c.action === 'delete' ? (deleting ? 'delete' : 'would delete') : `keep (${c.reason})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n'
  );
}

/**
 * `ptc cleanup`: lists, then (with `--yes`) deletes cache repositories under the managed prefixes,
 * optionally one prefix, optionally only those unused for N days. A dry run is the default.
 */
export function cleanupCommand(clients: EcrClientFactory = defaultEcrClientFactory): RegisterCommand {
  return (program, io: CliIo, state) => {
    program
      .command('cleanup')
      .description('list (default) or delete (--yes) cache repositories under the managed prefixes; never anything outside them')
      .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
      .option('-e, --environment <name>', 'the environment whose registry to clean (default: the primary one)')
      .option('--account <id>', 'clean this account instead (a replication destination, say)')
      .option('--region <region>', 'clean this region instead (a replication destination, say)')
      .option('--prefix <prefix>', 'only this managed prefix (repeatable)', collect)
      .option('--unused-days <n>', 'only repositories with no pull or push for this many days', positiveDays)
      .option('--dry-run', 'show what would be deleted (the default)')
      .option('--yes', 'delete the repositories listed, with their images')
      .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
      .action(async (opts: CleanupOptions) => {
        if (opts.yes && opts.dryRun) throw new PtcError('ptc cleanup: give --dry-run or --yes, not both');
        const config = readConfig(io, opts.config);
        const managed = config.rules.map((r) => r.prefix);
        for (const p of opts.prefix ?? []) {
          const copyIndex = config.copies.findIndex((c) => c.prefix === p);
          if (copyIndex >= 0) {
            // A copy is fetched again by no pull (only by the next copy run): cleanup never deletes copy repositories.
            throw new PtcError(
              `--prefix ${p}: copies[${copyIndex}].prefix; ptc cleanup deletes cache repositories only, never copies (no pull fetches a copy again); remove the image from copies[${copyIndex}].images and delete its repository yourself`,
            );
          }
          if (!managed.includes(p)) {
            // A prefix is at most 30 characters; a longer value is no typo of one (and costs no edit distance).
            const hint = p.length <= 64 ? suggestName(p, managed) : undefined;
            throw new PtcError(
              `--prefix ${truncate(p)}: not a managed prefix${hint === undefined ? `; managed prefixes are: ${managed.join(', ')}` : `; did you mean "${hint}"?`}`,
            );
          }
        }
        const target = primaryTarget(config, opts.environment);
        const registryId = opts.account ?? target.account;
        const region = opts.region ?? target.region;
        if (!/^\d{12}$/.test(registryId)) throw new PtcError(`--account ${truncate(registryId)}: must be a 12-digit account ID`);
        const prefixes = opts.prefix ?? managed;
        const deleting = opts.yes === true;
        const ecr = clients(region);
        try {
          const candidates = await planCleanup(ecr, {
            registryId,
            prefixes,
            now: new Date(),
            ...(opts.unusedDays !== undefined ? { unusedDays: opts.unusedDays } : {}),
          });
          const doomed = candidates.filter((c) => c.action === 'delete');
          const images = doomed.reduce((n, c) => n + c.images, 0);
          const where = `${registryId} ${region} under ${prefixes.map((p) => `${p}/`).join(', ')}`;
          if (!deleting) {
            io.stdout(
              opts.format === 'json'
                ? `${JSON.stringify({ registryId, region, dryRun: true, candidates }, null, 2)}\n`
                : renderTable(candidates, false),
            );
            if (opts.format !== 'json') {
              io.stdout(
                `\ndry run: would delete ${doomed.length} of ${candidates.length} repositories in ${where} (${images} images). Nothing was deleted; run again with --yes to delete them.\n`,
              );
            }
            return;
          }
          const result = await executeCleanup(ecr, registryId, candidates);
          if (opts.format === 'json') {
            io.stdout(
              `${JSON.stringify({ registryId, region, dryRun: false, candidates, deleted: result.deleted.map((c) => c.repositoryName), failed: result.failed }, null, 2)}\n`,
            );
          } else {
            io.stdout(renderTable(candidates, true));
            io.stdout(
              `\ndeleted ${result.deleted.length} repositories in ${where} (${result.deleted.reduce((n, c) => n + c.images, 0)} cached images)${result.failed.length > 0 ? `; ${result.failed.length} failed` : ''}\n`,
            );
          }
          for (const f of result.failed) io.stderr(`failed to delete ${truncate(f.repositoryName, 300)}: ${truncate(f.message, 500)}\n`);
          if (result.failed.length > 0) state.code = 1;
        } catch (err) {
          if (err instanceof Error && err.name === 'CredentialsProviderError') {
            throw new CleanupCredentialsError(
              `ptc cleanup needs AWS credentials for account ${registryId} (${truncate(err.message, 500)})`,
            );
          }
          throw err;
        }
      });
  };
}

/** `ptc cleanup` with real AWS clients. */
export const registerCleanup: RegisterCommand = cleanupCommand();
