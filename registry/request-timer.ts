/**
 * The clocks of one request attempt: a headers timeout, an idle timeout between body chunks
 * (restarted by every chunk), and an overall deadline that nothing restarts, so a registry
 * dripping a byte at a time cannot hold a request open for ever.
 */

/** Why a timer aborted its request. */
export type TimerCause = 'idle' | 'deadline';

/** Aborts one request attempt when it stalls or when its deadline passes. */
export class RequestTimer {
  private readonly controller = new AbortController();
  private idleTimer?: NodeJS.Timeout;
  private readonly deadlineTimer: NodeJS.Timeout | undefined;
  /** What aborted the request, if a timer did. */
  fired?: TimerCause;
  /** The idle (or headers) timeout in force. */
  idleMs: number;

  /**
   * @param firstMs how long to wait for the response headers
   * @param deadlineMs how long the whole attempt (headers and body) may take; undefined: no deadline
   */
  constructor(
    firstMs: number,
    readonly deadlineMs?: number,
  ) {
    this.idleMs = firstMs;
    this.deadlineTimer = deadlineMs === undefined ? undefined : setTimeout(() => this.abort('deadline'), deadlineMs);
    this.reset(firstMs);
  }

  /** The signal to hand to the request. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Restarts the idle clock (never the deadline), with a new timeout if given. */
  reset(ms: number = this.idleMs): void {
    if (this.fired !== undefined) return;
    this.idleMs = ms;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.abort('idle'), ms);
  }

  /** Stops both clocks. */
  clear(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
  }

  /** Why the attempt was aborted, in words, or undefined when no timer fired. */
  describe(phase: 'headers' | 'body'): string | undefined {
    if (this.fired === 'deadline') return `did not complete within ${this.deadlineMs} ms (the deadline of one attempt)`;
    if (this.fired === 'idle') return phase === 'headers' ? `no answer within ${this.idleMs} ms` : `the body stalled for ${this.idleMs} ms`;
    return undefined;
  }

  private abort(cause: TimerCause): void {
    if (this.fired !== undefined) return;
    this.fired = cause;
    this.clear();
    this.controller.abort();
  }
}
