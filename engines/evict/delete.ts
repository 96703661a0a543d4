/**
 * Deletion of a plan's digests with BatchDeleteImage: by digest, never by tag, 100 a call (the
 * API's limit), round by round so referrers and indexes go before what they list. A round with a
 * failure stops the repository's later rounds: deleting a subject whose signature could not be
 * deleted would leave the signature dangling.
 */
import { BatchDeleteImageCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { errorName } from '../../core/aws-errors';
import { withRetry, type RetryOptions } from './retry';

/** BatchDeleteImage's limit on image IDs per call. */
export const BATCH_DELETE_LIMIT = 100;

/** A digest eviction meant to delete and could not. */
export interface DeletionFailure {
  readonly repository: string;
  /** The digest; empty when the whole repository failed (it could not be listed). */
  readonly digest: string;
  /** ECR's failure code (`KmsError`...), the error's name when the whole call failed, or `NotAttempted`. */
  readonly code: string;
  readonly reason: string;
}

/** What a deletion did. */
export interface DeletionOutcome {
  /** Deleted now, or already gone (`ImageNotFound`). */
  readonly deleted: Set<string>;
  /** Refused by ECR because a manifest list still refers to them (one pushed since the listing): kept, not a failure. */
  readonly referenced: Set<string>;
  readonly failures: DeletionFailure[];
}

/** One repository's deletion: where it deletes and what it did so far. */
interface Deletion {
  readonly ecr: ECRClient;
  readonly registryId: string | undefined;
  readonly repository: string;
  readonly retry: RetryOptions;
  readonly outcome: DeletionOutcome;
}

/** Records `digests` as failed with `code`; returns how many. */
function fail(d: Deletion, digests: readonly string[], code: string, reason: string): number {
  for (const digest of digests) d.outcome.failures.push({ repository: d.repository, digest, code, reason });
  return digests.length;
}

/** One BatchDeleteImage call (at most `BATCH_DELETE_LIMIT` digests); returns how many failed. */
async function deleteBatch(d: Deletion, digests: readonly string[]): Promise<number> {
  const { outcome } = d;
  let response;
  try {
    response = await withRetry(
      () =>
        d.ecr.send(
          new BatchDeleteImageCommand({
            ...(d.registryId ? { registryId: d.registryId } : {}),
            repositoryName: d.repository,
            imageIds: digests.map((imageDigest) => ({ imageDigest })),
          }),
        ),
      d.retry,
    );
  } catch (err) {
    return fail(d, digests, errorName(err), err instanceof Error ? err.message : String(err));
  }
  let failed = 0;
  for (const id of response.imageIds ?? []) if (id.imageDigest !== undefined) outcome.deleted.add(id.imageDigest);
  const answered = new Set(outcome.deleted);
  for (const f of response.failures ?? []) {
    const digest = f.imageId?.imageDigest;
    if (digest === undefined) continue;
    if (f.failureCode === 'ImageNotFound') outcome.deleted.add(digest);
    else if (f.failureCode === 'ImageReferencedByManifestList') outcome.referenced.add(digest);
    else failed += fail(d, [digest], f.failureCode ?? 'Unknown', f.failureReason ?? '');
    answered.add(digest);
  }
  // ECR answers each image ID with a deletion or a failure; one it left out is not known to be gone.
  const unanswered = digests.filter((digest) => !answered.has(digest) && !outcome.referenced.has(digest));
  return failed + fail(d, unanswered, 'NoAnswer', 'BatchDeleteImage answered neither a deletion nor a failure for it');
}

/** `digests` in calls of `BATCH_DELETE_LIMIT`; returns how many failed. */
async function deleteAll(d: Deletion, digests: readonly string[]): Promise<number> {
  let failed = 0;
  for (let at = 0; at < digests.length; at += BATCH_DELETE_LIMIT)
    failed += await deleteBatch(d, digests.slice(at, at + BATCH_DELETE_LIMIT));
  return failed;
}

/**
 * Deletes `rounds` in order, then `unordered` pass after pass while ECR refuses some as still
 * referenced and each pass deletes something.
 */
export async function deleteDigests(
  ecr: ECRClient,
  registryId: string | undefined,
  repository: string,
  rounds: readonly (readonly string[])[],
  unordered: readonly string[],
  retry: RetryOptions,
): Promise<DeletionOutcome> {
  const outcome: DeletionOutcome = { deleted: new Set(), referenced: new Set(), failures: [] };
  const d: Deletion = { ecr, registryId, repository, retry, outcome };
  for (let r = 0; r < rounds.length; r++) {
    if ((await deleteAll(d, rounds[r]!)) > 0) {
      const rest = [...rounds.slice(r + 1).flat(), ...unordered];
      fail(d, rest, 'NotAttempted', 'an earlier deletion in this repository failed, so what it refers to was left in place');
      return outcome;
    }
  }
  let pending = [...unordered];
  while (pending.length > 0) {
    const before = outcome.deleted.size;
    for (const digest of pending) outcome.referenced.delete(digest);
    if ((await deleteAll(d, pending)) > 0) return outcome;
    pending = pending.filter((digest) => outcome.referenced.has(digest));
    if (outcome.deleted.size === before) break;
  }
  return outcome;
}
