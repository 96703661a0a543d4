/**
 * An invented stand-in for the one endpoint Debian's docker-registry (distribution 2.8) lacks: the
 * OCI referrers API, `GET /v2/<name>/referrers/<digest>`, shaped as the OCI distribution spec v1.1
 * defines it (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers):
 * an image index (`application/vnd.oci.image.index.v1+json`) of the descriptors of the manifests
 * whose `subject` is that digest, each with its `artifactType`; an `artifactType` query filters it
 * and the answer then carries `OCI-Filters-Applied: artifactType`; with `pageSize` set, pages are
 * linked by `Link: <...>; rel="next"`. The index is built from what the test registered (the
 * manifests it pushed to the real registry behind). With `api` false the request is forwarded like
 * every other one, so the real registry answers (404: no referrers API).
 *
 * Everything else goes to the real registry over TLS, `Host` as it came (upload `Location`s point
 * back here). Every request is recorded with the status the client got; at most `MAX_REQUESTS`.
 */
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from '../prewarm/hostile-registry';
import { MAX_REQUESTS, type SeenRequest } from './fault-proxy';

/** A descriptor of a referrer as the index lists it. */
export interface ReferrerDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType: string;
}

const REFERRERS_PATH = /^\/v2\/(.+)\/referrers\/([a-z0-9]+:[a-f0-9]+)$/;

/** The proxy. */
export class ReferrersProxy {
  readonly requests: SeenRequest[] = [];
  address = '';
  /** Answer the referrers API (else forward it to the registry, which has none). */
  api = true;
  /** Answer the referrers API with this status and an error body instead (a registry that fails it). */
  failWith: number | undefined;
  /** Descriptors per page (undefined: one page). */
  pageSize: number | undefined;
  private readonly referrers = new Map<string, ReferrerDescriptor[]>();
  private server?: Server;

  constructor(
    private readonly backend: string,
    private readonly cert: TestCertificate,
  ) {}

  /** Lists `referrer` among the referrers of `repository@subject`. */
  register(repository: string, subject: string, referrer: ReferrerDescriptor): void {
    const key = `${repository}@${subject}`;
    this.referrers.set(key, [...(this.referrers.get(key) ?? []), referrer]);
  }

  async start(): Promise<this> {
    this.server = createServer({ cert: this.cert.cert, key: this.cert.key }, (req, res) => this.handle(req, res));
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
  count(method: string, path: RegExp): SeenRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const seen: SeenRequest = { method: req.method ?? 'GET', path: req.url ?? '/' };
    this.requests.push(seen);
    if (this.requests.length > MAX_REQUESTS) {
      res.writeHead(503).end();
      return;
    }
    const url = new URL(seen.path, 'https://127.0.0.1');
    const match = REFERRERS_PATH.exec(url.pathname);
    if (this.api && seen.method === 'GET' && match) {
      req.resume();
      this.answerReferrers(url, match[1]!, match[2]!, seen, res);
      return;
    }
    const [host, port] = this.backend.split(':');
    const upstream = request(
      { host, port: Number(port), method: seen.method, path: seen.path, headers: req.headers, ca: this.cert.cert, agent: false },
      (answer) => {
        seen.status = answer.statusCode ?? 502;
        res.writeHead(seen.status, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  }

  private answerReferrers(url: URL, repository: string, subject: string, seen: SeenRequest, res: ServerResponse): void {
    const artifactType = url.searchParams.get('artifactType');
    const all = (this.referrers.get(`${repository}@${subject}`) ?? []).filter(
      (r) => artifactType === null || r.artifactType === artifactType,
    );
    const page = Number(url.searchParams.get('page') ?? '0');
    const size = this.pageSize ?? Math.max(all.length, 1);
    const manifests = all.slice(page * size, (page + 1) * size);
    const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
    if (artifactType !== null) headers['oci-filters-applied'] = 'artifactType';
    if ((page + 1) * size < all.length) {
      const next = new URLSearchParams(url.searchParams);
      next.set('page', String(page + 1));
      headers.link = `<${url.pathname}?${next.toString()}>; rel="next"`;
    }
    if (this.failWith !== undefined) {
      seen.status = this.failWith;
      res
        .writeHead(this.failWith, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'invented failure of the referrers API' }] }));
      return;
    }
    seen.status = 200;
    res.writeHead(200, headers).end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  }
}
