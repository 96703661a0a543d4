/**
 * `ptc evict --config FILE [--dry-run] [--json]`: the eviction pass (engines/evict) from a
 * workstation with the caller's AWS credentials. Each prefix's `repositories.eviction.mode`
 * decides whether it deletes; `--dry-run` reports whatever the mode. Exit 0 for a report, a dry run
 * and a delete that removed everything it meant to; 1 when any deletion failed (each is named).
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { primaryTarget, PtcError, truncate, type PtcConfig, type Target } from '../../core';
import { pinnedImages, type GroupDecision, type PinnedImages } from '../../core/eviction';
import { loadManifestImages } from '../../engines/prewarm';
import { monthlyStorageCost, STORAGE_USD_PER_GB_MONTH } from '../../core/plan-notes/eviction';
import { formatBytes } from '../../core/prewarm/report';
import { counted } from '../../core/plan-notes/storage';
import { evict, type EvictReport, type PrefixTotals, type RepositoryResult } from '../../engines/evict';
import { readConfig, type CliIo } from '../io';
import type { RegisterCommand } from './types';

/** No AWS credentials, or credentials that cannot be used: said plainly instead of an SDK trace. */
export class EvictCredentialsError extends PtcError {}

/** One group as `--json` prints it. */
export interface EvictJsonGroup {
  readonly prefix: string;
  readonly repository: string;
  readonly tags: readonly string[];
  readonly digests: readonly string[];
  /** ISO time of the latest recorded pull of a member; null when none was ever pulled. */
  readonly lastPull: string | null;
  readonly bytes: number;
  readonly action: 'evict' | 'keep';
  readonly reason: string;
  /** The digests the group deletes (or would): members a kept group shares stay. */
  readonly deletes: readonly string[];
}

/** Builds the ECR client for a region. Tests inject their own; the CLI builds a real one. */
export type EvictEcrFactory = (region: string) => ECRClient;

/** The CLI's ECR client: the SDK's adaptive retry, 5 attempts. */
export const defaultEvictEcrFactory: EvictEcrFactory = (region) => new ECRClient({ region, retryMode: 'adaptive', maxAttempts: 5 });

export { formatBytes };

function jsonGroup(prefix: string, g: GroupDecision): EvictJsonGroup {
  return {
    prefix,
    repository: g.repository,
    tags: g.tags,
    digests: g.digests,
    lastPull: g.lastPull?.toISOString() ?? null,
    bytes: g.bytes,
    action: g.action,
    reason: g.reason,
    deletes: g.deletes,
  };
}

function textLines(result: RepositoryResult, io: CliIo): void {
  const verb = result.mode === 'delete' ? 'evicted' : 'would evict';
  for (const g of result.plan.groups) {
    if (g.action !== 'evict' || g.deletes.length === 0) continue;
    const name = `${g.repository}${g.tags.length > 0 ? `:${g.tags.join(',')}` : `@${g.digests[0]!.slice(0, 19)}`}`;
    io.stdout(`${verb} ${name} (${counted(g.deletes.length, 'image')}, ${formatBytes(g.freedBytes)}): ${g.reason}\n`);
  }
}

/** What stays stored once the pass (or, in report mode, a delete-mode pass) is done. */
function keptBytes(p: PrefixTotals): number {
  return Math.max(0, p.storedBytes - (p.mode === 'delete' ? p.evictedBytes : p.evictableBytes));
}

function summary(report: EvictReport): string {
  if (report.prefixes.length === 0) return 'eviction is off for every prefix (no repositories.eviction block)\n';
  return report.prefixes
    .map((p) => {
      const moved =
        p.mode === 'delete'
          ? `${counted(p.evictedImages, 'image')} evicted (${formatBytes(p.evictedBytes)})${p.failedImages > 0 ? `, ${p.failedImages} failed` : ''}`
          : `${counted(p.evictableImages, 'image')} evictable (${formatBytes(p.evictableBytes)}), nothing deleted`;
      const kept = keptBytes(p);
      return `${p.prefix}: ${counted(p.repositories, 'repository')}, ${counted(p.images, 'image')}, ${formatBytes(p.storedBytes)} stored; ${moved}; ${formatBytes(kept)} kept (about $${monthlyStorageCost(kept).toFixed(2)} a month at $${STORAGE_USD_PER_GB_MONTH} per GB-month)${p.ignored > 0 ? `; ${p.ignored} ignored (ptc-autopilot:ignore=true)` : ''}\n`;
    })
    .join('');
}

/**
 * The images eviction never touches (prewarm images, the prewarm manifest read with the caller's
 * credentials, copies), resolved to `target`'s cache repositories.
 */
export async function loadPins(config: PtcConfig, target: Target): Promise<PinnedImages> {
  const manifest = config.prewarm.manifest;
  let extra: { image: string; source: string }[] = [];
  if (manifest?.s3 !== undefined || manifest?.ssmParameter !== undefined) {
    const source = manifest.s3 ? `s3://${manifest.s3.bucket}/${manifest.s3.key}` : `ssm:${manifest.ssmParameter}`;
    const images = await loadManifestImages(manifest, {
      ...(manifest.s3 ? { s3: new (await import('@aws-sdk/client-s3')).S3Client({ region: target.region }) } : {}),
      ...(manifest.ssmParameter ? { ssm: new (await import('@aws-sdk/client-ssm')).SSMClient({ region: target.region }) } : {}),
    });
    extra = images.map((image) => ({ image, source }));
  }
  return pinnedImages(config, target.registryHost, extra);
}

/** `ptc evict` with an injectable ECR client factory. */
export function evictCommand(clients: EvictEcrFactory = defaultEvictEcrFactory): RegisterCommand {
  return (program, io, state) => {
    program
      .command('evict')
      .description(
        'evict cached images nobody pulled for repositories.eviction.unpulledDays: report (the default mode) or delete, by image group',
      )
      .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
      .option('-e, --environment <name>', 'the environment whose registry to walk (default: the primary one)')
      .option('--dry-run', 'report what would be evicted, whatever the mode')
      .option('--json', 'print one JSON document: groups and totals')
      .option(
        '--read-manifests',
        'read image indexes with BatchGetImage to know their children exactly; ECR counts it as a pull unless your role is a pull-time update exclusion',
      )
      .action(async (opts: { config?: string; environment?: string; dryRun?: boolean; json?: boolean; readManifests?: boolean }) => {
        const config = readConfig(io, opts.config);
        const target = primaryTarget(config, opts.environment);
        const pins = await loadPins(config, target);
        const groups: EvictJsonGroup[] = [];
        const onRepository = (r: RepositoryResult) => {
          if (opts.json) groups.push(...r.plan.groups.map((g) => jsonGroup(r.prefix, g)));
          else textLines(r, io);
        };
        if (!opts.json)
          io.stdout(`${opts.dryRun ? 'dry run: ' : ''}evicting in ${target.account} ${target.region} (environment ${target.name})\n`);
        let report: EvictReport;
        try {
          report = await evict({
            ecr: clients(target.region),
            config,
            pins,
            registryId: target.account,
            readManifests: opts.readManifests === true,
            dryRun: opts.dryRun === true,
            onRepository,
          });
        } catch (err) {
          if (err instanceof Error && err.name === 'CredentialsProviderError')
            throw new EvictCredentialsError(
              `ptc evict needs AWS credentials for account ${target.account} (${truncate(err.message, 500)})`,
            );
          throw err;
        }
        if (opts.json) {
          const sum = (
            k: 'images' | 'storedBytes' | 'evictableImages' | 'evictableBytes' | 'evictedImages' | 'evictedBytes' | 'failedImages',
          ) => report.prefixes.reduce((n, p) => n + p[k], 0);
          const totals = {
            images: sum('images'),
            storedBytes: sum('storedBytes'),
            evictableImages: sum('evictableImages'),
            evictableBytes: sum('evictableBytes'),
            evictedImages: sum('evictedImages'),
            evictedBytes: sum('evictedBytes'),
            failedImages: sum('failedImages'),
            keptBytes: report.prefixes.reduce((n, p) => n + keptBytes(p), 0),
            monthlyStorageCostKeptUsd: Number(monthlyStorageCost(report.prefixes.reduce((n, p) => n + keptBytes(p), 0)).toFixed(2)),
            prefixes: report.prefixes,
          };
          io.stdout(
            `${JSON.stringify({ registryId: target.account, region: target.region, dryRun: opts.dryRun === true, groups, totals, failures: report.failures }, null, 2)}\n`,
          );
        } else {
          io.stdout(summary(report));
        }
        for (const f of report.failures) {
          const what =
            f.digest === ''
              ? `failed to evict in ${truncate(f.repository, 300)}`
              : `failed to delete ${truncate(f.repository, 300)}@${f.digest}`;
          io.stderr(`${what}: ${truncate(f.code, 100)}: ${truncate(f.reason, 500)}\n`);
        }
        if (report.failedCount > report.failures.length)
          io.stderr(`... and ${report.failedCount - report.failures.length} more failures\n`);
        if (report.failedCount > 0) state.code = 1;
      });
  };
}

/** `ptc evict` with real AWS clients. */
export const registerEvict: RegisterCommand = evictCommand();
