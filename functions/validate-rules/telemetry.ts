/**
 * What rule validation reports: log lines with `prefix` and `upstream` (the failure text
 * included, never a secret value) and per-prefix metrics (namespace `PtcAutopilot`, dimensions
 * `service` = `validate-rules` and `prefix`), published as they are measured.
 */
import type { FunctionLogger } from '../shared/runtime';

/** `RuleValid` (1 valid, 0 not) and `SyncFailures` (failed pull through cache actions). */
export type RuleMetricName = 'RuleValid' | 'SyncFailures';

export type { LogAttributes } from '../shared/runtime';

/** The logging methods rule validation uses. */
export type ValidationLogger = FunctionLogger;

/** Publishes one value of a metric for one prefix. */
export interface RuleMetrics {
  put(name: RuleMetricName, value: number, prefix: string): void;
}
