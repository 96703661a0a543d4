/**
 * A stand-in upstream registry on a loopback port that records every request: method, path,
 * `Authorization` header and, for its token endpoint, the form body (containerd posts OAuth2
 * `password` grants there). It answers like Docker Hub: `/v2/...` without its own Bearer token
 * gets 401 with a `Bearer realm=".../token"` challenge; the token endpoint hands out
 * `upstream-token`; with that token every manifest or blob is 404 (the image is not upstream either).
 */
import { createServer, type Server } from 'node:http';

/** One request the upstream received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  /** The request body of a token request (form-encoded), if any. */
  readonly body?: string;
}

/** A running recording upstream. */
export interface RecordingUpstream {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The token the upstream's realm issues, so a test can tell it from the mirror's credentials. */
export const UPSTREAM_TOKEN = 'upstream-token';

/**
 * Starts the recording upstream on 127.0.0.1 (a free port). `challenge: 'basic'` makes it answer
 * like a registry behind Basic auth (`WWW-Authenticate: Basic realm=...`) instead of a token realm.
 */
export async function startRecordingUpstream(options: { challenge?: 'bearer' | 'basic' } = {}): Promise<RecordingUpstream> {
  const challenge = options.challenge ?? 'bearer';
  const requests: RecordedRequest[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      requests.push({
        method: req.method ?? 'GET',
        path: url,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(body ? { body } : {}),
      });
      if (url.startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: UPSTREAM_TOKEN, access_token: UPSTREAM_TOKEN, expires_in: 300 }));
        return;
      }
      if (req.headers.authorization !== `Bearer ${UPSTREAM_TOKEN}`) {
        const header =
          challenge === 'bearer'
            ? `Bearer realm="${base}/token",service="upstream.test",scope="repository:library/missing:pull"`
            : 'Basic realm="upstream.test"';
        res.writeHead(401, { 'www-authenticate': header, 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
