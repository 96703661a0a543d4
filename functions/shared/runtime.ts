/**
 * What every ptc-autopilot Lambda shares: the SDK retry settings and the logger its logic writes
 * through. Handlers build the Powertools Logger and wrap it with `powertoolsLog`; tests pass a
 * recorder with the same four methods.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { FunctionLogger } from '../../core/logger';

export type { FunctionLogger, LogAttributes } from '../../core/logger';

/**
 * SDK client settings of every Lambda: adaptive retry (throttling slows the client down) with five
 * attempts, after which the error is thrown so Lambda's own retry and the DLQ take over.
 * @example
 * const ecr = new ECRClient(SDK_CLIENT_CONFIG);
 */
export const SDK_CLIENT_CONFIG = { retryMode: 'adaptive', maxAttempts: 5 } as const;

/** A `FunctionLogger` writing through Powertools Logger (JSON lines with the invocation context). */
export function powertoolsLog(logger: Logger): FunctionLogger {
  return {
    debug: (message, attributes) => logger.debug(message, attributes ?? {}),
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  };
}
