/**
 * The HTTP transport of the registry session: any method over node's http/https with keep-alive
 * connection pools, a request body as a Buffer (replayable) or a stream (sent once, chunked).
 * Like `fetch` with `redirect: 'manual'`, a 3xx comes back as it is; the session decides whether
 * to follow it. Node's own http is used instead of `fetch` (undici) because fetch's web streams
 * cost twice the CPU and about 60 MB more peak memory over the 1,400 blob reads of a 200-image
 * prewarm (measured; see docs/validation-and-prewarm.md), and for the copy `npm run bench --
 * transport` measured a 256 MiB streamed PATCH at 0.27 s of CPU against fetch's 0.8 to 0.9 s, and
 * 1,000 HEADs at 0.5 s against 2.8 to 3.0 s, downloads about even (docs/copy.md "Performance").
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import * as tls from 'node:tls';
import type { Redactor } from '../core/prewarm/redact';

/** A response whose body has not been read yet. */
export interface HttpResponse {
  readonly status: number;
  /** A response header (lower-case name), joined when repeated. */
  header(name: string): string | undefined;
  /** The body stream; read it, `discard` it or `readAll` it. */
  readonly body: http.IncomingMessage;
  /** The URL that answered (after any redirect the session followed). */
  readonly url: string;
}

/** Keep-alive pools for one registry (and its token realm, and a redirect's storage), sized to the request concurrency. */
export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  /** @param ca certificate authorities to trust besides Node's (PEM) */
  constructor(maxSockets: number, ca?: string) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    // One secure context, built once: an agent given `ca` itself builds a context of Node's ~140 roots
    // plus ours for every new connection (about 90 ms of CPU each) and joins all their PEM text
    // (216 KB) into its pool key on every request (0.4 ms each); measured in docs/copy.md.
    const secureContext = ca ? tls.createSecureContext({ ca: [...tls.rootCertificates, ca] }) : undefined;
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...(secureContext ? { secureContext } : {}) });
  }

  /** `GET url`; resolves when the response headers arrive. Aborting `signal` destroys the request and its body. */
  get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    return this.request('GET', url, headers, undefined, signal);
  }

  /**
   * One request; resolves when the response headers arrive. A Buffer body is sent with its
   * `Content-Length`; a stream body is piped (chunked transfer encoding), and its failure
   * destroys the request; `onChunk` is called for each of its chunks as it is written. Aborting
   * `signal` destroys the request and its response body.
   */
  request(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: Buffer | Readable,
    signal?: AbortSignal,
    onChunk?: () => void,
  ): Promise<HttpResponse> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const all = body !== undefined && Buffer.isBuffer(body) ? { ...headers, 'content-length': String(body.length) } : headers;
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        target,
        { method, headers: all, agent: secure ? this.httpsAgent : this.httpAgent, ...(signal ? { signal } : {}) },
        (res) => {
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
      req.on('error', reject);
      if (body === undefined || Buffer.isBuffer(body)) {
        req.end(body);
      } else {
        body.on('error', (err) => req.destroy(err));
        body.pipe(req);
        // After pipe: a 'data' listener added before it would start the flow with nobody writing.
        if (onChunk) body.on('data', onChunk);
      }
    });
  }

  /** Closes the idle connections (the process can exit without waiting for keep-alive timeouts). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Reads a whole (small) body, up to `limit` bytes; more is an error. */
export async function readAll(res: Pick<HttpResponse, 'body'>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.body.destroy();
      throw new RangeError(`body larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Drops a body: drains a short one (so its connection is reused), destroys a long one. */
export function discard(res: HttpResponse): void {
  const length = Number(res.header('content-length') ?? 'NaN');
  if (Number.isFinite(length) && length <= 64 * 1024) res.body.resume();
  else res.body.destroy();
}

/**
 * The registry's error code and message from an error body (`MANIFEST_UNKNOWN: manifest unknown`),
 * redacted before anything is cut from it, then capped and escaped; undefined when there is none.
 */
export async function errorDetail(res: Pick<HttpResponse, 'body'>, redactor: Redactor): Promise<string | undefined> {
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
    return redactor.truncate(typeof first.message === 'string' && first.message ? `${first.code}: ${first.message}` : first.code, 200);
  }
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return trimmed === '' ? undefined : redactor.truncate(trimmed, 200);
}
