/**
 * What rule validation reports: log lines with `prefix` and `upstream` (the failure text
 * included, never a secret value) and per-prefix metrics (namespace `PtcAutopilot`, dimensions
 * `service` = `validate-rules` and `prefix`), published as they are measured.
 */

/** `RuleValid` (1 valid, 0 not) and `SyncFailures` (failed pull through cache actions). */
export type RuleMetricName = 'RuleValid' | 'SyncFailures';

/** Structured attributes of a log line. */
export type LogAttributes = Record<string, unknown>;

/** The logging methods used (Powertools Logger has them). */
export interface ValidationLogger {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

/** Publishes one value of a metric for one prefix. */
export interface RuleMetrics {
  put(name: RuleMetricName, value: number, prefix: string): void;
}
