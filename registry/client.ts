/**
 * A small OCI distribution client with exactly what prewarming needs: `GET /v2/`, `GET` a
 * manifest, and `GET` a blob that is either left at the registry's redirect (ECR answers with a
 * 307 to S3 once the layer is cached) or streamed to nowhere, chunk by chunk, with its digest
 * checked and never held in memory. Every request takes a slot of one bounded pool, retries 429,
 * 5xx and network failures with backoff, and authenticates through `RegistryAuthenticator`.
 */
import { DigestVerifier, digestAlgorithm } from '../core/prewarm/digest';
import {
  BlobSizeError,
  ManifestFormatError,
  PlainHttpError,
  RegistryAuthError,
  RegistryHttpError,
  RegistryNetworkError,
  RegistryUnreachableError,
} from '../core/prewarm/errors';
import { backoffDelay, DEFAULT_RETRY, Semaphore, sleep, type RetryPolicy } from '../core/prewarm/limits';
import { MANIFEST_ACCEPT } from '../core/prewarm/manifest';
import { Redactor } from '../core/prewarm/redact';
import type { FetchedManifest, PrewarmRegistry, TouchedBlob } from '../core/prewarm/registry-port';
import { quote, truncate } from '../core/quote';
import { describeCause, RegistryAuthenticator, type Credentials } from './auth';
import { discard, HttpTransport, readAll, type HttpResponse } from './http';
import { RequestTimer } from './request-timer';

export type { FetchedManifest, TouchedBlob } from '../core/prewarm/registry-port';

/** Options of a `RegistryClient`. */
export interface RegistryClientOptions {
  /** `https://host[:port]`, or `http://host[:port]` for a plain-HTTP registry. */
  readonly baseUrl: string;
  /** Basic credentials (also sent to a bearer token realm). @default anonymous */
  readonly credentials?: Credentials;
  /**
   * Hosts (`host:port` exactly as a URL names them, such as `127.0.0.1:5000`) the client may
   * talk plain HTTP to, credentials included: an `http://` baseUrl must be one of them, and a
   * token realm on another host must be HTTPS. `ptc prewarm --insecure-http` allows the
   * `--registry-url` host and no other.
   * @default [] (HTTPS only)
   */
  readonly plainHttpHosts?: readonly string[];
  /** Certificate authorities to trust besides Node's (PEM), for a registry with a private CA. @default none */
  readonly ca?: string;
  /** Requests in flight at most. @default 8 */
  readonly concurrency?: number;
  /** @default DEFAULT_RETRY (5 attempts, 250 ms doubling, at most 10 s apart) */
  readonly retry?: RetryPolicy;
  /** How long to wait for response headers. @default 30000 */
  readonly headersTimeoutMs?: number;
  /** How long a body may stall between two chunks. @default 60000 */
  readonly idleTimeoutMs?: number;
  /**
   * How long one attempt of a request may take in all, headers and body, however steadily the
   * bytes drip: `/v2/`, a token, a manifest. A blob gets this plus its size at
   * `blobMinBytesPerSecond`. A passed deadline is retried like a network failure.
   * @default 120000
   */
  readonly deadlineMs?: number;
  /** The slowest transfer a blob's deadline allows for. @default 262144 (256 KiB/s) */
  readonly blobMinBytesPerSecond?: number;
}

/** The largest manifest the client reads; a bigger body is not a manifest a runtime would pull. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const USER_AGENT = 'ptc-autopilot-prewarm/1';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Thrown inside a body read; the request is retried like a network failure. */
class BodyInterrupted extends Error {}

/**
 * The client. One instance per registry and run; it keeps bearer tokens and the connection pool.
 * @example
 * const client = new RegistryClient({ baseUrl: 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com', credentials });
 * await client.ping();
 * const m = await client.getManifest('docker-hub/library/nginx', '1.27');
 */
export class RegistryClient implements PrewarmRegistry {
  /** The registry's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** Knows the credentials and tokens of this client; scrubs them from text built from the registry's answers. */
  readonly redactor = new Redactor();
  private readonly auth: RegistryAuthenticator;
  private readonly slots: Semaphore;
  private readonly retry: RetryPolicy;
  private readonly http: HttpTransport;
  private readonly headersTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly deadlineMs: number;
  private readonly blobMinBytesPerSecond: number;

  constructor(options: RegistryClientOptions) {
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
    this.deadlineMs = options.deadlineMs ?? 120_000;
    this.blobMinBytesPerSecond = options.blobMinBytesPerSecond ?? 256 * 1024;
    this.auth = new RegistryAuthenticator(
      this.baseUrl,
      options.credentials,
      async (u, init) => {
        const timer = new RequestTimer(this.headersTimeoutMs, this.deadlineMs);
        let phase: 'headers' | 'body' = 'headers';
        try {
          const res = await this.http.get(u, { 'user-agent': USER_AGENT, ...init.headers }, timer.signal);
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
      },
      { plainHttpHosts, redactor: this.redactor },
    );
  }

  /** Closes the client's idle connections. */
  close(): void {
    this.http.close();
  }

  /** How the client authenticates now (`basic`, `bearer`, `none`). */
  get authScheme(): string {
    return this.auth.scheme;
  }

  /**
   * Checks that the registry answers `GET /v2/` and accepts the credentials, and learns its
   * authentication scheme.
   * @throws RegistryUnreachableError when it cannot be reached or is not a registry
   * @throws RegistryAuthError when it refuses the credentials (or needs some)
   */
  async ping(): Promise<void> {
    try {
      await this.exchange({ path: '/v2/', what: 'GET /v2/' }, async (res) => {
        discard(res);
        if (res.status !== 200) throw new RegistryHttpError(res.status, 'GET /v2/');
      });
    } catch (err) {
      if (err instanceof RegistryNetworkError) throw new RegistryUnreachableError(this.baseUrl, err.reason);
      if (err instanceof RegistryHttpError) {
        if (err.status === 401 || err.status === 403) {
          throw new RegistryAuthError(
            this.baseUrl,
            this.auth.scheme === 'none' ? 'it needs credentials' : 'it does not accept the credentials given',
          );
        }
        throw new RegistryUnreachableError(this.baseUrl, `GET /v2/ answered HTTP ${err.status}; is this an OCI distribution registry?`);
      }
      throw err;
    }
  }

  /**
   * `GET /v2/<repository>/manifests/<reference>` with the four manifest media types accepted.
   * @throws RegistryHttpError (404: unknown; 401/403: denied), RegistryNetworkError, ManifestFormatError
   */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    // A tag has no ':'; a digest reference is verified in its own algorithm (refused before any request when it cannot be).
    const byDigest = reference.includes(':');
    if (byDigest) digestAlgorithm(reference);
    const what = `manifest ${repository}${byDigest ? '@' : ':'}${reference}`;
    return this.exchange(
      { path: `/v2/${repository}/manifests/${reference}`, repository, accept: MANIFEST_ACCEPT, what },
      async (res, idle) => {
        if (res.status !== 200) throw new RegistryHttpError(res.status, what, await errorDetail(res, this.redactor));
        const declared = Number(res.header('content-length') ?? '0');
        if (declared > MAX_MANIFEST_BYTES) {
          discard(res);
          throw new ManifestFormatError(`${what} is ${declared} bytes; a manifest is at most ${MAX_MANIFEST_BYTES}`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        const hash = byDigest ? DigestVerifier.for(reference) : new DigestVerifier('sha256');
        await readBody(res, idle, (chunk) => {
          size += chunk.length;
          if (size > MAX_MANIFEST_BYTES) throw new ManifestFormatError(`${what} is larger than ${MAX_MANIFEST_BYTES} bytes`);
          hash.update(chunk);
          chunks.push(chunk);
        });
        const digest = hash.digest();
        if (byDigest && reference !== digest) throw new ManifestFormatError(`${what} does not match its digest (got ${digest})`);
        const contentType = res.header('content-type');
        return { digest, body: Buffer.concat(chunks, size), ...(contentType ? { contentType } : {}) };
      },
    );
  }

  /**
   * `GET /v2/<repository>/blobs/<digest>`: stops at a redirect, otherwise reads the whole body
   * (so a pull-through proxy fetches and stores all of it) and checks its sha256 or sha512 digest.
   * @throws RegistryHttpError (404: not in the registry; 401/403: denied), RegistryNetworkError
   * @throws DigestError, before any request, for a digest it cannot verify
   * @throws BlobSizeError when the body is longer than `size` (the descriptor's): reading stops at `size + 1` bytes
   */
  async touchBlob(repository: string, digest: string, size: number): Promise<TouchedBlob> {
    digestAlgorithm(digest);
    const what = `blob ${repository}@${digest}`;
    const deadlineMs = this.deadlineMs + Math.ceil((size / this.blobMinBytesPerSecond) * 1000);
    return this.exchange({ path: `/v2/${repository}/blobs/${digest}`, repository, what, deadlineMs }, async (res, idle) => {
      if (REDIRECTS.has(res.status)) {
        discard(res);
        return { bytes: 0, redirected: true };
      }
      if (res.status !== 200) throw new RegistryHttpError(res.status, what, await errorDetail(res, this.redactor));
      const declared = res.header('content-length');
      if (declared !== undefined && Number(declared) !== size) {
        res.body.destroy();
        throw new BlobSizeError(
          what,
          `the registry declares ${this.redactor.quote(declared, 24)} bytes (Content-Length), the manifest ${size}`,
        );
      }
      const hash = DigestVerifier.for(digest);
      let bytes = 0;
      await readBody(res, idle, (chunk) => {
        bytes += chunk.length;
        if (bytes > size)
          throw new BlobSizeError(what, `the body is longer than the ${size} bytes the manifest declares (stopped after ${bytes})`);
        hash.update(chunk);
      });
      if (bytes < size) throw new BodyInterrupted(`the body was cut off after ${bytes} of ${size} bytes`);
      const got = hash.digest();
      if (got !== digest) throw new BodyInterrupted(`the body does not match the digest (got ${got} after ${bytes} bytes)`);
      return { bytes, redirected: false };
    });
  }

  /**
   * One request with slots, authentication, retries and timeouts. `handle` reads the response;
   * a `BodyInterrupted` (or a stalled body) from it retries the request.
   */
  private async exchange<T>(
    spec: { path: string; repository?: string; accept?: string; what: string; deadlineMs?: number },
    handle: (res: HttpResponse, timer: RequestTimer) => Promise<T>,
  ): Promise<T> {
    let attempt = 0;
    let authRetries = 0;
    for (;;) {
      await this.auth.prepare(spec.repository);
      const sent = this.auth.header(spec.repository);
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' };
      if (spec.accept) headers.accept = spec.accept;
      if (sent) headers.authorization = sent;
      const release = await this.slots.acquire();
      const idle = new RequestTimer(this.headersTimeoutMs, spec.deadlineMs ?? this.deadlineMs);
      let retryAfter: string | null = null;
      try {
        // Like fetch with redirect: 'manual': a 3xx comes back as it is and is never followed.
        const res = await this.http.get(`${this.baseUrl}${spec.path}`, headers, idle.signal);
        idle.reset(this.idleTimeoutMs);
        if (res.status === 401) {
          const challenge = res.header('www-authenticate') ?? null;
          const detail = await errorDetail(res, this.redactor);
          release();
          const decision = await this.auth.unauthorized(spec.repository, challenge, sent);
          if (decision === 'retry' && authRetries++ < 2) continue;
          throw new RegistryHttpError(401, spec.what, detail);
        }
        if (res.status === 429 || res.status >= 500) {
          retryAfter = res.header('retry-after') ?? null;
          const detail = await errorDetail(res, this.redactor);
          if (attempt + 1 >= this.retry.attempts) throw new RegistryHttpError(res.status, spec.what, detail);
        } else {
          return await handle(res, idle);
        }
      } catch (err) {
        if (
          err instanceof RegistryHttpError ||
          err instanceof ManifestFormatError ||
          err instanceof RegistryAuthError ||
          err instanceof BlobSizeError
        )
          throw err;
        const reason = this.redactor.truncate(
          err instanceof BodyInterrupted ? err.message : (idle.describe('headers') ?? describeCause(err)),
          300,
        );
        if (attempt + 1 >= this.retry.attempts) throw new RegistryNetworkError(spec.what, reason);
      } finally {
        idle.clear();
        release();
      }
      await sleep(backoffDelay(attempt, this.retry, retryAfter));
      attempt++;
    }
  }
}

/** Reads a body chunk by chunk; a failure mid-body becomes `BodyInterrupted` (retried). */
async function readBody(res: HttpResponse, idle: RequestTimer, onChunk: (chunk: Buffer) => void): Promise<void> {
  const expected = Number(res.header('content-length') ?? 'NaN');
  let received = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      idle.reset();
      received += chunk.length;
      onChunk(chunk);
    }
  } catch (err) {
    if (err instanceof ManifestFormatError || err instanceof BlobSizeError) {
      res.body.destroy();
      throw err;
    }
    throw new BodyInterrupted(idle.describe('body') ?? `the body was cut off (${describeCause(err)})`);
  }
  // A connection closed early can end the stream without an error; the length tells.
  if (Number.isFinite(expected) && received < expected)
    throw new BodyInterrupted(`the body was cut off after ${received} of ${expected} bytes`);
}

/**
 * The registry's error code and message from an error body (`MANIFEST_UNKNOWN: manifest unknown`),
 * redacted before anything is cut from it, then capped and escaped.
 */
async function errorDetail(res: HttpResponse, redactor: Redactor): Promise<string | undefined> {
  let text: string;
  try {
    text = redactor.redact((await readAll(res, 16 * 1024)).toString('utf8'));
  } catch {
    return undefined; // an unreadable error body: the status says enough
  }
  let doc: { errors?: { code?: unknown; message?: unknown }[] } | undefined;
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    doc = undefined; // not the distribution error format; the raw text is used
  }
  const first = Array.isArray(doc?.errors) ? doc.errors[0] : undefined;
  if (first && typeof first.code === 'string') {
    return truncate(typeof first.message === 'string' && first.message ? `${first.code}: ${first.message}` : first.code, 200);
  }
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return trimmed === '' ? undefined : truncate(trimmed, 200);
}
