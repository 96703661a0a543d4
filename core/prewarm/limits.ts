/**
 * Bounded concurrency and retry timing for registry requests: a FIFO semaphore and exponential
 * backoff with full jitter that honours `Retry-After`.
 */

/** A counting semaphore; waiters are served in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a whole number of at least 1, got ${limit}`);
  }

  /** Waits for a slot; call the returned function once to give it back. */
  async acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
    } else {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }

  /** Requests holding a slot now. */
  get inUse(): number {
    return this.active;
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How often and how patiently a request is retried after 429, 5xx or a network failure. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 5 */
  readonly attempts: number;
  /** Upper bound of the first delay; doubles with each attempt. @default 250 */
  readonly baseDelayMs: number;
  /** The longest wait between two attempts, `Retry-After` included. @default 10000 */
  readonly maxDelayMs: number;
}

/** The default retry policy: 5 attempts, 250 ms doubling, at most 10 s between attempts. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 10_000 };

/**
 * The wait before attempt `attempt + 1` (attempt counts from 0): full jitter over an exponential
 * bound, or the registry's `Retry-After` (seconds or an HTTP date) when it is longer; never more
 * than `maxDelayMs`.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfter?: string | null,
  random: () => number = Math.random,
  now: number = Date.now(),
): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  let delay = Math.floor(random() * bound);
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const asked = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(asked) && asked > delay) delay = asked;
  }
  return Math.max(0, Math.min(policy.maxDelayMs, delay));
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
