/**
 * A TLS proxy on 127.0.0.1 in front of a real registry, forwarding every request (method, path,
 * headers, body) and answer, except where the test's rule injects a fault: cut the body after some
 * bytes, send other bytes of the same length, answer a status (429 with `Retry-After`, a refused
 * PATCH), drop the connection as a registry that has disappeared, or forward to another path. The `Host` header is
 * forwarded as it came, so distribution's upload `Location`s point back at the proxy. Every
 * request is recorded; the proxy answers at most `MAX_REQUESTS`, so no loop can run away.
 */
import { createServer as createHttpsServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from '../prewarm/hostile-registry';

/** What to do with one request. */
export type Fault =
  | { kind: 'cut'; afterBytes: number }
  | { kind: 'corrupt' }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'drop' }
  /** Forward the request to this path instead (a blob mount turned into a plain upload, as ECR without BLOB_MOUNTING answers). */
  | { kind: 'rewrite'; path: string };

/** A request the proxy saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** The request's `Content-Range` (upload chunks). */
  readonly contentRange?: string;
  /** The status the client got (set when the answer's headers went out). */
  status?: number;
}

/** The most requests one proxy answers. */
export const MAX_REQUESTS = 2000;

/** The proxy. */
export class FaultProxy {
  readonly requests: SeenRequest[] = [];
  address = '';
  /** Decides the fault of each request (undefined: forward as it is). */
  rule: (req: SeenRequest, index: number) => Fault | undefined = () => undefined;
  private server?: Server;

  constructor(
    private readonly backend: string,
    private readonly cert: TestCertificate,
  ) {}

  async start(): Promise<this> {
    this.server = createHttpsServer({ cert: this.cert.cert, key: this.cert.key }, (req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.address = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Requests matching a method and a path pattern. */
  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.path)).length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const range = req.headers['content-range'];
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      ...(typeof range === 'string' ? { contentRange: range } : {}),
    };
    this.requests.push(seen);
    if (this.requests.length > MAX_REQUESTS) {
      res.writeHead(503).end();
      return;
    }
    const fault = this.rule(seen, this.requests.length - 1);
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      seen.status = fault.status;
      res
        .writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers })
        .end(JSON.stringify({ errors: [{ code: 'INJECTED', message: `fault ${fault.status}` }] }));
      return;
    }
    const [host, port] = this.backend.split(':');
    const upstream = request(
      {
        host,
        port: Number(port),
        method: seen.method,
        path: fault?.kind === 'rewrite' ? fault.path : seen.path,
        headers: req.headers,
        ca: this.cert.cert,
        agent: false,
      },
      (answer) => {
        seen.status = answer.statusCode ?? 502;
        res.writeHead(seen.status, answer.headers);
        if (fault?.kind === 'cut') {
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            const room = fault.afterBytes - sent;
            if (room > 0) res.write(chunk.subarray(0, room));
            sent += chunk.length;
            if (sent >= fault.afterBytes) {
              answer.destroy();
              res.socket?.destroy();
            }
          });
          answer.on('end', () => res.socket?.destroy());
          return;
        }
        if (fault?.kind === 'corrupt') {
          answer.on('data', (chunk: Buffer) => res.write(Buffer.from(chunk.map((b) => b ^ 0xff))));
          answer.on('end', () => res.end());
          return;
        }
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  }
}
