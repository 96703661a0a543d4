/**
 * The one way ptc-autopilot builds a Lambda: Node.js 22 on arm64, with a log group of bounded
 * retention. In a source checkout the code is bundled at synth by esbuild from node_modules (never
 * through Docker); from the npm package it is the bundle built ahead of time with the same options
 * (`infra/lambda-bundling.ts`), so a consumer's `cdk synth` needs neither esbuild nor our sources.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLE, PREBUILT_ENTRY, findPackageRoot, lambdaCodeSource } from '../lambda-bundling';
import { acknowledgeNag } from '../nag';

/** The package root: the repository in a source checkout, `node_modules/ptc-autopilot` in an install. */
export const PROJECT_ROOT = findPackageRoot(__dirname);

/** The CloudWatch namespace every ptc-autopilot Lambda publishes its EMF metrics in. */
export const METRICS_NAMESPACE = 'PtcAutopilot';

/**
 * A metric a ptc-autopilot Lambda publishes (Powertools adds the `service` dimension, the function
 * folder name), summed unless `options` says otherwise. Alarms and the dashboard read metrics through
 * this, so they watch the namespace the functions write to.
 * @example
 * functionMetric('prewarm', 'Failures', { period: Duration.hours(1) })
 */
export function functionMetric(service: string, metricName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  const { dimensionsMap, ...rest } = options;
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    statistic: 'Sum',
    ...rest,
    dimensionsMap: { service, ...dimensionsMap },
  });
}

/** Properties of a `PtcFunction`. */
export interface PtcFunctionProps {
  /** Folder under `functions/` holding `handler.ts`. */
  readonly functionDir: string;
  /** What the function does, for the console. */
  readonly description: string;
  /** Environment variables. @default {} */
  readonly environment?: Record<string, string>;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Powertools service name. @default the function folder name */
  readonly serviceName?: string;
  /** Reserved concurrency. @default no reservation */
  readonly reservedConcurrentExecutions?: number;
}

/** A bundled Node.js 22 Lambda of ptc-autopilot. */
export class PtcFunction extends Construct {
  /** The function. */
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: PtcFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const common: Omit<lambda.FunctionProps, 'code' | 'handler'> = {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: props.memorySize ?? 256,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? props.functionDir,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    };
    const source = lambdaCodeSource(PROJECT_ROOT, props.functionDir);
    this.function =
      source.kind === 'source'
        ? new nodejs.NodejsFunction(this, 'Function', {
            ...common,
            entry: source.entry,
            handler: 'handler',
            projectRoot: PROJECT_ROOT,
            depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
            bundling: {
              forceDockerBundling: false,
              minify: LAMBDA_BUNDLE.minify,
              keepNames: LAMBDA_BUNDLE.keepNames,
              sourceMap: LAMBDA_BUNDLE.sourcemap,
              target: LAMBDA_BUNDLE.target,
              format: nodejs.OutputFormat.CJS,
              mainFields: [...LAMBDA_BUNDLE.mainFields],
              externalModules: [...LAMBDA_BUNDLE.external],
            },
          })
        : new lambda.Function(this, 'Function', {
            ...common,
            code: lambda.Code.fromAsset(source.dir),
            handler: `${path.basename(PREBUILT_ENTRY, '.js')}.handler`,
          });
    // Every ptc-autopilot Lambda shares these two findings, so they are acknowledged once, here.
    acknowledgeNag(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'ptc-autopilot Lambdas target the Node.js 22 runtime on purpose (PtcFunction); the runtime moves with the project, not per function.',
      },
      {
        id: 'AwsSolutions-IAM4',
        reason:
          'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs; it is the policy Lambda documents for that.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
    ]);
  }
}

/**
 * The dead-letter queue of a function (`DeadLetterQueue` in `scope`): SQS-managed encryption, TLS
 * only, 14 days; cdk-nag's "no DLQ" finding on it is acknowledged, naming `owner`.
 */
export function deadLetterQueue(scope: Construct, owner: string): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeNag(queue, [
    { id: 'AwsSolutions-SQS3', reason: `This queue is itself the dead-letter queue of ${owner}; a DLQ of a DLQ would hide nothing more.` },
  ]);
  return queue;
}
