/**
 * Shapes of the eviction domain, kept apart from the computations so every module (and the
 * engine above) imports them without a cycle.
 */

/**
 * One image as ECR's DescribeImages describes it (`ImageDetail`), reduced to what eviction reads.
 * The SDK's `ImageDetail` is assignable to it once `imageDigest` is known.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html
 */
export interface ImageRecord {
  readonly imageDigest: string;
  readonly imageTags?: readonly string[] | undefined;
  /** For an image index, the largest of its manifests (not their sum): never added up (see `groupBytes`). */
  readonly imageSizeInBytes?: number | undefined;
  readonly imagePushedAt?: Date | undefined;
  /** Refreshed by ECR "at least once every 24 hours"; absent when never pulled. */
  readonly lastRecordedPullTime?: Date | undefined;
  readonly imageManifestMediaType?: string | undefined;
  readonly artifactMediaType?: string | undefined;
  /** Set on OCI referrers (signatures, SBOMs, attestations): the digest of the manifest they refer to. */
  readonly subjectManifestDigest?: string | undefined;
}

/** The images of one repository, with what is known of each image index's children. */
export interface RepositoryImages {
  readonly repositoryName: string;
  readonly images: readonly ImageRecord[];
  /**
   * The manifests each image index lists (`manifests[].digest`), read from the index. An index
   * missing from the map has unknown children: eviction then assumes it may refer to every other
   * non-referrer image of the repository (safe, and coarse).
   */
  readonly children: ReadonlyMap<string, readonly string[]>;
}

/** The eviction settings of one repository's prefix (core/eviction/settings.ts). */
export interface EvictionSettings {
  /** Evict a group nobody pulled (or pushed) for this many days. */
  readonly unpulledDays: number;
  readonly mode: 'report' | 'delete';
  /** `repository[:tag]` patterns never evicted. */
  readonly protect: readonly string[];
}

/** Images never evicted, matched per tag or per digest: prewarm's and the copies' lists. */
export interface PinnedImages {
  /** `repository:tag` of every pinned tag. */
  readonly tags: ReadonlySet<string>;
  /** `repository@digest` of every pinned digest. */
  readonly digests: ReadonlySet<string>;
  /** Where each pinned `repository:tag` / `repository@digest` comes from, such as `prewarm.images[2]`. */
  readonly sources: ReadonlyMap<string, string>;
}

/** What the domain decides for one image group. */
export interface GroupDecision {
  readonly repository: string;
  /** Tags of the group's root (empty for an untagged orphan). */
  readonly tags: readonly string[];
  /** Every member, the root first: the index or image, its children, its referrers. */
  readonly digests: readonly string[];
  /** The latest `lastRecordedPullTime` of the members; undefined when none was ever pulled. */
  readonly lastPull: Date | undefined;
  /** The latest pull or push of the members: the clock eviction compares with `unpulledDays`. */
  readonly lastUse: Date;
  /** Bytes of the members (see `groupBytes`). */
  readonly bytes: number;
  readonly action: 'evict' | 'keep';
  readonly reason: string;
  /** The members an evicted group deletes: all but those a kept group shares. Empty when kept. */
  readonly deletes: readonly string[];
  /** Bytes of `deletes` not already counted by an earlier evicted group of the repository. */
  readonly freedBytes: number;
}

/** The plan for one repository. */
export interface RepositoryPlan {
  readonly repositoryName: string;
  readonly groups: readonly GroupDecision[];
  /**
   * The digests to delete, in rounds: nothing in a round is referred to by anything in a later
   * one (referrers and indexes before the manifests they list), so ECR never refuses a delete
   * because a manifest list still refers to the image.
   */
  readonly rounds: readonly (readonly string[])[];
  /**
   * Digests whose order is unknown: caught in a loop of indexes whose children were not read (and
   * what only they refer to). Deleted after `rounds`, again and again while ECR refuses some as
   * still referenced by a manifest list and each pass deletes something.
   */
  readonly unordered: readonly string[];
  /** Bytes of every distinct member of the repository (see `groupBytes`). */
  readonly storedBytes: number;
  readonly images: number;
}

/** Per-prefix figures of a pass, the ones the metrics and the CLI show (and a continued pass carries). */
export interface PrefixTotals {
  readonly prefix: string;
  mode: 'report' | 'delete';
  repositories: number;
  ignored: number;
  images: number;
  storedBytes: number;
  evictableGroups: number;
  evictableImages: number;
  evictableBytes: number;
  evictedImages: number;
  evictedBytes: number;
  failedImages: number;
}
