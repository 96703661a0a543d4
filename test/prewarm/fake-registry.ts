/**
 * An in-process OCI distribution registry on 127.0.0.1 for the client's fault tests: it serves
 * manifests and blobs from memory, speaks Basic or bearer-token auth, and injects the faults a
 * real registry shows (429, 5xx, cut-off bodies, wrong bytes, redirects). It records every
 * request and the most requests it had in flight at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient, type RegistryClientOptions } from '../../registry';

export const TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
/** The digest of `data` in `algorithm` (`sha256`, `sha512`). */
export const digestOf = (data: Buffer, algorithm = 'sha256'): string => `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;

/** A fault served instead of the real answer, once per entry, for requests whose path matches. */
export interface Fault {
  match: RegExp;
  /** HTTP status and headers to answer with. */
  status?: number;
  headers?: Record<string, string>;
  /** Send half the real body, then destroy the socket. */
  cutBody?: boolean;
  /** Send the real length but different bytes. */
  wrongBytes?: boolean;
  /** Send the real body, then random bytes without end (no Content-Length), until the client hangs up. */
  endless?: boolean;
  /** Send the real answer one byte every `dripMs` milliseconds (with its Content-Length). */
  dripMs?: number;
  /** Send half the body without Content-Length, ending it cleanly (chunked). */
  shortChunked?: boolean;
  /** Declare this Content-Length instead of the blob's, then send the blob. */
  declaredLength?: number;
  /** How many times the fault applies. @default 1 */
  times?: number;
}

/** What one request looked like. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
  accept?: string;
}

/** The digests of an image the fake holds. */
export interface FakeImage {
  digest: string;
  manifests: { platform: string; digest: string; blobs: string[] }[];
}

export interface FakeRegistryOptions {
  /** `basic`: user `ptc`, password `secret`; `bearer`: tokens from `/token` for the same user. */
  auth?: 'none' | 'basic' | 'bearer';
  /** Answer blob requests with 307 to this URL (plus the path). */
  redirectBlobsTo?: string;
  /** Hold every response this long (to make requests overlap). @default 0 */
  delayMs?: number;
  /** The one user the registry knows. @default USER / PASSWORD */
  credentials?: { username: string; password: string };
}

/** The most an endless body writes before the fake gives up on the client. */
export const ENDLESS_CAP = 256 * 1024 * 1024;

export const USER = 'ptc';
export const PASSWORD = 'secret-password-1234';

/** The repository the prewarm client tests put their images in. */
export const APP_REPOSITORY = 'docker-hub/library/app';

/** A prewarm target for an image of the fake, its repository and tag given directly. */
export const appTarget = (tag: string, repository: string = APP_REPOSITORY) => ({
  image: `app:${tag}`,
  repository,
  reference: tag,
  uri: `x/${repository}:${tag}`,
});

/** The fake registry. */
export class FakeRegistry {
  readonly manifests = new Map<string, { type: string; body: Buffer }>();
  readonly blobs = new Map<string, Buffer>();
  readonly requests: SeenRequest[] = [];
  readonly tokensIssued: { scope: string | null; token: string }[] = [];
  faults: Fault[] = [];
  /** Bytes written by `endless` faults, and whether each such response was closed by the client. */
  readonly endless: { written: number; closed: boolean }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private server?: Server;
  url = '';

  constructor(readonly options: FakeRegistryOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** A client of this registry, its plain-HTTP host allowed (the fake speaks HTTP on 127.0.0.1). */
  client(options: Partial<RegistryClientOptions> = {}): RegistryClient {
    return new RegistryClient({ baseUrl: this.url, plainHttpHosts: [new URL(this.url).host], ...options });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Stores a manifest under its digest (and a tag); returns the digest. */
  putManifest(repo: string, type: string, doc: unknown, tag?: string, algorithm = 'sha256'): string {
    const body = Buffer.from(JSON.stringify(doc));
    const digest = digestOf(body, algorithm);
    this.manifests.set(`${repo}@${digest}`, { type, body });
    if (tag) this.manifests.set(`${repo}:${tag}`, { type, body });
    return digest;
  }

  /** Stores a blob; returns its digest. */
  putBlob(repo: string, data: Buffer, algorithm = 'sha256'): string {
    const digest = digestOf(data, algorithm);
    this.blobs.set(`${repo}@${digest}`, data);
    return digest;
  }

  /** Adds an image: an index over `platforms` (or one manifest when there is one platform). */
  addImage(
    repo: string,
    tag: string,
    options: { platforms?: string[]; layers?: number; docker?: boolean; sharedLayer?: Buffer; algorithm?: string } = {},
  ): FakeImage {
    const platforms = options.platforms ?? ['linux/amd64', 'linux/arm64'];
    const put = (data: Buffer) => ({ digest: this.putBlob(repo, data, options.algorithm), size: data.length });
    const manifests = platforms.map((platform) => {
      const [os, architecture, variant] = platform.split('/');
      const config = put(Buffer.from(JSON.stringify({ os, architecture, tag, nonce: randomBytes(4).toString('hex') })));
      const layers = Array.from({ length: options.layers ?? 2 }, () => put(randomBytes(3000)));
      if (options.sharedLayer) layers.push(put(options.sharedLayer));
      // Sizes are the blobs' real lengths, as a registry's manifests declare them.
      const doc = {
        schemaVersion: 2,
        mediaType: options.docker ? TYPES.dockerManifest : TYPES.ociManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l })),
      };
      const digest = this.putManifest(repo, doc.mediaType, doc, platforms.length === 1 ? tag : undefined);
      return {
        platform,
        digest,
        blobs: [config, ...layers].map((b) => b.digest),
        spec: { os, architecture, ...(variant ? { variant } : {}) },
      };
    });
    if (manifests.length === 1) return { digest: manifests[0]!.digest, manifests: manifests.map(({ spec: _, ...m }) => m) };
    const type = options.docker ? TYPES.dockerList : TYPES.ociIndex;
    const digest = this.putManifest(
      repo,
      type,
      {
        schemaVersion: 2,
        mediaType: type,
        manifests: manifests.map((m) => ({
          mediaType: options.docker ? TYPES.dockerManifest : TYPES.ociManifest,
          digest: m.digest,
          size: 100,
          platform: m.spec,
        })),
      },
      tag,
    );
    return { digest, manifests: manifests.map(({ spec: _, ...m }) => m) };
  }

  /** Paths requested, in order. */
  paths(): string[] {
    return this.requests.map((r) => r.path);
  }

  private basic(): string {
    const c = this.options.credentials ?? { username: USER, password: PASSWORD };
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  }

  private authorized(req: IncomingMessage, scope: string): boolean {
    const auth = req.headers.authorization;
    if (this.options.auth === undefined || this.options.auth === 'none') return true;
    if (this.options.auth === 'basic') return auth === this.basic();
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    return this.tokensIssued.some((t) => t.token === token && (scope === '' || t.scope === scope));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    if (path === '/token') return this.token(req, res, url);
    this.requests.push({
      method: req.method ?? 'GET',
      path,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
    });
    if ((this.options.delayMs ?? 0) > 0) await new Promise((r) => setTimeout(r, this.options.delayMs));
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    const scope = m ? `repository:${m[1]}:pull` : '';
    if (!this.authorized(req, scope)) {
      const challenge =
        this.options.auth === 'basic'
          ? 'Basic realm="fake"'
          : `Bearer realm="${this.url}/token",service="fake-registry"${scope ? `,scope="${scope}"` : ''}`;
      return this.json(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        { 'www-authenticate': challenge },
      );
    }
    if (path === '/v2/') return this.json(res, 200, {});
    if (!m) return this.json(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no route' }] });
    const fault = this.faults.find((f) => f.match.test(path) && (f.times ?? 1) > 0);
    if (fault && fault.status !== undefined) {
      fault.times = (fault.times ?? 1) - 1;
      return this.json(res, fault.status, { errors: [{ code: 'FAULT', message: `injected ${fault.status}` }] }, fault.headers);
    }
    const [, repo, kind, ref] = m;
    if (kind === 'manifests') {
      const found = this.manifests.get(ref!.includes(':') ? `${repo}@${ref}` : `${repo}:${ref}`);
      if (!found) return this.json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      res.writeHead(200, { 'content-type': found.type, 'content-length': found.body.length, 'docker-content-digest': sha256(found.body) });
      if (fault?.dripMs !== undefined && fault.dripMs > 0) {
        fault.times = (fault.times ?? 1) - 1;
        return this.drip(res, found.body, fault.dripMs);
      }
      return void res.end(found.body);
    }
    const blob = this.blobs.get(`${repo}@${ref}`);
    if (!blob) return this.json(res, 404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
    if (this.options.redirectBlobsTo) {
      res.writeHead(307, { location: `${this.options.redirectBlobsTo}${path}`, 'content-length': 0 });
      return void res.end();
    }
    if (fault?.endless) {
      fault.times = (fault.times ?? 1) - 1;
      return this.endlessBody(res, blob);
    }
    if (fault?.dripMs !== undefined && fault.dripMs > 0) {
      fault.times = (fault.times ?? 1) - 1;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
      return this.drip(res, blob, fault.dripMs);
    }
    if (fault?.shortChunked) {
      fault.times = (fault.times ?? 1) - 1;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void res.end(blob.subarray(0, Math.floor(blob.length / 2)));
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fault?.declaredLength ?? blob.length });
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.cutBody) {
        res.write(blob.subarray(0, Math.floor(blob.length / 2)));
        setImmediate(() => res.destroy());
        return;
      }
      if (fault.wrongBytes) return void res.end(Buffer.alloc(blob.length, 7));
    }
    res.end(blob);
  }

  /** Bodies dripped: bytes sent and whether the client hung up before the end. */
  readonly dripped: { sent: number; closed: boolean }[] = [];

  private drip(res: ServerResponse, body: Buffer, everyMs: number): void {
    const record = { sent: 0, closed: false };
    this.dripped.push(record);
    const timer = setInterval(() => {
      if (record.sent >= body.length) {
        clearInterval(timer);
        return void res.end();
      }
      res.write(body.subarray(record.sent, record.sent + 1));
      record.sent++;
    }, everyMs);
    res.on('close', () => {
      record.closed = record.sent < body.length;
      clearInterval(timer);
    });
  }

  private endlessBody(res: ServerResponse, blob: Buffer): void {
    const record = { written: 0, closed: false };
    this.endless.push(record);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = randomBytes(16 * 1024);
    const pump = (): void => {
      // Write until the socket pushes back, then again when it drains; stop when the client hangs up.
      while (!record.closed) {
        if (record.written > ENDLESS_CAP) return void res.destroy(); // the test's bound, should the client never hang up
        record.written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    res.on('close', () => {
      record.closed = true;
    });
    record.written += blob.length;
    res.write(blob);
    pump();
  }

  private token(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.headers.authorization !== this.basic()) {
      return this.json(res, 401, { details: 'incorrect username or password' });
    }
    const token = `tok-${randomBytes(8).toString('hex')}`;
    this.tokensIssued.push({ scope: url.searchParams.get('scope'), token });
    this.json(res, 200, { token, expires_in: 300 });
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }
}
