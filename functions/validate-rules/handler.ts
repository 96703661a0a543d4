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
import { powertoolsLog, SDK_CLIENT_CONFIG } from '../shared/runtime';
import { handleValidationEvent, type ValidationResult } from './run';
import { decodeValidationSettings, RULES_VARIABLE } from '../../core/lambda-contracts/validate-rules/settings';
import type { RuleMetrics, ValidationLogger } from './telemetry';

const { rules, secretsKmsKeyArn } = decodeValidationSettings(process.env[RULES_VARIABLE]);
const ecr = new ECRClient(SDK_CLIENT_CONFIG);
const secrets = new SecretsManagerClient(SDK_CLIENT_CONFIG);
const events = new EventBridgeClient(SDK_CLIENT_CONFIG);
const logger = new Logger();
const metrics = new Metrics();
const log: ValidationLogger = powertoolsLog(logger);
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
  return handleValidationEvent(event, rules, {
    ecr,
    secrets,
    events,
    log,
    metrics: ruleMetrics,
    ...(secretsKmsKeyArn !== undefined ? { secretsKmsKeyArn } : {}),
  });
};
