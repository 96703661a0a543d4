/**
 * The upload steps of the distribution API as the copy engine uses them against the target:
 * `HEAD` a blob, `POST` an upload, `PATCH` a chunk, `PUT ?digest=` to commit, `DELETE` to cancel.
 * ECR (docs/copy.md): a PATCH of a middle chunk may answer 201 with a stale `Range`
 * (aws/containers-roadmap#2831), so 201 is accepted as well as 202 and the engine counts the
 * bytes it sent itself; the final `PUT ?digest=` is where the registry checks the whole.
 */
import { errorDetail } from '../../registry/http';
import type { RegistrySession, SessionResponse } from '../../registry/session';
import { TargetRefusedError } from './errors';

/** A blob as a manifest's descriptor gives it. */
export interface BlobDescriptor {
  readonly digest: string;
  readonly size: number;
}

/** Whether the target has a blob (`HEAD`). */
export async function targetHasBlob(target: RegistrySession, repository: string, digest: string): Promise<boolean> {
  const what = `HEAD blob ${repository}@${digest}`;
  const res = await target.request({ method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, repository, what });
  res.body.resume();
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw new TargetRefusedError(what, res.status);
}

export async function startUpload(target: RegistrySession, to: string): Promise<string> {
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

export async function patchChunk(
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

/** `PUT <location>?digest=`: commits the upload, with the last bytes (the whole blob for a monolithic upload) or none. */
export async function finishUpload(
  target: RegistrySession,
  to: string,
  location: string,
  digest: string,
  body: Buffer = Buffer.alloc(0),
): Promise<void> {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  const what = `PUT blob ${to}@${digest}`;
  const res = await target.request({
    method: 'PUT',
    path: url.toString(),
    repository: to,
    what,
    body,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (res.status !== 201) throw refused(what, res, await errorDetail(res, target.redactor));
  res.body.resume();
  const stored = res.header('docker-content-digest');
  if (stored !== undefined && stored !== digest)
    throw new TargetRefusedError(what, res.status, `the target stored ${target.redactor.quote(stored, 80)}`);
}

/** Best effort: an upload that will not finish is cancelled so the registry can drop its bytes. */
export async function cancelUpload(target: RegistrySession, to: string, location: string): Promise<void> {
  try {
    const res = await target.request({ method: 'DELETE', path: location, repository: to, what: `DELETE upload ${to}` });
    res.body.resume();
  } catch {
    // The registry expires abandoned uploads itself; the failure being reported matters more.
  }
}

export function refused(what: string, res: SessionResponse, detail: string | undefined): TargetRefusedError {
  return new TargetRefusedError(what, res.status, detail);
}
