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
import { errorDetail } from '../../registry/http';
import { httpFailure, type RegistrySession, type SessionResponse } from '../../registry/session';
import { DigestMismatchError, TargetRefusedError, UpstreamCutError } from './errors';
import { mountBlob, type BlobLedger } from './mount';
import { cancelUpload, finishUpload, patchChunk, refused, startUpload, targetHasBlob, type BlobDescriptor } from './upload';

export { targetHasBlob, type BlobDescriptor } from './upload';

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
  /**
   * In `stream` mode, blobs up to this size are read whole and sent in the committing `PUT`
   * (one request fewer per blob; they cost this much memory each). @default 1 MiB
   */
  readonly wholeBytes?: number;
}

/** What copying one blob did. */
export interface BlobOutcome {
  /** Bytes sent to the target (0 when it had the blob). */
  readonly bytes: number;
  /** Whether the target already had it. */
  readonly present: boolean;
  /** Whether it was mounted from another repository of the target (nothing sent). */
  readonly mounted?: boolean;
}

/**
 * The streamed PATCH writes the upstream's ~16 KiB TLS reads in pieces of 256 KiB: fewer writes,
 * chunk headers and TLS records. Measured (docs/copy.md "Performance"): 2 x 256 MiB took 3.4 to 3.8 s
 * of the engine's CPU against 4.2 to 5.4 s piece by piece, at 256 KiB of memory per blob in flight.
 */
const STREAM_BATCH_BYTES = 256 * 1024;

/** 1 MiB: a config or a small layer is sent whole; 16 blobs in flight hold 16 MiB at most. */
export const DEFAULT_WHOLE_BYTES = 1024 * 1024;

/** 8 MiB: inside ECR's layer-part window (5 to 10 MiB), 4,200 parts reach 33 GiB. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/** Thrown inside an attempt when the upstream's body ends early or fails; the blob is tried again. */
class BodyCut extends Error {}

/** Mounting within a run (engines/copy/mount.ts); absent: every blob missing from the target is uploaded. */
export interface MountContext {
  readonly ledger: BlobLedger;
  /** Called when the target answered a mount with a normal upload (202). */
  readonly fellBack: () => void;
}

/**
 * Copies `blob` of upstream `from` into target repository `to` unless the target has it; with
 * `mount`, a blob this run already pushed into another repository is mounted from there (and one
 * another image is sending right now is waited for, then mounted).
 * @throws DigestMismatchError, UpstreamCutError (after every attempt), TargetRefusedError, RegistryHttpError (upstream 4xx)
 */
export async function copyBlob(
  source: RegistrySession,
  from: string,
  target: RegistrySession,
  to: string,
  blob: BlobDescriptor,
  options: BlobOptions,
  mount?: MountContext,
): Promise<BlobOutcome> {
  const release = mount === undefined ? undefined : await mount.ledger.claim(blob.digest);
  try {
    if (await targetHasBlob(target, to, blob.digest)) return { bytes: 0, present: true };
    const lender = mount?.ledger.sourceFor(blob.digest, to);
    // An upload the registry started in answer to a mount: the first attempt sends its bytes there.
    let started: string | undefined;
    if (mount !== undefined && lender !== undefined) {
      const outcome = await mountBlob(target, to, lender, blob.digest);
      if (outcome.mounted) {
        mount.ledger.record(blob.digest, to);
        return { bytes: 0, present: false, mounted: true };
      }
      mount.fellBack();
      started = outcome.location;
    }
    const what = `blob ${from}@${blob.digest}`;
    const transfer: Transfer = { source, from, target, to, blob, what };
    let lastCut = '';
    for (let attempt = 0; attempt < options.attempts; attempt++) {
      try {
        const bytes =
          options.mode === 'chunked'
            ? await uploadOnce(transfer, options.chunkBytes, started)
            : blob.size <= (options.wholeBytes ?? DEFAULT_WHOLE_BYTES)
              ? await uploadWhole(transfer, started)
              : await uploadStreamed(transfer, started);
        mount?.ledger.record(blob.digest, to);
        return { bytes, present: false };
      } catch (err) {
        if (!(err instanceof BodyCut)) throw err;
        lastCut = err.message;
      } finally {
        started = undefined; // cancelled by the failed attempt, or used
      }
    }
    throw new UpstreamCutError(what, `${lastCut} (${options.attempts} attempts)`);
  } finally {
    release?.();
  }
}

/** One blob's way from the upstream repository `from` into the target repository `to`; `what` names it in messages. */
interface Transfer {
  readonly source: RegistrySession;
  readonly from: string;
  readonly target: RegistrySession;
  readonly to: string;
  readonly blob: BlobDescriptor;
  readonly what: string;
}

const tooLong = (t: Transfer): UpstreamCutError =>
  new UpstreamCutError(t.what, `the body is longer than the ${t.blob.size} bytes the manifest declares`);
const cutOff = (t: Transfer, received: number): BodyCut =>
  new BodyCut(`the upstream body was cut off after ${received} of ${t.blob.size} bytes`);
const bodyFailed = (t: Transfer, received: number, err: unknown): BodyCut =>
  new BodyCut(`the upstream body failed after ${received} of ${t.blob.size} bytes (${(err as Error).message})`);

/** The bytes that passed `verifier` hash to the blob's digest, or the blob is refused before anything commits it. */
function checkDigest(t: Transfer, verifier: DigestVerifier): void {
  const got = verifier.digest();
  if (got !== t.blob.digest) throw new DigestMismatchError(`GET ${t.what}`, t.blob.digest, got);
}

/** Opens the upstream body, then the upload (`started`, or a new one); a failure cancels an upload already started. */
async function openBoth(t: Transfer, started: string | undefined): Promise<{ res: SessionResponse; location: string }> {
  const { source, from, target, to, blob, what } = t;
  // Side by side: the upstream's answer and the target's upload (one round trip instead of two per blob).
  const [got, upload] = await Promise.allSettled([
    openUpstream(source, from, blob, what),
    started !== undefined ? Promise.resolve(started) : startUpload(target, to),
  ]);
  if (got.status === 'rejected') {
    if (upload.status === 'fulfilled') await cancelUpload(target, to, upload.value);
    throw got.reason;
  }
  if (upload.status === 'rejected') {
    got.value.body.destroy();
    throw upload.reason;
  }
  return { res: got.value, location: upload.value };
}

/**
 * A small blob (up to `wholeBytes`): read whole from the upstream, checked against its digest,
 * and sent in the `PUT ?digest=` that commits it (the OCI "POST then PUT" monolithic upload,
 * which ECR takes), one request fewer than `POST`, `PATCH`, `PUT`.
 */
async function uploadWhole(t: Transfer, started: string | undefined): Promise<number> {
  const { target, to, blob } = t;
  const { res, location } = await openBoth(t, started);
  try {
    const chunks: Buffer[] = [];
    let received = 0;
    try {
      for await (const piece of res.body as AsyncIterable<Buffer>) {
        received += piece.length;
        if (received > blob.size) throw tooLong(t);
        chunks.push(piece);
      }
    } catch (err) {
      if (err instanceof UpstreamCutError) throw err;
      throw bodyFailed(t, received, err);
    }
    const body = Buffer.concat(chunks, received);
    if (body.length < blob.size) throw cutOff(t, body.length);
    const verifier = DigestVerifier.for(blob.digest);
    verifier.update(body);
    checkDigest(t, verifier);
    await finishUpload(target, to, location, blob.digest, body);
    return body.length;
  } catch (err) {
    res.body.destroy();
    await cancelUpload(target, to, location);
    throw err;
  }
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
async function uploadStreamed(t: Transfer, started: string | undefined): Promise<number> {
  const { target, to, blob } = t;
  const opened = await openBoth(t, started);
  const res = opened.res;
  let location = opened.location;
  const verifier = DigestVerifier.for(blob.digest);
  let received = 0;
  let overflowed = false;
  let held: Buffer[] = [];
  let heldBytes = 0;
  const counted = new Transform({
    transform(piece: Buffer, _encoding, done) {
      received += piece.length;
      if (received > blob.size) {
        overflowed = true;
        done(new Error('longer than declared'));
        return;
      }
      verifier.update(piece);
      held.push(piece);
      heldBytes += piece.length;
      if (heldBytes >= STREAM_BATCH_BYTES) {
        const out = Buffer.concat(held, heldBytes);
        held = [];
        heldBytes = 0;
        done(null, out);
        return;
      }
      done();
    },
    flush(done) {
      done(null, heldBytes > 0 ? Buffer.concat(held, heldBytes) : undefined);
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
      if (overflowed) throw tooLong(t);
      throw bodyFailed(t, received, err);
    }
    if (answer.status !== 202 && answer.status !== 201)
      throw refused(`PATCH blob ${to}@${blob.digest}`, answer, await errorDetail(answer, target.redactor));
    answer.body.resume();
    const next = answer.header('location');
    if (next !== undefined) location = new URL(next, location).toString();
    if (overflowed) throw tooLong(t);
    if (received < blob.size) throw cutOff(t, received);
    checkDigest(t, verifier);
    await finishUpload(target, to, location, blob.digest);
    return received;
  } catch (err) {
    res.body.destroy();
    await cancelUpload(target, to, location);
    throw err;
  }
}

async function uploadOnce(t: Transfer, chunkBytes: number, started: string | undefined): Promise<number> {
  const { target, to, blob } = t;
  const opened = await openBoth(t, started);
  const res = opened.res;
  let location = opened.location;
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
          throw tooLong(t);
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
      throw bodyFailed(t, received, err);
    }
    if (received < blob.size) throw cutOff(t, received);
    checkDigest(t, verifier);
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
