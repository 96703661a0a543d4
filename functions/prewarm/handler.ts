/**
 * Lambda entry point of the prewarm. Thin: builds the clients, logger and metrics once per
 * container, then hands each invocation (the schedule, or `{"images": [...]}` on demand) to
 * `runPrewarm`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { powertoolsLog, SDK_CLIENT_CONFIG } from '../shared/runtime';
import { PrewarmRequestError } from './errors';
import { newTotals, runPrewarm, type PrewarmInvocationResult } from './run';
import { decodePrewarmSettings, SETTINGS_VARIABLE } from '../../core/lambda-contracts/prewarm/settings';
import { publishPrewarmTotals, type PrewarmLogger } from './telemetry';

const config = decodePrewarmSettings(process.env[SETTINGS_VARIABLE]);
const ecr = new ECRClient(SDK_CLIENT_CONFIG);
const s3 = config.prewarm.manifest?.s3 ? new S3Client(SDK_CLIENT_CONFIG) : undefined;
const ssm = config.prewarm.manifest?.ssmParameter ? new SSMClient(SDK_CLIENT_CONFIG) : undefined;
const logger = new Logger();
const metrics = new Metrics();
const log: PrewarmLogger = powertoolsLog(logger);

/** Prewarms the configured images (or those of an on-demand request) through the private registry. */
export const handler = async (event: unknown, context: Context): Promise<PrewarmInvocationResult | { rejected: string }> => {
  logger.addContext(context);
  const totals = newTotals();
  try {
    return await runPrewarm(event, { ecr, ...(s3 ? { s3 } : {}), ...(ssm ? { ssm } : {}), config, log, totals });
  } catch (err) {
    if (err instanceof PrewarmRequestError) {
      // Bad input: say why and drop it; a retry would fail the same way.
      log.error('prewarm request rejected', { reason: err.message });
      return { rejected: err.message };
    }
    throw err;
  } finally {
    publishPrewarmTotals(totals, {
      addMetric: (name, unit, value) => metrics.addMetric(name, unit, value),
      publishStoredMetrics: () => metrics.publishStoredMetrics(),
    });
  }
};
