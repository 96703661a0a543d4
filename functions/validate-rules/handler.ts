/**
 * Lambda entry point of rule validation. Thin: builds the clients, logger and metrics once per
 * container, then hands each event (the schedule, a direct invocation, or a pull through cache
 * sync event) to `handleValidationEvent`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { handleValidationEvent, type ValidationResult } from './run';
import { decodeRules, RULES_VARIABLE } from './settings';
import type { RuleMetrics, ValidationLogger } from './telemetry';

const rules = decodeRules(process.env[RULES_VARIABLE]);
const sdk = { retryMode: 'adaptive', maxAttempts: 5 } as const;
const ecr = new ECRClient(sdk);
const secrets = new SecretsManagerClient(sdk);
const events = new EventBridgeClient(sdk);
const logger = new Logger();
const metrics = new Metrics();
const log: ValidationLogger = {
  debug: (message, attributes) => logger.debug(message, attributes ?? {}),
  info: (message, attributes) => logger.info(message, attributes ?? {}),
  warn: (message, attributes) => logger.warn(message, attributes ?? {}),
  error: (message, attributes) => logger.error(message, attributes ?? {}),
};
// Each value carries its own `prefix` dimension, so it is published on its own (EMF line).
const ruleMetrics: RuleMetrics = {
  put: (name, value, prefix) => {
    const single = metrics.singleMetric();
    single.addDimension('prefix', prefix);
    single.addMetric(name, MetricUnit.Count, value);
  },
};

/** Validates the rules, or counts a failed sync. */
export const handler = async (event: unknown, context: Context): Promise<ValidationResult> => {
  logger.addContext(context);
  return handleValidationEvent(event, rules, { ecr, secrets, events, log, metrics: ruleMetrics });
};
