/**
 * `ptc plan --storage` and `--storage-from FILE`: the monthly storage cost of what eviction would
 * keep (core/plan-notes/storage.ts), from a report-mode eviction pass over the managed repositories
 * (the engine of `ptc evict`, dry run, no manifest read, nothing written) or from the JSON document
 * `ptc evict --json` printed earlier, so that CI can estimate without AWS credentials.
 */
import * as z from 'zod/mini';
import { primaryTarget, PtcError, truncate, type PtcConfig } from '../../core';
import {
  DEFAULT_STORAGE_PRICES,
  estimateStorage,
  storageWalkConfig,
  type PrefixStorageFigures,
  type StorageEstimate,
  type StoragePrices,
} from '../../core/plan-notes/storage';
import { evict } from '../../engines/evict';
import { readInputFile, type CliIo } from '../io';
import { EvictCredentialsError, loadPins, type EvictEcrFactory } from './evict';

/** The `--storage-from` document is not the JSON `ptc evict --json` prints. */
export class StorageReportError extends PtcError {}

/** A price flag that is not a non-negative number. */
export class StoragePriceError extends PtcError {}

/** The largest `--storage-from` file read. */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;

const count = z.number().check(z.nonnegative());
/** The part of `ptc evict --json` the estimate reads (other keys are ignored). */
const evictJson = z.object({
  registryId: z.optional(z.string()),
  region: z.optional(z.string()),
  totals: z.object({
    prefixes: z.array(
      z.object({
        prefix: z.string(),
        mode: z.enum(['report', 'delete']),
        repositories: count,
        images: count,
        storedBytes: count,
        evictableBytes: count,
        evictedBytes: count,
      }),
    ),
  }),
});

/** Reads a price flag. */
export function parsePrice(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new StoragePriceError(`${flag}: "${truncate(value, 50)}" is not a price in USD per GB-month (such as 0.10)`);
  return n;
}

/** The per-prefix figures of a `ptc evict --json` document. */
export function figuresFromFile(io: CliIo, file: string): { figures: PrefixStorageFigures[]; registryId?: string; region?: string } {
  const { text } = readInputFile(file, { cwd: io.cwd, limit: MAX_REPORT_BYTES });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new StorageReportError(
      `--storage-from ${file}: not JSON (${truncate((err as Error).message, 200)}); give it what ptc evict --json prints`,
    );
  }
  const parsed = z.safeParse(evictJson, raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    throw new StorageReportError(
      `--storage-from ${file}: ${where || 'the document'}: ${truncate(issue.message, 200)} (expected what ptc evict --json prints)`,
    );
  }
  const { registryId, region, totals } = parsed.data;
  return { figures: totals.prefixes, ...(registryId ? { registryId } : {}), ...(region ? { region } : {}) };
}

/** The per-prefix figures of a report-mode pass over `config`'s managed repositories (every prefix: see `storageWalkConfig`). */
export async function figuresFromAws(
  config: PtcConfig,
  environment: string | undefined,
  clients: EvictEcrFactory,
): Promise<{ figures: PrefixStorageFigures[]; registryId: string; region: string; walked: PtcConfig }> {
  const target = primaryTarget(config, environment);
  const walked = storageWalkConfig(config);
  try {
    const report = await evict({
      ecr: clients(target.region),
      config: walked,
      pins: await loadPins(config, target),
      registryId: target.account,
      readManifests: false,
      dryRun: true,
    });
    return { figures: report.prefixes, registryId: target.account, region: target.region, walked };
  } catch (err) {
    if (err instanceof Error && err.name === 'CredentialsProviderError')
      throw new EvictCredentialsError(
        `ptc plan --storage needs AWS credentials for account ${target.account} (${truncate(err.message, 500)}); or pass --storage-from with the output of ptc evict --json`,
      );
    throw err;
  }
}

/** What the storage flags of `ptc plan` ask for. */
export interface StorageOptions {
  readonly storage?: boolean;
  readonly storageFrom?: string;
  readonly storagePrice?: string;
  readonly archivePrice?: string;
  readonly environment?: string;
}

/** The estimate the flags ask for, with where its figures came from; undefined without `--storage` or `--storage-from`. */
export async function storageEstimate(
  io: CliIo,
  config: PtcConfig,
  opts: StorageOptions,
  clients: EvictEcrFactory,
): Promise<(StorageEstimate & { source: string; registryId?: string; region?: string }) | undefined> {
  if (opts.storage !== true && opts.storageFrom === undefined) return undefined;
  if (opts.storage === true && opts.storageFrom !== undefined)
    throw new StoragePriceError('--storage and --storage-from: give one (--storage reads ECR, --storage-from a ptc evict --json file)');
  const prices: StoragePrices = {
    standard: parsePrice('--storage-price', opts.storagePrice, DEFAULT_STORAGE_PRICES.standard),
    archive: parsePrice('--archive-price', opts.archivePrice, DEFAULT_STORAGE_PRICES.archive),
  };
  if (opts.storageFrom !== undefined) {
    const { figures, ...where } = figuresFromFile(io, opts.storageFrom);
    return { ...estimateStorage(config, config, figures, prices), source: opts.storageFrom, ...where };
  }
  const { figures, walked, ...where } = await figuresFromAws(config, opts.environment, clients);
  return { ...estimateStorage(config, walked, figures, prices), source: 'a report-mode pass over ECR', ...where };
}
