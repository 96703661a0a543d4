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
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
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

/**
 * A registry (or a proxy in front of one) that echoes the Authorization header it receives into
 * every kind of answer prewarm quotes from. Repository `docker-hub/library/app`; the tag picks
 * the echo:
 *  - `json-404`: a distribution error whose message holds the whole header;
 *  - `raw-500`: a plain-text 500 listing the request headers (retried, then reported);
 *  - `long-404`: 190 characters, then the credential, where a 200-character cap cuts;
 *  - `value-404`: the credential alone, without its scheme;
 *  - `media-type`: a manifest whose media type is built from the credential;
 *  - `platform`: an index whose one platform's architecture is the credential;
 *  - `variant`: an index whose linux/amd64 entry has the credential as its variant;
 *  - `blob-500`: an image whose one layer answers a 500 echoing the header.
 * With `bearer`, `/v2/` asks for a token from `/token` on the same host, which issues `token`.
 * With `realmEcho`, `/v2/` names a plain-HTTP realm holding the credential instead.
 */
export function echoRegistry(options: { bearer?: { token: string }; realmEcho?: boolean } = {}): Handler {
  const layer = `sha256:${'1'.repeat(64)}`;
  const child = `sha256:${'2'.repeat(64)}`;
  return (req, res, self) => {
    const auth = req.headers.authorization ?? '';
    const value = auth.slice(auth.indexOf(' ') + 1);
    const url = req.url ?? '/';
    if (url.startsWith('/token')) return json(res, 200, { token: options.bearer?.token ?? 'none' });
    if (url === '/v2/') {
      if (options.realmEcho)
        return json(res, 401, {}, { 'www-authenticate': `Bearer realm="http://198.51.100.1/token/${value}",service="echo"` });
      if (options.bearer && auth !== `Bearer ${options.bearer.token}`)
        return json(res, 401, {}, { 'www-authenticate': `Bearer realm="${self.url}/token",service="echo"` });
      return json(res, 200, {});
    }
    const tag = /\/manifests\/([^/]+)$/.exec(url)?.[1];
    const manifest = (doc: unknown, type: string) => {
      const text = JSON.stringify(doc);
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    switch (tag) {
      case 'json-404':
        return json(res, 404, { errors: [{ code: 'DENIED', message: `rejected ${auth}` }] });
      case 'raw-500':
        res.writeHead(500, { 'content-type': 'text/plain' });
        return void res.end(`upstream failed; request headers:\nhost: ${req.headers.host}\nauthorization: ${auth}\n`);
      case 'long-404':
        res.writeHead(404, { 'content-type': 'text/plain' });
        return void res.end(`${'x'.repeat(190)} ${value}`);
      case 'value-404':
        return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: `unknown for ${value}` }] });
      case 'media-type':
        return manifest({ schemaVersion: 2, mediaType: `application/vnd.${value}+json` }, 'application/json');
      case 'platform':
        return manifest(
          {
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.index.v1+json',
            manifests: [{ digest: child, size: 2, platform: { os: 'linux', architecture: value } }],
          },
          'application/vnd.oci.image.index.v1+json',
        );
      case 'variant':
        return manifest(
          {
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.index.v1+json',
            manifests: [{ digest: child, size: 2, platform: { os: 'linux', architecture: 'amd64', variant: value } }],
          },
          'application/vnd.oci.image.index.v1+json',
        );
      case 'blob-500':
        return manifest(
          { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: layer, size: 2 }, layers: [] },
          'application/vnd.oci.image.manifest.v1+json',
        );
      default:
        break;
    }
    if (url.includes('/blobs/')) return json(res, 500, { errors: [{ code: 'UNKNOWN', message: `storage said: ${auth}` }] });
    return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: `no such manifest (you sent ${auth})` }] });
  };
}

/** The tags `echoRegistry` echoes under. */
export const ECHO_TAGS = ['json-404', 'raw-500', 'long-404', 'value-404', 'media-type', 'platform', 'variant', 'blob-500'] as const;
