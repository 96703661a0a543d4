/**
 * The text form of a prewarm report, as `ptc prewarm` prints it: one line per image, then the
 * counts per status.
 */
import type { ImageResult, PrewarmReport } from './engine';

/** `12.3 MB` from a byte count. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function line(r: ImageResult): string {
  const head = `${r.status.padEnd(8)}${r.image}${r.uri ? ` -> ${r.uri}` : ''}`;
  if (r.status !== 'ok') return `${head}\n        ${r.reason ?? ''}`;
  const what = [
    ...(r.platforms.length ? [r.platforms.join(', ')] : []),
    `${r.manifests} manifest${r.manifests === 1 ? '' : 's'}`,
    `${r.blobs} blob${r.blobs === 1 ? '' : 's'}`,
    r.redirects > 0 ? `${r.redirects} already cached (redirected)` : formatBytes(r.bytes),
  ];
  const absent =
    r.absentPlatforms !== undefined && r.absentPlatforms.length > 0 ? `; not in the index: ${r.absentPlatforms.join(', ')}` : '';
  return `${head} (${what.join(', ')}${absent})${r.note ? `\n        ${r.note}` : ''}`;
}

/**
 * Renders a report.
 * @example
 * renderReport(report)
 * // ok      nginx:1.27 -> 127.0.0.1:5001/docker-hub/library/nginx:1.27 (linux/amd64, linux/arm64, 3 manifests, 6 blobs, 42.1 kB)
 * // 1 image prewarmed through http://127.0.0.1:5001: 1 ok, 0 missing, 0 denied, 0 failed
 */
export function renderReport(report: PrewarmReport): string {
  const s = report.summary;
  const lines = report.results.map(line);
  lines.push(
    `${s.images} image${s.images === 1 ? '' : 's'} prewarmed through ${report.registry}: ${s.ok} ok, ${s.missing} missing, ${s.denied} denied, ${s.failed} failed`,
  );
  return `${lines.join('\n')}\n`;
}
