/**
 * Turns image uses into the audit report: one row per distinct image with its pod count, whether
 * it already goes through the cache, which rule covers it, and whether it is pulled straight from
 * Docker Hub (the rate-limit risk).
 */
import { InvalidReferenceError, ecrRegistryHost, primaryTarget, replicationIntent, targets, type PtcConfig } from '../../core';
import {
  createResolver,
  DEFAULT_DIGEST_PINNED,
  digestPinnedPolicy,
  formatReference,
  pinnedReason,
  type DigestPinnedMode,
  type Resolution,
} from '../../core/image-ref';
import { isMirroredHost, kubeletMirrorMap, mirrorMapFor, type CopyMirrorEntry, type MirrorMap } from '../../core/node-config';
import type { ContainerKind, ImageUse } from './extract';

/**
 * `cached`: pulled through a cache registry of this config; `uncached`: a rule covers it but it is
 * still pulled upstream; `uncovered`: no rule covers its registry (or its cache form would break a
 * length limit); `invalid`: not an image reference; `pinned`: digest-pinned, a rule covers it, and
 * the `--digest-pinned` policy leaves it upstream (the cache cannot fetch an uncached digest).
 */
export type AuditStatus = 'cached' | 'uncached' | 'uncovered' | 'invalid' | 'pinned';

/** One distinct image. */
export interface AuditRow {
  /** The normalized reference (`docker.io/library/nginx:1.27`), or the text as written when invalid. */
  image: string;
  /** Distinct pods using it; a workload's pod template (from manifests) counts as one. */
  pods: number;
  status: AuditStatus;
  /** Whether it already goes through the cache (`status` is `cached`); the table's THROUGH CACHE column. */
  throughCache: boolean;
  /** The prefix of the rule (or `copies` entry) that covers it (or serves it, when cached); null when none does. */
  rule: string | null;
  /** Where to pull it from instead, when a rule covers it but it is not yet cached. */
  cacheReference?: string;
  /** Pulled straight from Docker Hub: the anonymous pull rate limit applies. */
  dockerHubDirect: boolean;
  /** Digests the nodes actually run, from the pods' container statuses. */
  digests: string[];
  /** Where in the pod spec it appears. */
  containerKinds: ContainerKind[];
  /** Why it is invalid. */
  error?: string;
  /** Why it is uncovered although a rule names its registry, or what to know about a digest-pinned image. */
  note?: string;
  /** Digest-pinned images a rule covers: whether the digest is known to be cached (listed as name:tag@digest in prewarm.images). */
  digestCached?: boolean;
  /** Counted as through the cache because its nodes mirror its host (`ptc audit --mirror`, or a `mirror` config section). */
  throughMirror?: true;
}

/** The whole audit. */
export interface AuditReport {
  images: AuditRow[];
  summary: {
    images: number;
    pods: number;
    workloads: number;
    cached: number;
    uncached: number;
    uncovered: number;
    invalid: number;
    pinned: number;
    dockerHubDirect: number;
  };
}

const ORDER: Record<AuditStatus, number> = { uncached: 0, pinned: 1, uncovered: 2, invalid: 3, cached: 4 };

/**
 * Every registry host this config puts a cache (or a replica of one) in: each environment's
 * registry and each replication destination's. An image under a managed prefix of any of them
 * already goes through the cache.
 */
export function cacheRegistryHosts(config: PtcConfig): string[] {
  const hosts = new Set<string>();
  for (const t of targets(config)) {
    hosts.add(t.registryHost);
    for (const rule of replicationIntent(config, t)?.rules ?? []) {
      for (const d of rule.destinations) hosts.add(ecrRegistryHost(d.registryId, d.region));
    }
  }
  return [...hosts];
}

/** Options of the audit. */
export interface AuditOptions {
  /** What to do with digest-pinned images, as `ptc rewrite` would. @default 'upstream' */
  digestPinned?: DigestPinnedMode;
  /** Count an image of a host the nodes mirror (the kubelet mirror map of that registry) as through the cache. @default false */
  mirror?: boolean;
}

/**
 * Builds the report. `environment` picks the registry suggested in `cacheReference` (default: the
 * primary target); digest-pinned images are judged by the same policy as `ptc rewrite`, so the
 * `--fail-on-uncached` gate fails exactly on what a rewrite would still change. With `mirror`, an
 * image of a host the nodes mirror counts as through the cache although its reference names the upstream.
 */
export function auditImages(uses: readonly ImageUse[], config: PtcConfig, environment?: string, options: AuditOptions = {}): AuditReport {
  const policy = digestPinnedPolicy(config, options.digestPinned ?? DEFAULT_DIGEST_PINNED);
  const target = primaryTarget(config, environment);
  const primary = createResolver({ config, registryHost: target.registryHost });
  const mirrorMap = options.mirror ? kubeletMirrorMap(mirrorMapFor(config, target)) : undefined;
  const others = cacheRegistryHosts(config).map((registryHost) => createResolver({ config, registryHost }));
  const resolved = new Map<string, Resolution | InvalidReferenceError>();
  const resolve = (image: string): Resolution | InvalidReferenceError => {
    let out = resolved.get(image);
    if (out === undefined) {
      try {
        const first = primary(image);
        out = first.status === 'cached' ? first : (others.map((r) => r(image)).find((r) => r.status === 'cached') ?? policy(first));
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
        out = err;
      }
      resolved.set(image, out);
    }
    return out;
  };

  const rows = new Map<string, { row: AuditRow; owners: Set<string>; digests: Set<string>; kinds: Set<ContainerKind> }>();
  const allOwners = new Set<string>();
  for (const use of uses) {
    allOwners.add(use.owner);
    const r = resolve(use.image);
    const key = r instanceof InvalidReferenceError ? use.image : formatReference(r.reference);
    let entry = rows.get(key);
    if (entry === undefined) {
      const mirrored =
        mirrorMap !== undefined &&
        !(r instanceof InvalidReferenceError) &&
        (r.status === 'resolved' || r.status === 'pinned' || r.status === 'cached') &&
        (isMirroredHost(mirrorMap, r.reference.host) || (r.copy !== undefined && cacheOnlyCopy(mirrorMap, r.reference.host) !== undefined));
      const row = mirrored ? mirroredRow(key, r) : rowFor(key, r);
      entry = { row: withCacheOnlyNote(row, r, mirrorMap), owners: new Set(), digests: new Set(), kinds: new Set() };
      rows.set(key, entry);
    }
    entry.owners.add(use.owner);
    if (use.runningDigest !== undefined) entry.digests.add(use.runningDigest);
    entry.kinds.add(use.containerKind);
  }
  const images = [...rows.values()]
    .map(({ row, owners, digests, kinds }) => ({
      ...row,
      pods: owners.size,
      digests: [...digests].sort(),
      containerKinds: [...kinds].sort(),
    }))
    .sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.pods - a.pods || a.image.localeCompare(b.image));
  const count = (s: AuditStatus) => images.filter((i) => i.status === s).length;
  return {
    images,
    summary: {
      images: images.length,
      pods: [...allOwners].filter((o) => !o.includes(' ')).length,
      workloads: [...allOwners].filter((o) => o.includes(' ')).length,
      cached: count('cached'),
      uncached: count('uncached'),
      uncovered: count('uncovered'),
      invalid: count('invalid'),
      pinned: count('pinned'),
      dockerHubDirect: images.filter((i) => i.dockerHubDirect).length,
    },
  };
}

function rowFor(image: string, r: Resolution | InvalidReferenceError): AuditRow {
  const base = { image, pods: 0, digests: [], containerKinds: [] };
  if (r instanceof InvalidReferenceError)
    return { ...base, status: 'invalid', throughCache: false, rule: null, dockerHubDirect: false, error: r.reason };
  const status: AuditStatus =
    r.status === 'cached' ? 'cached' : r.status === 'resolved' ? 'uncached' : r.status === 'pinned' ? 'pinned' : 'uncovered';
  const pinnedNote = r.status === 'pinned' || (r.status === 'resolved' && r.digestCached === false) ? pinnedReason(r) : undefined;
  const note = r.reason ?? pinnedNote;
  return {
    ...base,
    status,
    ...(note !== undefined ? { note } : {}),
    ...(r.digestCached !== undefined ? { digestCached: r.digestCached } : {}),
    throughCache: status === 'cached',
    rule: r.rule?.prefix ?? r.copy?.prefix ?? null,
    ...(status === 'uncached' ? { cacheReference: r.output } : {}),
    dockerHubDirect: status !== 'cached' && r.reference.host === 'docker.io',
  };
}

/**
 * A covered image whose host the nodes mirror: pulled through the cache under its upstream name. A
 * digest-pinned one keeps the note that its first pull through the mirror fails unless the digest is
 * already cached (ECR fetches from the upstream by tag only).
 */
function mirroredRow(image: string, r: Resolution): AuditRow {
  const pinned = r.status === 'pinned' || (r.status === 'resolved' && r.digestCached === false);
  return {
    image,
    pods: 0,
    digests: [],
    containerKinds: [],
    status: 'cached',
    throughCache: true,
    throughMirror: true,
    rule: r.rule?.prefix ?? r.copy?.prefix ?? null,
    dockerHubDirect: false,
    ...(pinned ? { note: `through the mirror, but ${pinnedReason(r)}` } : {}),
  };
}

/** The cache-only copy mirror of a host (`copies[N].mirror: true`), if the nodes have one. */
function cacheOnlyCopy(map: MirrorMap | undefined, host: string): CopyMirrorEntry | undefined {
  return map?.copies?.find((c) => c.host === host);
}

/**
 * An image a cache-only copy host does not list stays upstream for rewriting, but on nodes that
 * mirror the host it fails to pull: the row says so (docs/copy.md, "Mirror mode").
 */
function withCacheOnlyNote(row: AuditRow, r: Resolution | InvalidReferenceError, map: MirrorMap | undefined): AuditRow {
  if (r instanceof InvalidReferenceError || row.throughCache) return row;
  const copy = cacheOnlyCopy(map, r.reference.host);
  if (copy === undefined) return row;
  const failing = `fails to pull on nodes that mirror ${copy.host} cache only (copies[${copy.index}].mirror)`;
  return { ...row, note: row.note === undefined ? failing : `${row.note}; ${failing}` };
}

const LABEL: Record<AuditStatus, string> = {
  cached: 'yes',
  uncached: 'no',
  uncovered: 'no rule',
  invalid: 'invalid',
  pinned: 'no (pinned)',
};

function where(pods: number, workloads: number): string {
  const parts = [pods > 0 || workloads === 0 ? `${pods} pods` : '', workloads > 0 ? `${workloads} workload templates` : ''].filter(
    (p) => p !== '',
  );
  return parts.join(' and ');
}

/** Renders the report as an aligned table with a summary line. */
export function renderAuditTable(report: AuditReport): string {
  const header = ['IMAGE', 'PODS', 'THROUGH CACHE', 'RULE', 'NOTE'];
  const rows = report.images.map((i) => [
    i.image,
    String(i.pods),
    LABEL[i.status],
    i.rule ?? '-',
    i.error ??
      i.note ??
      (i.dockerHubDirect ? 'Docker Hub pulled directly (rate limits)' : i.throughMirror ? 'through the mirror (node config)' : ''),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const s = report.summary;
  const summary =
    `${s.images} images in ${where(s.pods, s.workloads)}: ${s.cached} through the cache, ${s.uncached} a rule would cover, ${s.uncovered} with no rule` +
    `${s.pinned > 0 ? `, ${s.pinned} digest-pinned left upstream` : ''}` +
    `${s.invalid > 0 ? `, ${s.invalid} invalid` : ''}; ${s.dockerHubDirect} pulled directly from Docker Hub`;
  return `${[line(header), ...rows.map(line), '', summary].join('\n')}\n`;
}
