/**
 * Bounded retries of a whole ECR call after a transient failure (throttling, 5xx, network). The
 * client already retries each call with the SDK's adaptive strategy (`retryMode: 'adaptive'`);
 * these rounds are what is left when a burst outlasts it, with a doubling pause in between.
 */
import { isTransientError } from '../../core/aws-errors';

/** How the engine retries. */
export interface RetryOptions {
  /** Extra attempts after a transient failure. @default 4 */
  readonly rounds?: number;
  /** Pause before the first extra attempt, doubled each time. @default 500 */
  readonly delayMs?: number;
  /** Waits; replaced in tests. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call`, trying again after a transient failure up to `rounds` times.
 * @throws the last error, or at once an error that is not transient
 */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const rounds = options.rounds ?? 4;
  const delay = options.delayMs ?? 500;
  const sleep = options.sleep ?? timer;
  for (let round = 0; ; round++) {
    try {
      return await call();
    } catch (err) {
      if (round >= rounds || !isTransientError(err)) throw err;
      await sleep(delay * 2 ** round);
    }
  }
}
