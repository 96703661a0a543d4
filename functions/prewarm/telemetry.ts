/**
 * What the prewarm Lambda reports: a log line per image (keys `image`, `repositoryName`, `prefix`,
 * `upstream`, `status`, `reason`; never a token) and five counters published once per invocation
 * as EMF metrics (namespace `PtcAutopilot`, dimension `service` = `prewarm`).
 */
import type { FunctionLogger } from '../shared/runtime';

import { PREWARM_METRIC_NAMES, type PrewarmMetricName } from '../../core/lambda-contracts/prewarm/metric-names';

export { PREWARM_METRIC_NAMES, type PrewarmMetricName } from '../../core/lambda-contracts/prewarm/metric-names';

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
