/**
 * A recording TLS proxy on 127.0.0.1 in front of a real registry (test/copy/registries.ts) and,
 * for a registry behind a Bearer token realm, in front of that realm too (`/token` goes to the
 * realm, everything else to the registry). It records what a client sent, which a registry's own
 * logs do not show: the `Authorization` header of every request and the form body of token
 * requests (containerd posts OAuth2 `password` grants there, remotes/docker/auth/fetch.go). The
 * answers are the real registry's, passed through untouched. Bounded: at most `MAX_REQUESTS`
 * requests are forwarded, any more get a 503.
 */
import { request as httpsRequest, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from '../prewarm/hostile-registry';

/** The most requests one proxy forwards. */
export const MAX_REQUESTS = 500;

/** One request the proxy forwarded, and the status the origin answered. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly authorization?: string;
  /** The body of a token request (form-encoded), if any. */
  readonly body?: string;
}

/** A running recording proxy. Set `registry` (and `realm`) to `127.0.0.1:PORT` origins before use. */
export interface RecordingProxy {
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  readonly requests: ProxiedRequest[];
  registry?: string;
  realm?: string;
  close(): Promise<void>;
}

/** Starts a proxy serving TLS with `cert` and trusting `cert` towards its origins. */
export async function startRecordingProxy(cert: TestCertificate): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const proxy: { registry?: string; realm?: string } = {};
  const server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const origin = url.startsWith('/token') ? proxy.realm : proxy.registry;
      if (origin === undefined || requests.length >= MAX_REQUESTS) {
        res.writeHead(503).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const [host, port] = origin.split(':');
      const headers = { ...req.headers, host: origin };
      const upstream = httpsRequest({ host, port: Number(port), method: req.method, path: url, headers, ca: cert.cert }, (answer) => {
        requests.push({
          method: req.method ?? 'GET',
          path: url,
          status: answer.statusCode ?? 0,
          ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
          ...(url.startsWith('/token') && body.length > 0 ? { body: body.toString('utf8') } : {}),
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(proxy, {
    address,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
