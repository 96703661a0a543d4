/**
 * The image graph of one repository, from DescribeImages records and the children read from
 * each image index: which manifest refers to which (an index to the manifests it lists, a
 * referrer to its `subject`), and the groups eviction decides on, each reached from a root (a
 * tagged image, or an untagged image nothing owns).
 */
import type { ImageRecord, RepositoryImages } from './types';

/** Media types of an image index: OCI's and Docker's manifest list. */
export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** Whether ECR describes the image as an image index (manifest list). */
export function isIndex(image: ImageRecord): boolean {
  return image.imageManifestMediaType !== undefined && INDEX_MEDIA_TYPES.has(image.imageManifestMediaType);
}

/**
 * The bytes a member adds to a group: its `imageSizeInBytes`, except for an image index, whose
 * size ECR reports as the largest of its manifests; the manifests are members too and count
 * themselves. Layers shared by two images of a repository are counted once per image (ECR's
 * DescribeImages does not list layers), so group and freed bytes are upper bounds.
 */
export function memberBytes(image: ImageRecord): number {
  return isIndex(image) ? 0 : (image.imageSizeInBytes ?? 0);
}

/** The repository's images and their references, by digest. */
export interface ImageGraph {
  readonly images: ReadonlyMap<string, ImageRecord>;
  /** What each image refers to and so needs: an index its children, a referrer its subject. */
  readonly refersTo: ReadonlyMap<string, readonly string[]>;
  /** The referrers (signatures, SBOMs) of each image. */
  readonly referrers: ReadonlyMap<string, readonly string[]>;
  /** Each root with every member it reaches (itself first). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Builds the graph. An index whose children are unknown (not in `repo.children`) is assumed to
 * refer to every other non-referrer image of the repository: nothing it might list is deleted
 * while it is kept.
 * @example
 * buildGraph({ repositoryName: 'k8s/pause', images, children: new Map([[index, [amd64, arm64]]]) }).groups.get(index)
 */
export function buildGraph(repo: RepositoryImages): ImageGraph {
  const images = new Map<string, ImageRecord>();
  for (const image of repo.images) if (!images.has(image.imageDigest)) images.set(image.imageDigest, image);
  const refersTo = new Map<string, string[]>();
  const referrers = new Map<string, string[]>();
  const owned = new Set<string>();
  const plain = [...images.values()].filter((i) => i.subjectManifestDigest === undefined).map((i) => i.imageDigest);
  for (const image of images.values()) {
    const digest = image.imageDigest;
    const subject = image.subjectManifestDigest;
    if (subject !== undefined && images.has(subject) && subject !== digest) {
      push(refersTo, digest, subject);
      push(referrers, subject, digest);
      owned.add(digest);
    }
    if (isIndex(image)) {
      const known = repo.children.get(digest);
      const listed = known === undefined ? plain : known;
      for (const child of new Set(listed)) {
        if (child === digest || !images.has(child)) continue;
        push(refersTo, digest, child);
        owned.add(child);
      }
    }
  }
  const reach = (root: string): string[] => {
    const seen = new Set<string>([root]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const at = queue[i]!;
      for (const next of [...(refersTo.get(at) ?? []), ...(referrers.get(at) ?? [])]) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return queue;
  };
  const groups = new Map<string, string[]>();
  const reached = new Set<string>();
  const addRoot = (digest: string) => {
    const members = reach(digest);
    groups.set(digest, members);
    for (const m of members) reached.add(m);
  };
  for (const image of images.values()) {
    const tagged = (image.imageTags?.length ?? 0) > 0;
    if (tagged || !owned.has(image.imageDigest)) addRoot(image.imageDigest);
  }
  // Untagged images owned only in a loop (two indexes of unknown children) still need a root: indexes first, so they reach their manifests.
  const left = [...images.values()].filter((i) => !reached.has(i.imageDigest)).sort((a, b) => Number(isIndex(b)) - Number(isIndex(a)));
  for (const image of left) if (!reached.has(image.imageDigest)) addRoot(image.imageDigest);
  return { images, refersTo, referrers, groups };
}
