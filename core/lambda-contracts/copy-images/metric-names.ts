/**
 * The copy-images Lambda's metric names, constants only, so the construct that draws and alarms on
 * them imports no Powertools and no SDK. Each is published per prefix (dimension `prefix`) and once
 * more as the run's total (the `service` dimension only), which the alarm watches.
 */

/** A metric the copy-images Lambda publishes. `ImagesLeft`: not started before the timeout's margin; the next run copies them. */
export type CopyMetricName = 'ImagesCopied' | 'ImagesUnchanged' | 'ImagesFailed' | 'ImagesLeft' | 'BytesCopied';

/** Every metric, with its unit, in publishing order. */
export const COPY_METRICS: readonly { readonly name: CopyMetricName; readonly unit: 'Bytes' | 'Count' }[] = [
  { name: 'ImagesCopied', unit: 'Count' },
  { name: 'ImagesUnchanged', unit: 'Count' },
  { name: 'ImagesFailed', unit: 'Count' },
  { name: 'ImagesLeft', unit: 'Count' },
  { name: 'BytesCopied', unit: 'Bytes' },
];
