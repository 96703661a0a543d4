/**
 * Cross-repository blob mounting within one run: when a blob is needed in target repository B and
 * this run has already pushed it into copy repository A of the same registry, the engine asks the
 * registry to mount it (`POST /v2/B/blobs/uploads/?mount=<digest>&from=A`) instead of sending its
 * bytes again. 201 means mounted; 202 means the registry started a normal upload instead, which the
 * engine then continues (ECR answers so without the `BLOB_MOUNTING` account setting,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/blob-mounting.html). Only repositories
 * this run pushed to are sources, never a pull-through-cache repository (ECR refuses those, and
 * a cache repository's content is not ours to lend).
 */
import { errorDetail } from '../../registry/http';
import type { RegistrySession } from '../../registry/session';
import { TargetRefusedError } from './errors';

/**
 * The note an image gets when the target answered a mount with an upload (202): the blob was sent
 * all the same, and the user may want the account setting.
 */
export const MOUNT_FELL_BACK_NOTE =
  'the target answered a blob mount with a normal upload (202), so the bytes were sent again; ECR does so without the BLOB_MOUNTING account setting, or for a blob no manifest of the other repository references yet (docs/copy.md)';

/** Which repositories of this run hold which blobs, and the uploads still in flight. */
export class BlobLedger {
  private readonly holders = new Map<string, Set<string>>();
  /** `digest repository` pairs whose repository has a manifest referencing the blob. */
  private readonly referenced = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();

  /**
   * @param mountable whether a repository may lend its blobs (the run's copy repositories); a
   *   pull-through-cache repository must answer false. @default every repository
   */
  constructor(private readonly mountable: (repository: string) => boolean = () => true) {}

  /** Records that `repository` has `digest` because this run pushed (or mounted) it there. */
  record(digest: string, repository: string): void {
    if (!this.mountable(repository)) return;
    let set = this.holders.get(digest);
    if (set === undefined) this.holders.set(digest, (set = new Set()));
    set.add(repository);
  }

  /**
   * Records that a manifest referencing these blobs is now in `repository`. ECR mounts only a blob
   * some manifest of the source repository references, and answers 202 for one that is merely
   * uploaded (aws/containers-roadmap#2860), so such a source is preferred.
   */
  manifestPushed(digests: readonly string[], repository: string): void {
    for (const digest of digests) {
      this.record(digest, repository);
      if (this.mountable(repository)) this.referenced.add(`${digest} ${repository}`);
    }
  }

  /** A repository other than `to` that this run pushed `digest` into, if any (one where a manifest references it first). */
  sourceFor(digest: string, to: string): string | undefined {
    let fallback: string | undefined;
    for (const repository of this.holders.get(digest) ?? []) {
      if (repository === to) continue;
      if (this.referenced.has(`${digest} ${repository}`)) return repository;
      fallback ??= repository;
    }
    return fallback;
  }

  /**
   * Waits for an upload of `digest` that another image of this run has in flight (so the two do
   * not both send it), or claims the upload: the returned function ends the claim.
   */
  async claim(digest: string): Promise<(() => void) | undefined> {
    const inFlight = this.pending.get(digest);
    if (inFlight !== undefined) {
      await inFlight;
      return undefined;
    }
    let done!: () => void;
    this.pending.set(
      digest,
      new Promise<void>((resolve) => {
        done = resolve;
      }),
    );
    return () => {
      this.pending.delete(digest);
      done();
    };
  }
}

/** What a mount request gave. */
export type MountOutcome = { readonly mounted: true } | { readonly mounted: false; readonly location: string };

/**
 * `POST /v2/<to>/blobs/uploads/?mount=<digest>&from=<from>`: 201 is a mounted blob; 202 an upload
 * the registry started instead (its `Location` is where the bytes go).
 * @throws TargetRefusedError for any other answer
 */
export async function mountBlob(target: RegistrySession, to: string, from: string, digest: string): Promise<MountOutcome> {
  const what = `POST blob mount ${to}@${digest} from ${from}`;
  const query = new URLSearchParams({ mount: digest, from });
  const res = await target.request({
    method: 'POST',
    path: `/v2/${to}/blobs/uploads/?${query.toString()}`,
    repository: to,
    what,
    body: Buffer.alloc(0),
  });
  const location = res.header('location');
  if (res.status === 201) {
    res.body.resume();
    const stored = res.header('docker-content-digest');
    if (stored !== undefined && stored !== digest)
      throw new TargetRefusedError(what, res.status, `the target mounted ${target.redactor.quote(stored, 80)}`);
    return { mounted: true };
  }
  if (res.status === 202 && location !== undefined) {
    res.body.resume();
    return { mounted: false, location: new URL(location, target.baseUrl).toString() };
  }
  throw new TargetRefusedError(what, res.status, await errorDetail(res, target.redactor));
}
