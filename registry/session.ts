/**
 * One registry as ptc-autopilot talks to it, for prewarm (`RegistryClient`) and copies
 * (engines/copy) alike: any method of the distribution API over one keep-alive transport,
 * authenticated by `RegistryAuthenticator` (anonymous, Basic, or Bearer tokens from the registry's
 * realm, with its credential rules and redaction), in a bounded pool of request slots, retried on
 * 429 (honouring `Retry-After`), 5xx and network failures with bounded attempts and delays, each
 * attempt under a headers timeout, an idle timeout and an optional deadline (`RequestTimer`).
 *
 * Redirects are followed only where a request asks for it (a blob `GET` served from object
 * storage), at most 3, and never with the `Authorization` header to another origin.
 */
import type { Readable } from 'node:stream';
import {
  PlainHttpError,
  RegistryAuthError,
  RegistryHttpError,
  RegistryNetworkError,
  RegistryUnreachableError,
} from '../core/prewarm/errors';
import { backoffDelay, DEFAULT_RETRY, Semaphore, sleep, type RetryPolicy } from '../core/prewarm/limits';
import { Redactor } from '../core/prewarm/redact';
import { quote } from '../core/quote';
import { describeCause, RegistryAuthenticator, type Credentials } from './auth';
import { discard, errorDetail, HttpTransport, readAll, type HttpResponse } from './http';
import { RequestTimer } from './request-timer';

/** Options of a `RegistrySession`. */
export interface RegistrySessionOptions {
  /** `https://host[:port]` (or `http://` for a host in `plainHttpHosts`). */
  readonly baseUrl: string;
  /** Basic credentials, also sent to a Bearer token realm. @default anonymous */
  readonly credentials?: Credentials;
  /**
   * Hosts (`host:port` exactly as a URL names them) the session may talk plain HTTP to,
   * credentials included: an `http://` baseUrl must be one of them, and a token realm elsewhere
   * must be HTTPS. @default [] (HTTPS only)
   */
  readonly plainHttpHosts?: readonly string[];
  /** Certificate authorities to trust besides Node's (PEM). @default none */
  readonly ca?: string;
  /** Requests in flight at most. @default 8 */
  readonly concurrency?: number;
  /** Attempts and delays for 429, 5xx and network failures. @default DEFAULT_RETRY */
  readonly retry?: RetryPolicy;
  /** How long to wait for response headers (after the last byte of a streamed body). @default 30000 */
  readonly headersTimeoutMs?: number;
  /** How long a body may stall between two chunks. @default 60000 */
  readonly idleTimeoutMs?: number;
  /**
   * How long one attempt may take in all, headers and body (a request may ask for more). A passed
   * deadline is retried like a network failure. @default none
   */
  readonly deadlineMs?: number;
  /** @default `ptc-autopilot/1` */
  readonly userAgent?: string;
}

/** A request of the session. */
export interface SessionRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** A path (`/v2/...`) or an absolute URL (an upload `Location`). */
  readonly path: string;
  /** The repository, for its Bearer token; undefined for `/v2/`. */
  readonly repository?: string;
  readonly headers?: Record<string, string>;
  /** A Buffer (resent as it is on a retry). */
  readonly body?: Buffer;
  /** What is asked, for messages: `PATCH blob gcr/app@sha256:...`. */
  readonly what: string;
  /** Follow redirects (GET only): a blob served from object storage. @default false */
  readonly followRedirects?: boolean;
  /** The deadline of one attempt, when longer than the session's. */
  readonly deadlineMs?: number;
}

/** A response whose body may still be unread. */
export type SessionResponse = HttpResponse;

/**
 * Thrown by a response handler when the body broke off (or stalled, or did not match): the
 * session retries the request like a network failure.
 */
export class BodyInterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyInterruptedError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The session. One per registry and run; it keeps bearer tokens and the connection pool.
 * @example
 * const session = new RegistrySession({ baseUrl: 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com', credentials });
 * await session.ping();
 * const res = await session.request({ method: 'HEAD', path: '/v2/gcr/app/manifests/v1', repository: 'gcr/app', what: 'HEAD manifest' });
 */
export class RegistrySession {
  /** The registry's origin, without a trailing slash. */
  readonly baseUrl: string;
  /** Scrubs the credentials and tokens of this session from any text built from an answer. */
  readonly redactor = new Redactor();
  /** 429 answers seen (each one waited for), for the report. */
  throttled = 0;
  private readonly auth: RegistryAuthenticator;
  private readonly slots: Semaphore;
  private readonly retry: RetryPolicy;
  private readonly http: HttpTransport;
  private readonly headersTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly deadlineMs: number | undefined;
  private readonly userAgent: string;

  constructor(options: RegistrySessionOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new RangeError(`registry URL must be http(s), got ${quote(options.baseUrl)}`);
    const plainHttpHosts = options.plainHttpHosts ?? [];
    if (url.protocol === 'http:' && !plainHttpHosts.includes(url.host)) throw new PlainHttpError(url.origin);
    this.baseUrl = url.origin;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.slots = new Semaphore(options.concurrency ?? 8);
    // One socket per request slot, and room for a token request beside them.
    this.http = new HttpTransport((options.concurrency ?? 8) + 2, options.ca);
    this.headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.deadlineMs = options.deadlineMs;
    this.userAgent = options.userAgent ?? 'ptc-autopilot/1';
    this.auth = new RegistryAuthenticator(this.baseUrl, options.credentials, (u, init) => this.fetchToken(u, init.headers), {
      plainHttpHosts,
      redactor: this.redactor,
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.http.close();
  }

  /** How the session authenticates now (`basic`, `bearer`, `none`). */
  get authScheme(): 'basic' | 'bearer' | 'none' {
    return this.auth.scheme;
  }

  /**
   * `GET /v2/`: the registry answers and takes the credentials; learns its authentication scheme.
   * @throws RegistryUnreachableError when it cannot be reached or is not a registry
   * @throws RegistryAuthError when it refuses the credentials (or needs some)
   */
  async ping(): Promise<void> {
    let status: number;
    try {
      status = await this.exchange({ method: 'GET', path: '/v2/', what: 'GET /v2/' }, async (res) => {
        discard(res);
        return res.status;
      });
    } catch (err) {
      if (err instanceof RegistryNetworkError) throw new RegistryUnreachableError(this.baseUrl, err.reason);
      throw err;
    }
    if (status === 401 || status === 403)
      throw new RegistryAuthError(
        this.baseUrl,
        this.auth.scheme === 'none' ? 'it needs credentials' : 'it does not accept the credentials given',
      );
    if (status !== 200)
      throw new RegistryUnreachableError(this.baseUrl, `GET /v2/ answered HTTP ${status}; is this an OCI distribution registry?`);
  }

  /**
   * One request with authentication and retries, whose response the caller reads: resolves with
   * any status but a 401 that a token can cure, and 429 and 5xx while attempts remain (the last
   * one is returned). The body stalling longer than the idle timeout fails its reader.
   * @throws RegistryNetworkError when no answer came after every attempt
   */
  async request(spec: SessionRequest): Promise<SessionResponse> {
    return this.exchange(spec, async (res) => {
      res.body.setTimeout(this.idleTimeoutMs, () => res.body.destroy(new Error(`the body stalled for ${this.idleTimeoutMs} ms`)));
      return res;
    });
  }

  /**
   * One request whose body streams from `body` (chunked transfer encoding): sent once, never
   * retried (a stream cannot be replayed), after the usual authentication. A 401 is returned as
   * it is. The caller retries the whole transfer when it fails.
   * @throws RegistryNetworkError when the connection or the body stream fails
   */
  async requestStreaming(spec: Omit<SessionRequest, 'body'>, body: Readable): Promise<SessionResponse> {
    return this.exchange(
      spec,
      async (res) => {
        res.body.setTimeout(this.idleTimeoutMs, () => res.body.destroy(new Error(`the body stalled for ${this.idleTimeoutMs} ms`)));
        return res;
      },
      body,
    );
  }

  /**
   * One request with slots, authentication, retries and timeouts; `handle` reads the response
   * while the request holds its slot and its timer (call `timer.reset()` per body chunk). A
   * `BodyInterruptedError` from `handle` retries the request; any other error ends it. `handle`
   * sees every status except a 401 a new token cured and a 429/5xx with attempts left.
   * @throws RegistryNetworkError after the last attempt, RegistryAuthError, and what `handle` throws
   */
  async exchange<T>(
    spec: SessionRequest,
    handle: (res: SessionResponse, timer: RequestTimer) => Promise<T>,
    stream?: Readable,
  ): Promise<T> {
    const attempts = stream === undefined ? this.retry.attempts : 1;
    let attempt = 0;
    let authRetries = 0;
    for (;;) {
      await this.auth.prepare(spec.repository);
      const sent = this.auth.header(spec.repository);
      const headers: Record<string, string> = { 'user-agent': this.userAgent, 'accept-encoding': 'identity', ...spec.headers };
      if (sent) headers.authorization = sent;
      const release = await this.slots.acquire();
      const timer = new RequestTimer(this.headersTimeoutMs, spec.deadlineMs ?? this.deadlineMs);
      let retryAfter: string | null = null;
      let res: SessionResponse;
      try {
        try {
          res = await this.follow(spec, headers, timer, stream);
        } catch (err) {
          if (err instanceof RegistryHttpError) throw err;
          const reason = this.redactor.truncate(timer.describe('headers') ?? describeCause(err), 300);
          if (attempt + 1 >= attempts) throw new RegistryNetworkError(spec.what, reason);
          throw new BodyInterruptedError(reason);
        }
        timer.reset(this.idleTimeoutMs);
        if (res.status === 401 && stream === undefined) {
          const decision = await this.auth
            .unauthorized(spec.repository, res.header('www-authenticate') ?? null, sent)
            .catch((err: unknown) => {
              discard(res);
              throw err;
            });
          if (decision === 'retry' && authRetries++ < 2) {
            discard(res);
            continue;
          }
        } else if ((res.status === 429 || res.status >= 500) && attempt + 1 < attempts) {
          if (res.status === 429) this.throttled++;
          retryAfter = res.header('retry-after') ?? null;
          discard(res);
          throw new BodyInterruptedError(`HTTP ${res.status}`);
        }
        return await handle(res, timer);
      } catch (err) {
        if (!(err instanceof BodyInterruptedError)) throw err;
        if (attempt + 1 >= attempts) throw new RegistryNetworkError(spec.what, this.redactor.truncate(err.message, 300));
      } finally {
        timer.clear();
        release();
      }
      await sleep(backoffDelay(attempt, this.retry, retryAfter));
      attempt++;
    }
  }

  /** Sends a request, following redirects when asked (GET only, at most 3; credentials only to the registry's own origin). */
  private async follow(
    spec: SessionRequest,
    headers: Record<string, string>,
    timer: RequestTimer,
    stream: Readable | undefined,
  ): Promise<SessionResponse> {
    // A streamed body: the wait for headers starts after its last byte, so every chunk sent restarts the clock.
    const sending = stream === undefined ? undefined : () => timer.reset();
    let url = new URL(spec.path, this.baseUrl);
    for (let hop = 0; ; hop++) {
      const sentHeaders = url.origin === this.baseUrl ? headers : withoutAuthorization(headers);
      const res = await this.http.request(spec.method, url.toString(), sentHeaders, stream ?? spec.body, timer.signal, sending);
      const location = res.header('location');
      if (!spec.followRedirects || spec.method !== 'GET' || !REDIRECTS.has(res.status) || location === undefined) return res;
      discard(res);
      if (hop >= 3) throw new RegistryHttpError(res.status, spec.what, 'more than 3 redirects');
      url = new URL(location, url);
      if (url.protocol !== 'https:' && url.origin !== this.baseUrl)
        throw new RegistryHttpError(res.status, spec.what, `redirect to plain HTTP ${this.redactor.quote(url.origin)} refused`);
    }
  }

  /** A token realm's answer, for the authenticator: no slot, the session's timeouts. */
  private async fetchToken(url: string, headers: Record<string, string>): Promise<{ status: number; json(): Promise<unknown> }> {
    const timer = new RequestTimer(this.headersTimeoutMs, this.deadlineMs);
    let phase: 'headers' | 'body' = 'headers';
    try {
      const res = await this.http.get(url, { 'user-agent': this.userAgent, ...headers }, timer.signal);
      phase = 'body';
      timer.reset(this.idleTimeoutMs);
      const body = await readAll(res, 1024 * 1024);
      return { status: res.status, json: async () => JSON.parse(body.toString('utf8')) as unknown };
    } catch (err) {
      // The message names the cause in a few words; the raw error (socket, request options with their
      // headers) is left off on purpose so that no logger prints what it holds.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(timer.describe(phase) ?? describeCause(err));
    } finally {
      timer.clear();
    }
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  const { authorization: _dropped, ...rest } = headers;
  return rest;
}

/** A non-success answer as the error to report: `GET blob ...: HTTP 404 (BLOB_UNKNOWN: ...)`. */
export async function httpFailure(res: SessionResponse, what: string, redactor: Redactor): Promise<RegistryHttpError> {
  return new RegistryHttpError(res.status, what, await errorDetail(res, redactor));
}
