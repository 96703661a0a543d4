/**
 * `ptc plan --storage`: the monthly storage cost of what eviction would keep, per prefix, from the
 * per-prefix figures of an eviction pass in report mode (`ptc evict --json`'s `totals.prefixes`).
 * An estimate: ECR bills the bytes it stores, which DescribeImages does not list layer by layer, so a
 * layer two images of a repository share is counted once per image (docs/eviction.md, "Bytes").
 */
import type { PtcConfig } from '../config/schema';
import { effectiveEviction } from '../eviction/settings';
import { effectiveSettings } from '../policy/settings';
import { formatBytes } from '../prewarm/report';
import { STORAGE_USD_PER_GB_MONTH } from './eviction';

/**
 * ECR's archive storage class price per GB-month for the first 150 TB a month: the same as
 * standard storage (https://aws.amazon.com/ecr/pricing/; $0.07 above 150 TB). Archived images are
 * billed for at least 90 days (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html).
 */
export const ARCHIVE_USD_PER_GB_MONTH = 0.1;

/** The prices an estimate uses, in USD per GB-month (GB = 10^9 bytes). */
export interface StoragePrices {
  /** @default STORAGE_USD_PER_GB_MONTH (0.10) */
  readonly standard: number;
  /** @default ARCHIVE_USD_PER_GB_MONTH (0.10) */
  readonly archive: number;
}

/** The default prices. */
export const DEFAULT_STORAGE_PRICES: StoragePrices = { standard: STORAGE_USD_PER_GB_MONTH, archive: ARCHIVE_USD_PER_GB_MONTH };

/** One prefix's figures from an eviction pass (a subset of `ptc evict --json`'s `totals.prefixes[]`). */
export interface PrefixStorageFigures {
  readonly prefix: string;
  /** The mode the pass applied: `report` (nothing deleted) or `delete`. */
  readonly mode: 'report' | 'delete';
  readonly repositories: number;
  readonly images: number;
  readonly storedBytes: number;
  readonly evictableBytes: number;
  readonly evictedBytes: number;
}

/** One prefix's estimate. */
export interface PrefixStorageEstimate {
  readonly prefix: string;
  /** Whether eviction is on for the prefix; off, it keeps everything. */
  readonly eviction: boolean;
  readonly repositories: number;
  readonly images: number;
  readonly storedBytes: number;
  /** What stays once eviction ran (stored minus evictable, or minus evicted after a delete pass). */
  readonly keptBytes: number;
  readonly storedUsdPerMonth: number;
  readonly keptUsdPerMonth: number;
  /** With `lifecycle.archiveUnpulledDays`: the unpulled bytes in the archive class instead of deleted. */
  readonly archive?: {
    readonly archiveUnpulledDays: number;
    /** The days unpulled the figure was measured at (eviction's `unpulledDays` when the prefix evicts). */
    readonly measuredAtDays?: number;
    readonly unpulledBytes: number;
    readonly archiveUsdPerMonth: number;
  };
}

/** The whole estimate. */
export interface StorageEstimate {
  readonly estimate: true;
  readonly pricesUsdPerGbMonth: StoragePrices;
  readonly prefixes: PrefixStorageEstimate[];
  readonly totals: { storedBytes: number; keptBytes: number; storedUsdPerMonth: number; keptUsdPerMonth: number };
  /** How the figures count bytes, said with every estimate. */
  readonly note: string;
}

/** How shared layers are counted, printed with every estimate. */
export const STORAGE_ESTIMATE_NOTE =
  'an estimate: bytes are DescribeImages sizes (an index counts its manifests once), a layer shared by two images is counted for each, so stored and kept bytes are upper bounds';

/** `1 image`, `2 images`, `2 repositories`. */
export const counted = (n: number, noun: string): string =>
  `${n} ${n === 1 ? noun : noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`}`;

const usd = (bytes: number, price: number): number => Math.round((bytes / 1e9) * price * 100) / 100;

/**
 * Eviction settings to measure `config`'s storage with: each prefix without eviction gets a report-mode
 * block at its `lifecycle.archiveUnpulledDays` (what an archive rule would move), or 3650 days, so the
 * pass covers every prefix. Prefixes with eviction keep theirs.
 */
export function storageWalkConfig<C extends Pick<PtcConfig, 'rules' | 'repositories'>>(config: C): C {
  if (config.repositories.eviction !== undefined) return config;
  const overrides = [...(config.repositories.overrides ?? [])];
  for (const rule of config.rules) {
    if (effectiveEviction(config, rule.prefix) !== undefined) continue;
    const unpulledDays = effectiveSettings(config, rule.prefix).lifecycle.archiveUnpulledDays ?? 3650;
    const at = overrides.findIndex((o) => o.prefix === rule.prefix);
    const eviction = { unpulledDays, mode: 'report' as const, protect: [] };
    if (at === -1) overrides.push({ prefix: rule.prefix, eviction });
    else overrides[at] = { ...overrides[at]!, eviction };
  }
  return { ...config, repositories: { ...config.repositories, overrides } };
}

/**
 * The estimate for `figures`, measured with `walked`'s eviction settings (`storageWalkConfig(config)`
 * for a pass of its own, `config` itself for `ptc evict --json` output). A prefix without eviction in
 * `config` keeps everything; its evictable figure only measures what an archive rule would move.
 * @example
 * estimateStorage(config, config, report.prefixes, DEFAULT_STORAGE_PRICES).totals.keptUsdPerMonth // 12.34
 */
export function estimateStorage(
  config: Pick<PtcConfig, 'repositories'>,
  walked: Pick<PtcConfig, 'repositories'>,
  figures: readonly PrefixStorageFigures[],
  prices: StoragePrices,
): StorageEstimate {
  const prefixes = figures.map((f): PrefixStorageEstimate => {
    const eviction = effectiveEviction(config, f.prefix) !== undefined;
    const measuredAtDays = effectiveEviction(walked, f.prefix)?.unpulledDays;
    const removed = !eviction ? 0 : f.mode === 'delete' ? f.evictedBytes : f.evictableBytes;
    const keptBytes = Math.max(0, f.storedBytes - removed);
    const archiveDays = effectiveSettings(config, f.prefix).lifecycle.archiveUnpulledDays;
    return {
      prefix: f.prefix,
      eviction,
      repositories: f.repositories,
      images: f.images,
      storedBytes: f.storedBytes,
      keptBytes,
      storedUsdPerMonth: usd(f.storedBytes, prices.standard),
      keptUsdPerMonth: usd(keptBytes, prices.standard),
      ...(archiveDays !== undefined
        ? {
            archive: {
              archiveUnpulledDays: archiveDays,
              ...(measuredAtDays !== undefined ? { measuredAtDays } : {}),
              unpulledBytes: f.evictableBytes,
              archiveUsdPerMonth: usd(f.evictableBytes, prices.archive),
            },
          }
        : {}),
    };
  });
  const storedBytes = prefixes.reduce((n, p) => n + p.storedBytes, 0);
  const keptBytes = prefixes.reduce((n, p) => n + p.keptBytes, 0);
  return {
    estimate: true,
    pricesUsdPerGbMonth: prices,
    prefixes,
    totals: {
      storedBytes,
      keptBytes,
      storedUsdPerMonth: usd(storedBytes, prices.standard),
      keptUsdPerMonth: usd(keptBytes, prices.standard),
    },
    note: STORAGE_ESTIMATE_NOTE,
  };
}

/** The estimate as text: a heading naming `origin` (where the figures come from), one line per prefix, a total. */
export function renderStorageEstimate(e: StorageEstimate, origin: string): string {
  const money = (n: number) => `$${n.toFixed(2)}`;
  const lines = [
    `Storage estimate, ${origin}, at $${e.pricesUsdPerGbMonth.standard} per GB-month (${e.note}):`,
    ...e.prefixes.flatMap((p) => {
      const kept = p.eviction
        ? `eviction would keep ${formatBytes(p.keptBytes)} (${money(p.keptUsdPerMonth)} a month)`
        : `eviction off: all kept`;
      const line = `  ${p.prefix}: ${counted(p.repositories, 'repository')}, ${counted(p.images, 'image')}, ${formatBytes(p.storedBytes)} stored (${money(p.storedUsdPerMonth)} a month); ${kept}`;
      if (p.archive === undefined) return [line];
      return [
        line,
        `    archive rule (${p.archive.archiveUnpulledDays} days unpulled): ${formatBytes(p.archive.unpulledBytes)} unpulled for ${p.archive.measuredAtDays ?? '?'} days would move to the archive class at $${e.pricesUsdPerGbMonth.archive} per GB-month (${money(p.archive.archiveUsdPerMonth)} a month, billed at least 90 days, not pullable until restored)`,
      ];
    }),
    `  total: ${formatBytes(e.totals.storedBytes)} stored (${money(e.totals.storedUsdPerMonth)} a month), ${formatBytes(e.totals.keptBytes)} kept (${money(e.totals.keptUsdPerMonth)} a month)`,
  ];
  return `${lines.join('\n')}\n`;
}
