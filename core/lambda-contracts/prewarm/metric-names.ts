/**
 * The prewarm Lambda's metric names, in a module of their own so the CDK constructs (and the
 * package's type declarations) can name them without depending on Powertools.
 */

/** The prewarm metrics. `Failures` = images not ok, plus an external list that could not be read. */
export type PrewarmMetricName = 'ImagesOk' | 'ImagesMissing' | 'ImagesDenied' | 'ImagesFailed' | 'Failures';

/** Every metric, in publishing order. */
export const PREWARM_METRIC_NAMES: readonly PrewarmMetricName[] = ['ImagesOk', 'ImagesMissing', 'ImagesDenied', 'ImagesFailed', 'Failures'];
