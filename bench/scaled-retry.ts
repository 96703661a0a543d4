/**
 * The retry strategy the benchmarks give their ECR clients: the SDK's standard-mode decisions with
 * a scaled-down backoff, so a run against a fake that throttles 10% of calls takes seconds.
 */
import type { ECRClientConfig } from '@aws-sdk/client-ecr';

/** The client's retry strategy interface (the SDK's v2 one), as `ECRClientConfig` declares it. */
export type RetryStrategyV2 = Extract<NonNullable<ECRClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;

/**
 * Standard-mode retry decisions with a scaled backoff, written against the client's public
 * `retryStrategy` option so the benchmark needs no package beyond the SDK clients: throttling and
 * transient errors (as the SDK classifies them) are retried until `maxAttempts` calls were made,
 * each after `random() * baseMs * 2^attempt` ms; anything else is thrown at once.
 */
export function scaledStandardRetry(maxAttempts: number, baseMs: number): RetryStrategyV2 {
  const token = (count: number, delay: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => delay });
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const attempt = previous.getRetryCount() + 1;
      if (attempt >= maxAttempts || (info.errorType !== 'THROTTLING' && info.errorType !== 'TRANSIENT')) {
        throw info.error ?? new Error(`not retried (${info.errorType})`);
      }
      return token(attempt, Math.round(Math.random() * baseMs * 2 ** attempt));
    },
    recordSuccess: () => {},
  };
}
