/**
 * A small OCI distribution client with exactly what prewarming needs: `GET /v2/`, `GET` a
 * manifest, and `GET` a blob that is either left at the registry's redirect (ECR answers with a
 * 307 to S3 once the layer is cached) or streamed to nowhere, chunk by chunk, with its digest
 * checked and never held in memory. It is a thin layer over `RegistrySession` (registry/session.ts),
 * the one session the copy engine uses too: every request takes a slot of one bounded pool,
 * retries 429, 5xx and network failures with backoff, and authenticates through `RegistryAuthenticator`.
 */
import { DigestVerifier, digestAlgorithm } from '../core/prewarm/digest';
import { BlobSizeError, ManifestFormatError, RegistryHttpError } from '../core/prewarm/errors';
import { MANIFEST_ACCEPT } from '../core/prewarm/manifest';
import type { Redactor } from '../core/prewarm/redact';
import type { FetchedManifest, PrewarmRegistry, TouchedBlob } from '../core/prewarm/registry-port';
import { describeCause } from './auth';
import { discard, errorDetail, type HttpResponse } from './http';
import type { RequestTimer } from './request-timer';
import { BodyInterruptedError, RegistrySession, type RegistrySessionOptions } from './session';

export type { FetchedManifest, TouchedBlob } from '../core/prewarm/registry-port';

/**
 * Options of a `RegistryClient`: those of its `RegistrySession` (prewarm's defaults: a 30 s
 * headers timeout, 60 s idle, a 120 s deadline per attempt), and the slowest blob transfer allowed.
 */
export interface RegistryClientOptions extends Omit<RegistrySessionOptions, 'userAgent'> {
  /**
   * How long one attempt of a request may take in all, headers and body, however steadily the
   * bytes drip: `/v2/`, a token, a manifest. A blob gets this plus its size at
   * `blobMinBytesPerSecond`. A passed deadline is retried like a network failure.
   * @default 120000
   */
  readonly deadlineMs?: number;
  /** The slowest transfer a blob's deadline allows for. @default 262144 (256 KiB/s) */
  readonly blobMinBytesPerSecond?: number;
}

/** The largest manifest the client reads; a bigger body is not a manifest a runtime would pull. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The client. One instance per registry and run; it keeps bearer tokens and the connection pool.
 * @example
 * const client = new RegistryClient({ baseUrl: 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com', credentials });
 * await client.ping();
 * const m = await client.getManifest('docker-hub/library/nginx', '1.27');
 */
export class RegistryClient implements PrewarmRegistry {
  /** The registry's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The session under the client: its transport, authentication, slots and retries (shared with engines/copy). */
  readonly session: RegistrySession;
  private readonly deadlineMs: number;
  private readonly blobMinBytesPerSecond: number;

  constructor(options: RegistryClientOptions) {
    this.deadlineMs = options.deadlineMs ?? 120_000;
    this.blobMinBytesPerSecond = options.blobMinBytesPerSecond ?? 256 * 1024;
    this.session = new RegistrySession({ ...options, deadlineMs: this.deadlineMs, userAgent: 'ptc-autopilot-prewarm/1' });
    this.baseUrl = this.session.baseUrl;
  }

  /** Knows the credentials and tokens of this client; scrubs them from text built from the registry's answers. */
  get redactor(): Redactor {
    return this.session.redactor;
  }

  /** Closes the client's idle connections. */
  close(): void {
    this.session.close();
  }

  /** How the client authenticates now (`basic`, `bearer`, `none`). */
  get authScheme(): string {
    return this.session.authScheme;
  }

  /**
   * Checks that the registry answers `GET /v2/` and accepts the credentials, and learns its
   * authentication scheme.
   * @throws RegistryUnreachableError when it cannot be reached or is not a registry
   * @throws RegistryAuthError when it refuses the credentials (or needs some)
   */
  async ping(): Promise<void> {
    await this.session.ping();
  }

  /**
   * `GET /v2/<repository>/manifests/<reference>` with the four manifest media types accepted.
   * @throws RegistryHttpError (404: unknown; 401/403: denied), RegistryNetworkError, ManifestFormatError
   */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    // A tag has no ':'; a digest reference is verified in its own algorithm (refused before any request when it cannot be).
    const byDigest = reference.includes(':');
    if (byDigest) digestAlgorithm(reference);
    const what = `manifest ${repository}${byDigest ? '@' : ':'}${reference}`;
    return this.exchange(
      { path: `/v2/${repository}/manifests/${reference}`, repository, accept: MANIFEST_ACCEPT, what },
      async (res, idle) => {
        if (res.status !== 200) throw new RegistryHttpError(res.status, what, await errorDetail(res, this.redactor));
        const declared = Number(res.header('content-length') ?? '0');
        if (declared > MAX_MANIFEST_BYTES) {
          discard(res);
          throw new ManifestFormatError(`${what} is ${declared} bytes; a manifest is at most ${MAX_MANIFEST_BYTES}`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        const hash = byDigest ? DigestVerifier.for(reference) : new DigestVerifier('sha256');
        await readBody(res, idle, (chunk) => {
          size += chunk.length;
          if (size > MAX_MANIFEST_BYTES) throw new ManifestFormatError(`${what} is larger than ${MAX_MANIFEST_BYTES} bytes`);
          hash.update(chunk);
          chunks.push(chunk);
        });
        const digest = hash.digest();
        if (byDigest && reference !== digest) throw new ManifestFormatError(`${what} does not match its digest (got ${digest})`);
        const contentType = res.header('content-type');
        return { digest, body: Buffer.concat(chunks, size), ...(contentType ? { contentType } : {}) };
      },
    );
  }

  /**
   * `GET /v2/<repository>/blobs/<digest>`: stops at a redirect, otherwise reads the whole body
   * (so a pull-through proxy fetches and stores all of it) and checks its sha256 or sha512 digest.
   * @throws RegistryHttpError (404: not in the registry; 401/403: denied), RegistryNetworkError
   * @throws DigestError, before any request, for a digest it cannot verify
   * @throws BlobSizeError when the body is longer than `size` (the descriptor's): reading stops at `size + 1` bytes
   */
  async touchBlob(repository: string, digest: string, size: number): Promise<TouchedBlob> {
    digestAlgorithm(digest);
    const what = `blob ${repository}@${digest}`;
    const deadlineMs = this.deadlineMs + Math.ceil((size / this.blobMinBytesPerSecond) * 1000);
    return this.exchange({ path: `/v2/${repository}/blobs/${digest}`, repository, what, deadlineMs }, async (res, idle) => {
      if (REDIRECTS.has(res.status)) {
        discard(res);
        return { bytes: 0, redirected: true };
      }
      if (res.status !== 200) throw new RegistryHttpError(res.status, what, await errorDetail(res, this.redactor));
      const declared = res.header('content-length');
      if (declared !== undefined && Number(declared) !== size) {
        res.body.destroy();
        throw new BlobSizeError(
          what,
          `the registry declares ${this.redactor.quote(declared, 24)} bytes (Content-Length), the manifest ${size}`,
        );
      }
      const hash = DigestVerifier.for(digest);
      let bytes = 0;
      await readBody(res, idle, (chunk) => {
        bytes += chunk.length;
        if (bytes > size)
          throw new BlobSizeError(what, `the body is longer than the ${size} bytes the manifest declares (stopped after ${bytes})`);
        hash.update(chunk);
      });
      if (bytes < size) throw new BodyInterruptedError(`the body was cut off after ${bytes} of ${size} bytes`);
      const got = hash.digest();
      if (got !== digest) throw new BodyInterruptedError(`the body does not match the digest (got ${got} after ${bytes} bytes)`);
      return { bytes, redirected: false };
    });
  }

  /** One GET through the session: `handle` reads the response; a `BodyInterruptedError` from it retries the request. */
  private exchange<T>(
    spec: { path: string; repository?: string; accept?: string; what: string; deadlineMs?: number },
    handle: (res: HttpResponse, timer: RequestTimer) => Promise<T>,
  ): Promise<T> {
    return this.session.exchange(
      {
        method: 'GET',
        path: spec.path,
        what: spec.what,
        ...(spec.repository !== undefined ? { repository: spec.repository } : {}),
        ...(spec.accept !== undefined ? { headers: { accept: spec.accept } } : {}),
        ...(spec.deadlineMs !== undefined ? { deadlineMs: spec.deadlineMs } : {}),
      },
      handle,
    );
  }
}

/** Reads a body chunk by chunk; a failure mid-body becomes `BodyInterruptedError` (retried). */
async function readBody(res: HttpResponse, idle: RequestTimer, onChunk: (chunk: Buffer) => void): Promise<void> {
  const expected = Number(res.header('content-length') ?? 'NaN');
  let received = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      idle.reset();
      received += chunk.length;
      onChunk(chunk);
    }
  } catch (err) {
    if (err instanceof ManifestFormatError || err instanceof BlobSizeError) {
      res.body.destroy();
      throw err;
    }
    throw new BodyInterruptedError(idle.describe('body') ?? `the body was cut off (${describeCause(err)})`);
  }
  // A connection closed early can end the stream without an error; the length tells.
  if (Number.isFinite(expected) && received < expected)
    throw new BodyInterruptedError(`the body was cut off after ${received} of ${expected} bytes`);
}
