/**
 * Lambda entry point of eviction. Thin: builds the clients, logger and metrics once per container,
 * then runs one pass per scheduled event (`runEviction`). Its role is a pull-time update exclusion,
 * so the index reads (BatchGetImage) never count as pulls (infra/constructs/image-eviction.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { powertoolsLog, SDK_CLIENT_CONFIG } from '../shared/runtime';
import { EVICT_METRICS } from '../../core/lambda-contracts/evict-images/metric-names';
import { runEviction } from './run';
import { decodeEvictSettings, EVICT_SETTINGS_VARIABLE } from '../../core/lambda-contracts/evict-images/settings';

const config = decodeEvictSettings(process.env[EVICT_SETTINGS_VARIABLE]);
const ecr = new ECRClient(SDK_CLIENT_CONFIG);
const events = new EventBridgeClient(SDK_CLIENT_CONFIG);
const s3 = config.prewarm.manifest?.s3 ? new S3Client(SDK_CLIENT_CONFIG) : undefined;
const ssm = config.prewarm.manifest?.ssmParameter ? new SSMClient(SDK_CLIENT_CONFIG) : undefined;
const logger = new Logger();
const metrics = new Metrics();
const units = new Map(EVICT_METRICS.map((m) => [m.name, m.unit]));

/** Runs one part of an eviction pass (the whole pass unless time runs short); the pass's totals are logged and published per prefix. */
export const handler = async (event: unknown, context: Context): Promise<{ status: string; part?: number; failedCount?: number }> => {
  logger.addContext(context);
  const outcome = await runEviction({
    ecr,
    events,
    event,
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
    ...(s3 ? { s3 } : {}),
    ...(ssm ? { ssm } : {}),
    commands: { GetObjectCommand, GetParameterCommand },
    config,
    log: powertoolsLog(logger),
    metric: (prefix, name, value) => {
      const single = metrics.singleMetric();
      single.addDimension('prefix', prefix);
      single.addMetric(name, units.get(name) === 'Bytes' ? 'Bytes' : 'Count', value);
    },
  });
  if (outcome.status === 'dropped') return { status: outcome.status };
  return { status: outcome.status, part: outcome.part, failedCount: outcome.report.failedCount };
};
