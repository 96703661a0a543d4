/**
 * What the prewarm Lambda reports: a log line per image (keys `image`, `repositoryName`, `prefix`,
 * `upstream`, `status`, `reason`; never a token) and five counters published once per invocation
 * as EMF metrics (namespace `PtcAutopilot`, dimension `service` = `prewarm`).
 */

/** The prewarm metrics. `Failures` = images not ok, plus an external list that could not be read. */
export type PrewarmMetricName = 'ImagesOk' | 'ImagesMissing' | 'ImagesDenied' | 'ImagesFailed' | 'Failures';

/** Every metric, in publishing order. */
export const PREWARM_METRIC_NAMES: readonly PrewarmMetricName[] = ['ImagesOk', 'ImagesMissing', 'ImagesDenied', 'ImagesFailed', 'Failures'];

/** Structured attributes of a log line. */
export type LogAttributes = Record<string, unknown>;

/** The logging methods used (Powertools Logger has them). */
export interface PrewarmLogger {
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

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
