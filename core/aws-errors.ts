/**
 * How an AWS SDK error reads: worth retrying later or not, and its name for logs. Pure (it looks
 * at the error object only), so the engines and the Lambdas share one classification.
 */

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const TRANSIENT_CODES = new Set([
  'RepositoryPolicyContendedError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Whether an error is worth retrying later: throttling, a 5xx from the service, or a network
 * failure. The SDK already retried it (adaptive mode); the caller decides whether to try again.
 */
export function isTransientError(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const e = err as { name?: unknown; code?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (e.$retryable !== undefined) return true;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  if (THROTTLING_CODES.has(name) || TRANSIENT_CODES.has(name) || TRANSIENT_CODES.has(code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/** The error's name, for logs and outcomes (`ThrottlingException`, `RepositoryNotFoundException`). */
export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
