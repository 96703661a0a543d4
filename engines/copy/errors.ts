/**
 * Named failures of the copy engine. Each message is fit for a report line; none carries a
 * credential (every text taken from a registry's answer is redacted first).
 */

/** The upstream sent bytes that do not hash to the digest asked for; nothing of it is committed. */
export class DigestMismatchError extends Error {
  constructor(
    /** What was fetched: `blob gcr.io/distroless/static@sha256:...`. */
    readonly what: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`${what}: the upstream sent bytes that hash to ${got}, not ${expected}; nothing was committed`);
    this.name = 'DigestMismatchError';
  }
}

/** The upstream's body was cut off (or failed) before its declared size, after every attempt. */
export class UpstreamCutError extends Error {
  constructor(
    readonly what: string,
    readonly reason: string,
  ) {
    super(`${what}: ${reason}`);
    this.name = 'UpstreamCutError';
  }
}

/** The target refused a step of an upload or a manifest (a 4xx other than 401/429). */
export class TargetRefusedError extends Error {
  constructor(
    readonly what: string,
    readonly status: number,
    readonly detail?: string,
  ) {
    super(`${what}: the target answered HTTP ${status}${detail ? ` (${detail})` : ''}`);
    this.name = 'TargetRefusedError';
  }
}

/** An image that cannot be copied as listed (no matching platform, a nested shape not supported). */
export class CopyShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyShapeError';
  }
}
