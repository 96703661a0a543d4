/**
 * The eviction Lambda's metric names, constants only, so the construct that draws and alarms on
 * them imports no Powertools and no SDK. Each is published per prefix (dimension `prefix`).
 */

/** A metric the eviction Lambda publishes, per prefix. */
export type EvictMetricName =
  'StoredBytes' | 'StoredImages' | 'EvictableBytes' | 'EvictableImages' | 'EvictedBytes' | 'EvictedImages' | 'EvictionFailures';

/** Every metric, with its unit. */
export const EVICT_METRICS: readonly { readonly name: EvictMetricName; readonly unit: 'Bytes' | 'Count' }[] = [
  { name: 'StoredBytes', unit: 'Bytes' },
  { name: 'StoredImages', unit: 'Count' },
  { name: 'EvictableBytes', unit: 'Bytes' },
  { name: 'EvictableImages', unit: 'Count' },
  { name: 'EvictedBytes', unit: 'Bytes' },
  { name: 'EvictedImages', unit: 'Count' },
  { name: 'EvictionFailures', unit: 'Count' },
];
