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

async function deleteBatch(
  ecr: ECRClient,
  registryId: string | undefined,
  repository: string,
  digests: readonly string[],
  retry: RetryOptions,
  outcome: DeletionOutcome,
): Promise<string[]> {
  const failed: string[] = [];
  let response;
  try {
    response = await withRetry(
      () =>
        ecr.send(
          new BatchDeleteImageCommand({
            ...(registryId ? { registryId } : {}),
            repositoryName: repository,
            imageIds: digests.map((imageDigest) => ({ imageDigest })),
          }),
        ),
      retry,
    );
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    for (const digest of digests) outcome.failures.push({ repository, digest, code: errorName(err), reason });
    return [...digests];
  }
  for (const id of response.imageIds ?? []) if (id.imageDigest !== undefined) outcome.deleted.add(id.imageDigest);
  const answered = new Set(outcome.deleted);
  for (const f of response.failures ?? []) {
    const digest = f.imageId?.imageDigest;
    if (digest === undefined) continue;
    if (f.failureCode === 'ImageNotFound') outcome.deleted.add(digest);
    else if (f.failureCode === 'ImageReferencedByManifestList') outcome.referenced.add(digest);
    else {
      outcome.failures.push({ repository, digest, code: f.failureCode ?? 'Unknown', reason: f.failureReason ?? '' });
      failed.push(digest);
    }
    answered.add(digest);
  }
  // ECR answers each image ID with a deletion or a failure; one it left out is not known to be gone.
  for (const digest of digests) {
    if (answered.has(digest) || outcome.referenced.has(digest)) continue;
    outcome.failures.push({
      repository,
      digest,
      code: 'NoAnswer',
      reason: 'BatchDeleteImage answered neither a deletion nor a failure for it',
    });
    failed.push(digest);
  }
  return failed;
}

async function deleteAll(
  ecr: ECRClient,
  registryId: string | undefined,
  repository: string,
  digests: readonly string[],
  retry: RetryOptions,
  outcome: DeletionOutcome,
): Promise<number> {
  let failed = 0;
  for (let at = 0; at < digests.length; at += BATCH_DELETE_LIMIT) {
    failed += (await deleteBatch(ecr, registryId, repository, digests.slice(at, at + BATCH_DELETE_LIMIT), retry, outcome)).length;
  }
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
  const skipRest = (from: number) => {
    const rest = [...rounds.slice(from).flat(), ...unordered];
    for (const digest of rest)
      outcome.failures.push({
        repository,
        digest,
        code: 'NotAttempted',
        reason: 'an earlier deletion in this repository failed, so what it refers to was left in place',
      });
    return outcome;
  };
  for (let r = 0; r < rounds.length; r++) {
    if ((await deleteAll(ecr, registryId, repository, rounds[r]!, retry, outcome)) > 0) return skipRest(r + 1);
  }
  let pending = [...unordered];
  while (pending.length > 0) {
    const before = outcome.deleted.size;
    for (const d of pending) outcome.referenced.delete(d);
    if ((await deleteAll(ecr, registryId, repository, pending, retry, outcome)) > 0) return outcome;
    pending = pending.filter((d) => outcome.referenced.has(d));
    if (outcome.deleted.size === before) break;
  }
  return outcome;
}
