/**
 * What the reconciler reports: structured log lines and five counters, published as EMF metrics
 * (namespace `PtcAutopilot`, dimension `service`) once per invocation.
 */
import type { FunctionLogger } from '../../core/logger';

/** The reconciler's metrics. `SettingsRefused` counts settings ECR refused or that cannot fit (a policy over 10,240 characters). */
export type MetricName = 'ReposConfigured' | 'ReposCompliant' | 'ChangesApplied' | 'EventsDropped' | 'Failures' | 'SettingsRefused';

/** Every metric name, in the order they are published. */
export const METRIC_NAMES: readonly MetricName[] = [
  'ReposConfigured',
  'ReposCompliant',
  'ChangesApplied',
  'EventsDropped',
  'Failures',
  'SettingsRefused',
];

/** Where the business code counts things. */
export interface Counters {
  count(name: MetricName, value?: number): void;
}

export type { LogAttributes } from '../../core/logger';

/** The logging methods the reconciler uses. */
export type ReconcilerLogger = FunctionLogger;

/** A logger that drops everything (for the CLI's own reporting and for benchmarks). */
export const silentLogger: ReconcilerLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Counts in memory; the handler publishes the totals once, so a sweep of 10,000 repos emits one EMF line. */
export class MetricTotals implements Counters {
  /** The totals so far. */
  readonly totals: Record<MetricName, number> = {
    ReposConfigured: 0,
    ReposCompliant: 0,
    ChangesApplied: 0,
    EventsDropped: 0,
    Failures: 0,
    SettingsRefused: 0,
  };

  count(name: MetricName, value = 1): void {
    this.totals[name] += value;
  }
}

/** The part of Powertools Metrics the handler publishes through. */
export interface MetricsSink {
  addMetric(name: string, unit: 'Count', value: number): void;
  publishStoredMetrics(): void;
}

/** Publishes every total, zeros included (so alarms see data, not gaps). */
export function publishTotals(totals: MetricTotals, sink: MetricsSink): void {
  for (const name of METRIC_NAMES) sink.addMetric(name, 'Count', totals.totals[name]);
  sink.publishStoredMetrics();
}
