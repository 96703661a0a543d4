/**
 * Lambda entry point of copy-images. Thin: builds the clients, logger and metrics once per
 * container, then hands each invocation (a schedule's `{"prefixes": [...]}`, or `{}` for every
 * entry) to `runCopy`. Its role is a pull-time update exclusion when eviction is on, so its reads
 * of the target never count as pulls (infra/constructs/image-copy.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { powertoolsLog, SDK_CLIENT_CONFIG } from '../shared/runtime';
import { COPY_METRICS } from '../../core/lambda-contracts/copy-images/metric-names';
import { CopyRequestError } from '../../core/lambda-contracts/copy-images/schedule-event';
import { COPY_SETTINGS_VARIABLE, decodeCopySettings } from '../../core/lambda-contracts/copy-images/settings';
import { runCopy, type CopyRunReport } from './run';

const config = decodeCopySettings(process.env[COPY_SETTINGS_VARIABLE]);
const ecr = new ECRClient(SDK_CLIENT_CONFIG);
const secrets = config.copies.some((c) => c.credentials) ? new SecretsManagerClient(SDK_CLIENT_CONFIG) : undefined;
const s3 = config.copies.some((c) => c.manifest?.s3) ? new S3Client(SDK_CLIENT_CONFIG) : undefined;
const ssm = config.copies.some((c) => c.manifest?.ssmParameter) ? new SSMClient(SDK_CLIENT_CONFIG) : undefined;
const logger = new Logger();
const metrics = new Metrics();
const units = new Map(COPY_METRICS.map((m) => [m.name, m.unit]));

/** Copies the images of the entries the event names; fails when any image failed. */
export const handler = async (event: unknown, context: Context): Promise<CopyRunReport['counts'] | { rejected: string }> => {
  logger.addContext(context);
  const log = powertoolsLog(logger);
  try {
    const report = await runCopy(event, {
      ecr,
      ...(secrets ? { secrets } : {}),
      ...(s3 ? { s3 } : {}),
      ...(ssm ? { ssm } : {}),
      commands: { GetObjectCommand, GetParameterCommand },
      config,
      log,
      remainingMs: () => context.getRemainingTimeInMillis(),
      metric: (prefix, name, value) => {
        const single = metrics.singleMetric();
        if (prefix !== undefined) single.addDimension('prefix', prefix);
        single.addMetric(name, units.get(name) === 'Bytes' ? 'Bytes' : 'Count', value);
      },
    });
    return report.counts;
  } catch (err) {
    if (err instanceof CopyRequestError) {
      // Bad input: say why and drop it; a retry would fail the same way.
      log.error('copy request rejected', { reason: err.message });
      return { rejected: err.message };
    }
    throw err;
  }
};
