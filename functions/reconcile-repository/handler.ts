/**
 * Lambda entry point of the repository reconciler. Thin: builds the clients, logger and metrics
 * once per container, then hands every event to `handleEvent`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { powertoolsLog, SDK_CLIENT_CONFIG } from '../shared/runtime';
import { handleEvent, type InvocationResult } from './run';
import { settingsFromEnv } from '../../core/lambda-contracts/reconcile-repository/settings';
import { MetricTotals, publishTotals, type ReconcilerLogger } from '../../engines/reconcile/telemetry';

const settings = settingsFromEnv(process.env);
const ecr = new ECRClient(SDK_CLIENT_CONFIG);
const events = new EventBridgeClient(SDK_CLIENT_CONFIG);
const logger = new Logger();
const metrics = new Metrics();
const log: ReconcilerLogger = powertoolsLog(logger);

/** Reconciles the repository an event names, or sweeps every managed repository. */
export const handler = async (event: unknown, context: Context): Promise<InvocationResult> => {
  logger.addContext(context);
  const totals = new MetricTotals();
  try {
    return await handleEvent(event, {
      ecr,
      events,
      config: settings.config,
      partition: settings.partition,
      concurrency: settings.concurrency,
      log,
      metrics: totals,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
    });
  } finally {
    publishTotals(totals, {
      addMetric: (name, unit, value) => metrics.addMetric(name, unit, value),
      publishStoredMetrics: () => metrics.publishStoredMetrics(),
    });
  }
};
