/**
 * What the prewarm Lambda reports: a log line per image (keys `image`, `repositoryName`, `prefix`,
 * `upstream`, `status`, `reason`; never a token) and five counters published once per invocation
 * as EMF metrics (namespace `PtcAutopilot`, dimension `service` = `prewarm`).
 */
import type { FunctionLogger } from '../shared/runtime';

/** The prewarm metrics. `Failures` = images not ok, plus an external list that could not be read. */
export type PrewarmMetricName = 'ImagesOk' | 'ImagesMissing' | 'ImagesDenied' | 'ImagesFailed' | 'Failures';

/** Every metric, in publishing order. */
export const PREWARM_METRIC_NAMES: readonly PrewarmMetricName[] = ['ImagesOk', 'ImagesMissing', 'ImagesDenied', 'ImagesFailed', 'Failures'];

export type { LogAttributes } from '../shared/runtime';

/** The logging methods the prewarm uses. */
export type PrewarmLogger = Pick<FunctionLogger, 'info' | 'warn' | 'error'>;

/** Where the totals go (Powertools Metrics in the handler). */
export interface MetricsSink {
  addMetric(name: string, unit: 'Count', value: number): void;
  publishStoredMetrics(): void;
}

/** Publishes every total, zeros included, so the failure alarm sees data rather than gaps. */
export function publishPrewarmTotals(totals: Record<PrewarmMetricName, number>, sink: MetricsSink): void {
  for (const name of PREWARM_METRIC_NAMES) sink.addMetric(name, 'Count', totals[name]);
  sink.publishStoredMetrics();
}
