/**
 * The fake registry served over HTTP on 127.0.0.1 with ECR's JSON 1.1 protocol, so a real
 * `ECRClient` (serialization, adaptive retry, connection reuse) talks to it. It can throttle a
 * share of calls with `ThrottlingException`, as a busy account does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeEcrError, type FakeRegistry } from './fake-registry';

/** Options of the fake server. */
export interface FakeEcrServerOptions {
  /** Share of calls answered with ThrottlingException (0 to 1). @default 0 */
  readonly throttleRate?: number;
  /** Operations whose first N calls are throttled, whatever the rate. @default none */
  readonly throttleFirst?: Readonly<Record<string, number>>;
  /** Seed of the throttling sequence, so runs are comparable. @default 42 */
  readonly seed?: number;
}

/** A running fake server. */
export interface FakeEcrServer {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  readonly endpoint: string;
  /** Calls received, and how many were throttled. */
  readonly stats: { requests: number; throttled: number };
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startFakeEcrServer(
  registry: Pick<FakeRegistry, 'handle'>,
  options: FakeEcrServerOptions = {},
): Promise<FakeEcrServer> {
  let state = options.seed ?? 42;
  const random = () => {
    // mulberry32: a small seeded generator, so every run throttles the same calls.
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const firstLeft = new Map(Object.entries(options.throttleFirst ?? {}));
  const stats = { requests: 0, throttled: 0 };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      stats.requests++;
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
      const reply = (status: number, body: unknown, errorType?: string) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'content-length': Buffer.byteLength(text),
          'x-amzn-requestid': `req-${stats.requests}`,
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(text);
      };
      const left = firstLeft.get(operation) ?? 0;
      if (left > 0 || random() < (options.throttleRate ?? 0)) {
        if (left > 0) firstLeft.set(operation, left - 1);
        stats.throttled++;
        reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, 'ThrottlingException');
        return;
      }
      try {
        const input = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        reply(200, registry.handle(operation, input));
      } catch (err) {
        if (err instanceof FakeEcrError) reply(err.status, { __type: err.code, message: err.message }, err.code);
        else reply(500, { __type: 'ServerException', message: (err as Error).message }, 'ServerException');
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
