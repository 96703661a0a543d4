/**
 * The HTTP transport of the registry client: `GET` over node's http/https with keep-alive
 * connection pools. Like `fetch` with `redirect: 'manual'`, a 3xx comes back as it is and is
 * never followed. Node's own http is used instead of `fetch` because fetch's web streams cost
 * twice the CPU and about 60 MB more peak memory over the 1,400 blob reads of a 200-image
 * prewarm (measured; see docs/validation-and-prewarm.md).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';

/** A response whose body has not been read yet. */
export interface HttpResponse {
  readonly status: number;
  /** A response header (lower-case name), joined when repeated. */
  header(name: string): string | undefined;
  /** The body stream; read it, `discard` it or `readAll` it. */
  readonly body: http.IncomingMessage;
}

/** Keep-alive pools for one registry (and its token realm), sized to the request concurrency. */
export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  /** @param ca certificate authorities to trust besides Node's (PEM) */
  constructor(maxSockets: number, ca?: string) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...(ca ? { ca: [...tls.rootCertificates, ca] } : {}) });
  }

  /** `GET url`; resolves when the response headers arrive. Aborting `signal` destroys the request and its body. */
  get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        target,
        { method: 'GET', headers, agent: secure ? this.httpsAgent : this.httpAgent, ...(signal ? { signal } : {}) },
        (res) => {
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => {
              const value = res.headers[name];
              return Array.isArray(value) ? value.join(', ') : value;
            },
            body: res,
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** Closes the idle connections (the process can exit without waiting for keep-alive timeouts). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Reads a whole (small) body, up to `limit` bytes; more is an error. */
export async function readAll(res: HttpResponse, limit: number): Promise<Buffer> {
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
