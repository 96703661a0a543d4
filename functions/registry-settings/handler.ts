/**
 * Lambda entry point of the registry settings custom resource (replication, scanning, registry
 * policy). Thin: builds the ECR client, logger and metrics once per container, then delegates to
 * `onEvent`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ECRClient } from '@aws-sdk/client-ecr';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { PtcError } from '../../core/errors';
import { powertoolsLog, SDK_CLIENT_CONFIG } from '../shared/runtime';
import { onEvent, type OnEventResult } from './on-event';

const ecr = new ECRClient(SDK_CLIENT_CONFIG);
const logger = new Logger();
const metrics = new Metrics();
const log = powertoolsLog(logger);

/** Applies one CloudFormation lifecycle event; a thrown error fails the stack operation with its message. */
export const handler = async (event: CloudFormationCustomResourceEvent, context: Context): Promise<OnEventResult> => {
  logger.addContext(context);
  try {
    const out = await onEvent(event, { ecr, log });
    metrics.addMetric(out.Data.Changed === 'true' ? 'RegistrySettingsWritten' : 'RegistrySettingsUnchanged', MetricUnit.Count, 1);
    return out;
  } catch (err) {
    if (err instanceof PtcError) {
      // Bad input (conflict, limit, properties): the message tells the user what to change.
      logger.warn('registry settings rejected', { reason: err.message, errorName: err.name });
      metrics.addMetric('RegistrySettingsRejected', MetricUnit.Count, 1);
    } else {
      logger.error('registry settings failed', err as Error);
      metrics.addMetric('RegistrySettingsFailed', MetricUnit.Count, 1);
    }
    throw err;
  } finally {
    metrics.publishStoredMetrics();
  }
};
