/**
 * The benchmark's ECR for eviction: repositories whose 20 images each are generated from the
 * repository's number (no state per image but the deleted digests), answering DescribeRepositories,
 * ListTagsForResource, DescribeImages (pages of `maxResults`), BatchGetImage (index documents) and
 * BatchDeleteImage (refusing an image a remaining index lists, as ECR does), in the JSON shapes
 * of ECR's API reference. Invented content, for measurement only.
 */
import { createHash } from 'node:crypto';

const ACCOUNT = '111122223333';
const DAY_S = 86_400;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** One image as DescribeImages returns it over the wire (times in epoch seconds). */
export interface GeneratedImage {
  imageDigest: string;
  imageTags?: string[];
  imageSizeInBytes: number;
  imagePushedAt: number;
  lastRecordedPullTime?: number;
  imageManifestMediaType: string;
  artifactMediaType?: string;
  subjectManifestDigest?: string;
}

const digest = (repo: number, label: string) => `sha256:${createHash('sha256').update(`${repo}/${label}`).digest('hex')}`;

/**
 * 20 images: 4 multi-arch tags (index + amd64 + arm64), a signature on 2 of them, 4 single-platform
 * tags and 2 untagged orphans. Pull ages spread over 0-200 days, so about a third is evictable at 90.
 */
export function imagesOf(repo: number, nowS: number): { images: GeneratedImage[]; children: Map<string, string[]> } {
  const images: GeneratedImage[] = [];
  const children = new Map<string, string[]>();
  const age = (k: number) => ((repo * 7 + k * 13) % 200) * DAY_S;
  for (let t = 0; t < 4; t++) {
    const amd = digest(repo, `amd${t}`);
    const arm = digest(repo, `arm${t}`);
    const idx = digest(repo, `idx${t}`);
    images.push({
      imageDigest: idx,
      imageTags: [`v${t}`],
      imageSizeInBytes: 30_000_000,
      imagePushedAt: nowS - 300 * DAY_S,
      lastRecordedPullTime: nowS - age(t),
      imageManifestMediaType: OCI_INDEX,
    });
    images.push({
      imageDigest: amd,
      imageSizeInBytes: 29_000_000,
      imagePushedAt: nowS - 300 * DAY_S,
      imageManifestMediaType: OCI_MANIFEST,
    });
    images.push({
      imageDigest: arm,
      imageSizeInBytes: 30_000_000,
      imagePushedAt: nowS - 300 * DAY_S,
      lastRecordedPullTime: nowS - age(t + 10),
      imageManifestMediaType: OCI_MANIFEST,
    });
    children.set(idx, [amd, arm]);
    if (t < 2)
      images.push({
        imageDigest: digest(repo, `sig${t}`),
        imageSizeInBytes: 1_500,
        imagePushedAt: nowS - 300 * DAY_S,
        imageManifestMediaType: OCI_MANIFEST,
        artifactMediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
        subjectManifestDigest: idx,
      });
  }
  for (let t = 0; t < 4; t++)
    images.push({
      imageDigest: digest(repo, `one${t}`),
      imageTags: [`s${t}`],
      imageSizeInBytes: 10_000_000,
      imagePushedAt: nowS - 300 * DAY_S,
      lastRecordedPullTime: nowS - age(t + 20),
      imageManifestMediaType: OCI_MANIFEST,
    });
  for (let t = 0; t < 2; t++)
    images.push({
      imageDigest: digest(repo, `orphan${t}`),
      imageSizeInBytes: 5_000_000,
      imagePushedAt: nowS - age(t + 30),
      imageManifestMediaType: OCI_MANIFEST,
    });
  return { images, children };
}

/** A repository's images and, per index digest, the manifests it lists. */
export interface FakeRepositoryContents {
  readonly images: GeneratedImage[];
  readonly children: Map<string, string[]>;
}

/**
 * The fake registry: `count` repositories named by `nameAt`, whose contents `contentsOf` gives
 * (computed on each call, so that only the deleted digests are state).
 */
export class EvictionFakeRegistry {
  readonly deleted = new Set<string>();
  readonly calls = new Map<string, number>();
  constructor(
    readonly count: number,
    private readonly nameAt: (i: number) => string,
    private readonly contentsOf: (name: string) => FakeRepositoryContents,
  ) {}

  /** `repos` generated repositories under `docker-hub/` (`imagesOf`), plus `outside` ones no prefix covers. */
  static generated(repos: number, outside: number, nowS: number): EvictionFakeRegistry {
    return new EvictionFakeRegistry(
      repos + outside,
      (i) => (i < repos ? `docker-hub/team/app-${i}` : `team-a/own-${i}`),
      (name) => imagesOf(Number(name.slice(name.lastIndexOf('-') + 1)), nowS),
    );
  }

  private live(name: string) {
    const { images, children } = this.contentsOf(name);
    return { images: images.filter((i) => !this.deleted.has(i.imageDigest)), children };
  }

  handle(operation: string, input: Record<string, any>): Record<string, unknown> {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    switch (operation) {
      case 'DescribeRepositories': {
        const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
        const total = this.count;
        const end = Math.min(total, start + (input.maxResults ?? 100));
        const repositories = [];
        for (let i = start; i < end; i++) {
          const name = this.nameAt(i);
          repositories.push({
            repositoryName: name,
            repositoryArn: `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/${name}`,
            registryId: ACCOUNT,
          });
        }
        return { repositories, ...(end < total ? { nextToken: String(end) } : {}) };
      }
      case 'ListTagsForResource':
        return { tags: [] };
      case 'DescribeImages': {
        const { images } = this.live(input.repositoryName);
        const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
        const end = Math.min(images.length, start + (input.maxResults ?? 100));
        return {
          imageDetails: images.slice(start, end).map((i) => ({ registryId: ACCOUNT, repositoryName: input.repositoryName, ...i })),
          ...(end < images.length ? { nextToken: String(end) } : {}),
        };
      }
      case 'BatchGetImage': {
        const { children } = this.live(input.repositoryName);
        const ids = input.imageIds as { imageDigest: string }[];
        return {
          images: ids
            .filter((id) => children.has(id.imageDigest) && !this.deleted.has(id.imageDigest))
            .map((id) => ({
              registryId: ACCOUNT,
              repositoryName: input.repositoryName,
              imageId: id,
              imageManifestMediaType: OCI_INDEX,
              imageManifest: JSON.stringify({
                schemaVersion: 2,
                mediaType: OCI_INDEX,
                manifests: children.get(id.imageDigest)!.map((d) => ({ mediaType: OCI_MANIFEST, digest: d, size: 1000 })),
              }),
            })),
          failures: [],
        };
      }
      case 'BatchDeleteImage': {
        const { images, children } = this.live(input.repositoryName);
        const present = new Set(images.map((i) => i.imageDigest));
        const imageIds: { imageDigest: string }[] = [];
        const failures: unknown[] = [];
        for (const { imageDigest } of input.imageIds as { imageDigest: string }[]) {
          if (!present.has(imageDigest)) {
            failures.push({ imageId: { imageDigest }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
            continue;
          }
          const listedBy = [...children].find(([idx, kids]) => present.has(idx) && kids.includes(imageDigest));
          if (listedBy !== undefined) {
            failures.push({
              imageId: { imageDigest },
              failureCode: 'ImageReferencedByManifestList',
              failureReason: 'Requested image referenced by manifest list',
            });
            continue;
          }
          this.deleted.add(imageDigest);
          present.delete(imageDigest);
          imageIds.push({ imageDigest });
        }
        return { imageIds, failures };
      }
      default:
        throw new Error(`the eviction fake does not serve ${operation}`);
    }
  }
}
