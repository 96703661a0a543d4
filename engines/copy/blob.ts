/**
 * Copies one blob from the upstream into the target through the distribution API, streaming:
 * `HEAD` first (a blob the target has is not sent again), then `POST` an upload, `PATCH` it
 * chunk by chunk with `Content-Range` as the upstream's body arrives (two chunks in memory: one
 * filling while the other is sent, so a layer of any size costs `2 x chunkBytes`), and `PUT ?digest=` once every byte has hashed
 * to the digest. A body cut off restarts the blob (a new upload) a bounded number of times; bytes
 * that hash to another digest, or a part the target refuses, fail it and the upload is cancelled:
 * nothing is committed under a digest it does not have.
 *
 * ECR (docs/copy.md): a PATCH of a middle chunk may answer 201 with a stale `Range`
 * (aws/containers-roadmap#2831), so the engine counts the bytes it sent itself and accepts 201 as
 * well as 202; the final `PUT ?digest=` is where the registry checks the whole.
 */
import { pipeline, Transform } from 'node:stream';
import { DigestVerifier } from '../../core/prewarm/digest';
import { RegistryHttpError } from '../../core/prewarm/errors';
import { DigestMismatchError, TargetRefusedError, UpstreamCutError } from './errors';
import { errorDetail } from '../../registry/http';
import { httpFailure, type RegistrySession, type SessionResponse } from '../../registry/session';

/** A blob as a manifest's descriptor gives it. */
export interface BlobDescriptor {
  readonly digest: string;
  readonly size: number;
}

/** How blobs are uploaded. */
export interface BlobOptions {
  /** Bytes per PATCH (the last one may be shorter). @default 8 MiB, within ECR's 5-10 MiB part sizes */
  readonly chunkBytes: number;
  /** Attempts of a whole blob whose upstream body is cut off. @default 3 */
  readonly attempts: number;
  /**
   * `chunked`: `PATCH`es of `chunkBytes` with `Content-Range`, each retried on 429/5xx;
   * `stream`: one `PATCH` whose body streams from the upstream (what `docker push` sends),
   * retried as a whole blob. docs/copy.md gives the measurement behind the default.
   * @default 'stream'
   */
  readonly mode?: 'chunked' | 'stream';
}

/** What copying one blob did. */
export interface BlobOutcome {
  /** Bytes sent to the target (0 when it had the blob). */
  readonly bytes: number;
  /** Whether the target already had it. */
  readonly present: boolean;
}

/** 8 MiB: inside ECR's layer-part window (5 to 10 MiB), 4,200 parts reach 33 GiB. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/** Thrown inside an attempt when the upstream's body ends early or fails; the blob is tried again. */
class BodyCut extends Error {}

/** Whether the target has a blob (`HEAD`). */
export async function targetHasBlob(target: RegistrySession, repository: string, digest: string): Promise<boolean> {
  const what = `HEAD blob ${repository}@${digest}`;
  const res = await target.request({ method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, repository, what });
  res.body.resume();
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw new TargetRefusedError(what, res.status);
}

/**
 * Copies `blob` of upstream `from` into target repository `to` unless the target has it.
 * @throws DigestMismatchError, UpstreamCutError (after every attempt), TargetRefusedError, RegistryHttpError (upstream 4xx)
 */
export async function copyBlob(
  source: RegistrySession,
  from: string,
  target: RegistrySession,
  to: string,
  blob: BlobDescriptor,
  options: BlobOptions,
): Promise<BlobOutcome> {
  if (await targetHasBlob(target, to, blob.digest)) return { bytes: 0, present: true };
  const what = `blob ${from}@${blob.digest}`;
  let lastCut = '';
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    try {
      const bytes =
        options.mode === 'chunked'
          ? await uploadOnce(source, from, target, to, blob, options.chunkBytes, what)
          : await uploadStreamed(source, from, target, to, blob, what);
      return { bytes, present: false };
    } catch (err) {
      if (!(err instanceof BodyCut)) throw err;
      lastCut = err.message;
    }
  }
  throw new UpstreamCutError(what, `${lastCut} (${options.attempts} attempts)`);
}

/** `GET`s the blob from the upstream: an answer whose body is the blob, its length checked against the descriptor. */
async function openUpstream(source: RegistrySession, from: string, blob: BlobDescriptor, what: string): Promise<SessionResponse> {
  const res = await source.request({
    method: 'GET',
    path: `/v2/${from}/blobs/${blob.digest}`,
    repository: from,
    what: `GET ${what}`,
    followRedirects: true,
  });
  if (res.status !== 200) {
    const error = await httpFailure(res, `GET ${what}`, source.redactor);
    // A 5xx that outlived the session's retries, like a cut body, is worth a fresh attempt.
    if (res.status >= 500) throw new BodyCut(error.message);
    throw error;
  }
  const declared = res.header('content-length');
  if (declared !== undefined && Number(declared) !== blob.size) {
    res.body.destroy();
    throw new UpstreamCutError(what, `the upstream declares ${source.redactor.quote(declared, 24)} bytes, the manifest ${blob.size}`);
  }
  return res;
}

/**
 * One `PATCH` whose body is the upstream's, hashed and counted on the way through (node's stream
 * buffers bound the memory); `PUT ?digest=` only when every byte arrived and hashed to the digest.
 */
async function uploadStreamed(
  source: RegistrySession,
  from: string,
  target: RegistrySession,
  to: string,
  blob: BlobDescriptor,
  what: string,
): Promise<number> {
  const res = await openUpstream(source, from, blob, what);
  let location = await startUpload(target, to);
  const verifier = DigestVerifier.for(blob.digest);
  let received = 0;
  let tooLong = false;
  const counted = new Transform({
    transform(piece: Buffer, _encoding, done) {
      received += piece.length;
      if (received > blob.size) {
        tooLong = true;
        done(new Error('longer than declared'));
        return;
      }
      verifier.update(piece);
      done(null, piece);
    },
  });
  // pipeline: an upstream body that errors or closes early destroys `counted`, which fails the PATCH at once.
  pipeline(res.body, counted, () => undefined);
  try {
    let answer: SessionResponse;
    try {
      answer = await target.requestStreaming(
        {
          method: 'PATCH',
          path: location,
          repository: to,
          what: `PATCH blob ${to}@${blob.digest}`,
          headers: { 'content-type': 'application/octet-stream' },
        },
        counted,
      );
    } catch (err) {
      if (tooLong) throw new UpstreamCutError(what, `the body is longer than the ${blob.size} bytes the manifest declares`);
      throw new BodyCut(`the upstream body failed after ${received} of ${blob.size} bytes (${(err as Error).message})`);
    }
    if (answer.status !== 202 && answer.status !== 201)
      throw refused(`PATCH blob ${to}@${blob.digest}`, answer, await errorDetail(answer, target.redactor));
    answer.body.resume();
    const next = answer.header('location');
    if (next !== undefined) location = new URL(next, location).toString();
    if (tooLong) throw new UpstreamCutError(what, `the body is longer than the ${blob.size} bytes the manifest declares`);
    if (received < blob.size) throw new BodyCut(`the upstream body was cut off after ${received} of ${blob.size} bytes`);
    const got = verifier.digest();
    if (got !== blob.digest) throw new DigestMismatchError(`GET ${what}`, blob.digest, got);
    await finishUpload(target, to, location, blob.digest);
    return received;
  } catch (err) {
    res.body.destroy();
    await cancelUpload(target, to, location);
    throw err;
  }
}

async function uploadOnce(
  source: RegistrySession,
  from: string,
  target: RegistrySession,
  to: string,
  blob: BlobDescriptor,
  chunkBytes: number,
  what: string,
): Promise<number> {
  const res = await openUpstream(source, from, blob, what);
  let location = await startUpload(target, to);
  const verifier = DigestVerifier.for(blob.digest);
  // Two buffers: one fills from the upstream while the other's PATCH is in flight (at most one
  // PATCH at a time, in order), so download and upload overlap with 2 chunks in memory.
  const size = Math.min(chunkBytes, Math.max(blob.size, 1));
  let buffer: Buffer = Buffer.allocUnsafe(size);
  let spare: Buffer | undefined = blob.size > size ? Buffer.allocUnsafe(size) : undefined;
  let fill = 0;
  let sent = 0;
  let inFlight: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  const settle = async (): Promise<void> => {
    await inFlight;
    if (failure !== undefined) throw failure;
  };
  const flush = async (): Promise<void> => {
    await settle();
    if (fill === 0) return;
    const chunk = buffer.subarray(0, fill);
    const start = sent;
    sent += fill;
    fill = 0;
    inFlight = patchChunk(target, to, location, chunk, start, blob.digest).then(
      (next) => {
        location = next;
      },
      (err: unknown) => {
        failure = err instanceof Error ? err : new Error('a chunk upload failed without an error object');
      },
    );
    // Fill the other buffer while this one is sent.
    if (spare !== undefined) [buffer, spare] = [spare, buffer];
    else await settle();
  };
  try {
    let received = 0;
    try {
      for await (const piece of res.body as AsyncIterable<Buffer>) {
        received += piece.length;
        if (received > blob.size) {
          res.body.destroy();
          throw new UpstreamCutError(what, `the body is longer than the ${blob.size} bytes the manifest declares`);
        }
        verifier.update(piece);
        let offset = 0;
        while (offset < piece.length) {
          const n = Math.min(buffer.length - fill, piece.length - offset);
          piece.copy(buffer, fill, offset, offset + n);
          fill += n;
          offset += n;
          if (fill === buffer.length) await flush();
        }
      }
    } catch (err) {
      if (err instanceof UpstreamCutError || err instanceof TargetRefusedError || err instanceof RegistryHttpError) throw err;
      throw new BodyCut(`the upstream body failed after ${received} of ${blob.size} bytes (${(err as Error).message})`);
    }
    if (received < blob.size) throw new BodyCut(`the upstream body was cut off after ${received} of ${blob.size} bytes`);
    const got = verifier.digest();
    if (got !== blob.digest) throw new DigestMismatchError(`GET ${what}`, blob.digest, got);
    await flush();
    await settle();
    await finishUpload(target, to, location, blob.digest);
    return sent;
  } catch (err) {
    await inFlight;
    await cancelUpload(target, to, location);
    throw err;
  }
}

async function startUpload(target: RegistrySession, to: string): Promise<string> {
  const what = `POST blob upload to ${to}`;
  const res = await target.request({ method: 'POST', path: `/v2/${to}/blobs/uploads/`, repository: to, what, body: Buffer.alloc(0) });
  const location = res.header('location');
  if (res.status === 404) {
    // ECR creates a repository on push only when a creation template with CREATE_ON_PUSH covers it.
    const detail = await errorDetail(res, target.redactor);
    throw new TargetRefusedError(
      what,
      404,
      `${detail ? `${detail}; ` : ''}the repository does not exist: create it, or a creation template applied to CREATE_ON_PUSH for its prefix`,
    );
  }
  if (res.status !== 202 || location === undefined) throw refused(what, res, await errorDetail(res, target.redactor));
  res.body.resume();
  return new URL(location, target.baseUrl).toString();
}

async function patchChunk(
  target: RegistrySession,
  to: string,
  location: string,
  chunk: Buffer,
  start: number,
  digest: string,
): Promise<string> {
  const what = `PATCH blob ${to}@${digest} bytes ${start}-${start + chunk.length - 1}`;
  const res = await target.request({
    method: 'PATCH',
    path: location,
    repository: to,
    what,
    body: chunk,
    headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + chunk.length - 1}` },
  });
  // 202 per the distribution spec; ECR may answer a middle chunk with 201 and a stale Range (#2831): our own count rules.
  if (res.status !== 202 && res.status !== 201) throw refused(what, res, await errorDetail(res, target.redactor));
  res.body.resume();
  const next = res.header('location');
  return next === undefined ? location : new URL(next, location).toString();
}

async function finishUpload(target: RegistrySession, to: string, location: string, digest: string): Promise<void> {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  const what = `PUT blob ${to}@${digest}`;
  const res = await target.request({
    method: 'PUT',
    path: url.toString(),
    repository: to,
    what,
    body: Buffer.alloc(0),
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (res.status !== 201) throw refused(what, res, await errorDetail(res, target.redactor));
  res.body.resume();
  const stored = res.header('docker-content-digest');
  if (stored !== undefined && stored !== digest)
    throw new TargetRefusedError(what, res.status, `the target stored ${target.redactor.quote(stored, 80)}`);
}

/** Best effort: an upload that will not finish is cancelled so the registry can drop its bytes. */
async function cancelUpload(target: RegistrySession, to: string, location: string): Promise<void> {
  try {
    const res = await target.request({ method: 'DELETE', path: location, repository: to, what: `DELETE upload ${to}` });
    res.body.resume();
  } catch {
    // The registry expires abandoned uploads itself; the failure being reported matters more.
  }
}

function refused(what: string, res: SessionResponse, detail: string | undefined): TargetRefusedError {
  return new TargetRefusedError(what, res.status, detail);
}
