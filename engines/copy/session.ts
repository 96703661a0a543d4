/**
 * One registry as the copy engine talks to it: any method of the distribution API (GET, HEAD,
 * POST, PATCH, PUT, DELETE) over node's http/https with keep-alive, authenticated by the prewarm
 * client's `RegistryAuthenticator` (anonymous, Basic, or Bearer tokens from the registry's realm,
 * with its credential rules and redaction), retried on 429 (honouring `Retry-After`), 5xx and
 * network failures with bounded attempts and delays. Request bodies are Buffers (one upload
 * chunk at most), so a retry resends exactly the same bytes and memory stays bounded.
 *
 * Redirects are followed for GET only (a blob served from object storage), at most 3, and
 * never with the Authorization header to another origin.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import * as tls from 'node:tls';
import { describeCause, RegistryAuthenticator, type Credentials } from '../../registry/auth';
import {
  PlainHttpError,
  RegistryAuthError,
  RegistryHttpError,
  RegistryNetworkError,
  RegistryUnreachableError,
} from '../../core/prewarm/errors';
import { backoffDelay, DEFAULT_RETRY, Semaphore, sleep, type RetryPolicy } from '../../core/prewarm/limits';
import { Redactor } from '../../core/prewarm/redact';
import { quote } from '../../core/quote';

/** Options of a `RegistrySession`. */
export interface RegistrySessionOptions {
  /** `https://host[:port]` (or `http://` for a host in `plainHttpHosts`). */
  readonly baseUrl: string;
  /** Basic credentials, also sent to a Bearer token realm. @default anonymous */
  readonly credentials?: Credentials;
  /** Hosts (`host:port`) allowed over plain HTTP. @default [] */
  readonly plainHttpHosts?: readonly string[];
  /** Extra certificate authorities (PEM). @default none */
  readonly ca?: string;
  /** Requests in flight at most. @default 8 */
  readonly concurrency?: number;
  /** Attempts and delays for 429, 5xx and network failures. @default DEFAULT_RETRY */
  readonly retry?: RetryPolicy;
  /** How long a request may wait for headers, or a body stall between chunks. @default 60000 */
  readonly idleTimeoutMs?: number;
}

/** A request of the session. */
export interface SessionRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** A path (`/v2/...`) or an absolute URL (an upload `Location`). */
  readonly path: string;
  /** The repository, for its Bearer token; undefined for `/v2/`. */
  readonly repository?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  /** What is asked, for messages: `PATCH blob gcr/app@sha256:...`. */
  readonly what: string;
}

/** A response whose body may still be unread. */
export interface SessionResponse {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: http.IncomingMessage;
  /** The URL that answered (after redirects). */
  readonly url: string;
}

const USER_AGENT = 'ptc-autopilot-copy/1';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The session. One per registry and run. */
export class RegistrySession {
  readonly baseUrl: string;
  /** Scrubs the credentials and tokens of this session from any text built from an answer. */
  readonly redactor = new Redactor();
  /** 429 answers seen (each one waited for), for the report. */
  throttled = 0;
  private readonly auth: RegistryAuthenticator;
  private readonly slots: Semaphore;
  private readonly retry: RetryPolicy;
  private readonly idleTimeoutMs: number;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(options: RegistrySessionOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new RangeError(`registry URL must be http(s), got ${quote(options.baseUrl)}`);
    const plainHttpHosts = options.plainHttpHosts ?? [];
    if (url.protocol === 'http:' && !plainHttpHosts.includes(url.host)) throw new PlainHttpError(url.origin);
    this.baseUrl = url.origin;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    const sockets = (options.concurrency ?? 8) + 2;
    this.slots = new Semaphore(options.concurrency ?? 8);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: sockets });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: sockets,
      ...(options.ca ? { ca: [...tls.rootCertificates, options.ca] } : {}),
    });
    this.auth = new RegistryAuthenticator(
      this.baseUrl,
      options.credentials,
      async (u, init) => {
        const res = await this.send('GET', u, { 'user-agent': USER_AGENT, ...init.headers });
        const body = await readSmall(res.body, 1024 * 1024);
        return { status: res.status, json: async () => JSON.parse(body.toString('utf8')) as unknown };
      },
      { plainHttpHosts, redactor: this.redactor },
    );
  }

  /** Closes idle connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * `GET /v2/`: the registry answers and takes the credentials.
   * @throws RegistryUnreachableError, RegistryAuthError
   */
  async ping(): Promise<void> {
    let res: SessionResponse;
    try {
      res = await this.request({ method: 'GET', path: '/v2/', what: 'GET /v2/' });
    } catch (err) {
      if (err instanceof RegistryNetworkError) throw new RegistryUnreachableError(this.baseUrl, err.reason);
      throw err;
    }
    res.body.resume();
    if (res.status === 401 || res.status === 403)
      throw new RegistryAuthError(
        this.baseUrl,
        this.auth.scheme === 'none' ? 'it needs credentials' : 'it does not accept the credentials given',
      );
    if (res.status !== 200)
      throw new RegistryUnreachableError(this.baseUrl, `GET /v2/ answered HTTP ${res.status}; is this an OCI distribution registry?`);
  }

  /**
   * One request with authentication and retries. Resolves with any status but 401 (after the
   * token dance), 429 and 5xx (retried; the last one is returned); the caller reads the body.
   * @throws RegistryNetworkError when no answer came after every attempt
   */
  async request(spec: SessionRequest): Promise<SessionResponse> {
    let attempt = 0;
    let authRetries = 0;
    for (;;) {
      await this.auth.prepare(spec.repository);
      const sent = this.auth.header(spec.repository);
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...spec.headers };
      if (sent) headers.authorization = sent;
      const release = await this.slots.acquire();
      let retryAfter: string | undefined;
      try {
        const res = await this.follow(spec, headers);
        if (res.status === 401 && authRetries < 2) {
          const challenge = res.header('www-authenticate') ?? null;
          res.body.resume();
          release();
          if ((await this.auth.unauthorized(spec.repository, challenge, sent)) === 'retry') {
            authRetries++;
            continue;
          }
          return res;
        }
        if ((res.status === 429 || res.status >= 500) && attempt + 1 < this.retry.attempts) {
          if (res.status === 429) this.throttled++;
          retryAfter = res.header('retry-after');
          res.body.resume();
        } else {
          return res;
        }
      } catch (err) {
        if (err instanceof RegistryAuthError || err instanceof RegistryHttpError) throw err;
        if (attempt + 1 >= this.retry.attempts) throw new RegistryNetworkError(spec.what, this.redactor.truncate(describeCause(err), 300));
      } finally {
        release();
      }
      await sleep(backoffDelay(attempt, this.retry, retryAfter ?? null));
      attempt++;
    }
  }

  /**
   * One request whose body streams from `body` (chunked transfer encoding): sent once, never
   * retried (a stream cannot be replayed), after the usual authentication. A 401 is returned as
   * it is. The caller retries the whole transfer when it fails.
   * @throws the transport's error when the connection or the body stream fails
   */
  async requestStreaming(spec: Omit<SessionRequest, 'body'>, body: Readable): Promise<SessionResponse> {
    await this.auth.prepare(spec.repository);
    const sent = this.auth.header(spec.repository);
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...spec.headers };
    if (sent) headers.authorization = sent;
    const release = await this.slots.acquire();
    try {
      return await this.send(spec.method, new URL(spec.path, this.baseUrl).toString(), headers, body);
    } finally {
      release();
    }
  }

  /** Sends a request, following GET redirects (at most 3; credentials only to the registry's own origin). */
  private async follow(spec: SessionRequest, headers: Record<string, string>): Promise<SessionResponse> {
    let url = new URL(spec.path, this.baseUrl);
    for (let hop = 0; ; hop++) {
      const own = url.origin === this.baseUrl;
      const sentHeaders = own ? headers : withoutAuthorization(headers);
      const res = await this.send(spec.method, url.toString(), sentHeaders, spec.body);
      const location = res.header('location');
      if (spec.method !== 'GET' || !REDIRECTS.has(res.status) || location === undefined) return res;
      res.body.resume();
      if (hop >= 3) throw new RegistryHttpError(res.status, spec.what, 'more than 3 redirects');
      url = new URL(location, url);
      if (url.protocol !== 'https:' && url.origin !== this.baseUrl)
        throw new RegistryHttpError(res.status, spec.what, `redirect to plain HTTP ${this.redactor.quote(url.origin)} refused`);
    }
  }

  private send(method: string, url: string, headers: Record<string, string>, body?: Buffer | Readable): Promise<SessionResponse> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const all = body === undefined || !Buffer.isBuffer(body) ? headers : { ...headers, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        target,
        { method, headers: all, agent: secure ? this.httpsAgent : this.httpAgent },
        (res) => {
          // A body that stalls longer than the idle timeout fails its reader.
          res.setTimeout(this.idleTimeoutMs, () => res.destroy(new Error(`the body stalled for ${this.idleTimeoutMs} ms`)));
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => {
              const value = res.headers[name];
              return Array.isArray(value) ? value.join(', ') : value;
            },
            body: res,
            url,
          });
        },
      );
      req.setTimeout(this.idleTimeoutMs, () => req.destroy(new Error(`no answer within ${this.idleTimeoutMs} ms`)));
      req.on('error', reject);
      if (body === undefined || Buffer.isBuffer(body)) {
        req.end(body);
      } else {
        body.on('error', (err) => req.destroy(err));
        body.pipe(req);
      }
    });
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  const { authorization: _dropped, ...rest } = headers;
  return rest;
}

/** Reads a small body whole; more than `limit` bytes is an error. */
export async function readSmall(body: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new RangeError(`body larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** The registry's error code and message from an error body, redacted and short (`BLOB_UPLOAD_INVALID: ...`). */
export async function errorDetail(res: SessionResponse, redactor: Redactor): Promise<string | undefined> {
  let text: string;
  try {
    text = redactor.redact((await readSmall(res.body, 16 * 1024)).toString('utf8'));
  } catch {
    return undefined; // unreadable: the status says enough
  }
  try {
    const doc = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = Array.isArray(doc.errors) ? doc.errors[0] : undefined;
    if (first && typeof first.code === 'string')
      return redactor.truncate(typeof first.message === 'string' && first.message ? `${first.code}: ${first.message}` : first.code, 200);
  } catch {
    // not the distribution error format: the raw text below
  }
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return trimmed === '' ? undefined : redactor.truncate(trimmed, 200);
}

/** A non-success answer as the error the engine reports. */
export async function httpFailure(res: SessionResponse, what: string, redactor: Redactor): Promise<RegistryHttpError> {
  return new RegistryHttpError(res.status, what, await errorDetail(res, redactor));
}
