/**
 * Hostile servers on 127.0.0.1 for the client's security tests: each answers every request with
 * a handler the test writes (a registry that names a plain-HTTP token realm, a token service
 * that redirects, a proxy that echoes the Authorization header), over plain HTTP or over TLS
 * with a throw-away self-signed certificate for 127.0.0.1 made by `openssl` in a temporary
 * directory. Every request is recorded with its headers, so a test can assert who saw which
 * credential. Each server caps the requests it answers, so no loop can run away.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage['headers'];
}

/** Answers one request. */
export type Handler = (req: IncomingMessage, res: ServerResponse, server: HostileServer) => void;

/** The most requests one server answers; any more get a 503 and the server says so in `overflow`. */
export const MAX_REQUESTS = 200;

/** A PEM certificate and key for 127.0.0.1, valid for a day, made fresh (never committed). */
export interface TestCertificate {
  cert: string;
  key: string;
}

/** Makes a self-signed certificate for IP 127.0.0.1 with openssl. */
export function selfSignedCertificate(): TestCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-hostile-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'pipe', timeout: 20_000 },
    );
    return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One hostile server. */
export class HostileServer {
  readonly requests: RecordedRequest[] = [];
  overflow = false;
  url = '';
  private server?: Server;

  constructor(
    private handler: Handler,
    private readonly tls?: TestCertificate,
  ) {}

  /** `host:port` of the server. */
  get host(): string {
    return new URL(this.url).host;
  }

  /** Replaces the handler. */
  handle(handler: Handler): void {
    this.handler = handler;
  }

  async start(): Promise<this> {
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
      if (this.requests.length > MAX_REQUESTS) {
        this.overflow = true;
        res.writeHead(503).end();
        return;
      }
      this.handler(req, res, this);
    };
    this.server = this.tls ? createHttpsServer({ cert: this.tls.cert, key: this.tls.key }, listener) : createHttpServer(listener);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `${this.tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Every Authorization header the server received. */
  authorizations(): string[] {
    return this.requests.flatMap((r) => (r.headers.authorization ? [r.headers.authorization] : []));
  }
}

/** Sends a JSON answer. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
