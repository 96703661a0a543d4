/**
 * A stateful ECR for the eviction engine's tests, on aws-sdk-client-mock:
 * ListTagsForResource, DescribeRepositories and DescribeImages (paginated with `maxResults`/`nextToken`), BatchGetImage
 * (the index documents) and BatchDeleteImage, which refuses an image a remaining manifest list
 * refers to with `ImageReferencedByManifestList` and answers `ImageNotFound` for a gone one, as
 * ECR's API reference documents (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html,
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageFailure.html). Response
 * shapes follow the API reference pages of each action; the contents are invented for the tests.
 */
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ListTagsForResourceCommand,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import type { ImageRecord } from '../../core/eviction';

export const REGISTRY = '111122223333';
export const arnOf = (name: string) => `arn:aws:ecr:eu-west-2:${REGISTRY}:repository/${name}`;

/** One repository of the fake. */
export interface FakeRepository {
  images: ImageRecord[];
  /** Index digest -> the digests it lists. */
  children: Map<string, string[]>;
  tags?: Record<string, string>;
}

/** The fake and its state; `beforeDescribe` runs before each DescribeImages answer (to change things between listings). */
export function fakeEcr(
  state: Map<string, FakeRepository>,
  options: { pageSize?: number; repositoryPageSize?: number; beforeDescribe?: (repositoryName: string, call: number) => void } = {},
) {
  const mock = mockClient(ECRClient);
  const describeCalls = new Map<string, number>();
  mock.on(DescribeRepositoriesCommand).callsFake((input: { maxResults?: number; nextToken?: string }) => {
    const names = [...state.keys()];
    const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
    const end = Math.min(names.length, start + Math.min(input.maxResults ?? 100, options.repositoryPageSize ?? 1000));
    return {
      repositories: names.slice(start, end).map((repositoryName) => ({
        repositoryName,
        repositoryArn: arnOf(repositoryName),
        registryId: REGISTRY,
      })),
      ...(end < names.length ? { nextToken: String(end) } : {}),
    };
  });
  mock.on(ListTagsForResourceCommand).callsFake((input: { resourceArn: string }) => {
    const name = input.resourceArn.split(':repository/')[1]!;
    return { tags: Object.entries(state.get(name)?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
  });
  mock.on(DescribeImagesCommand).callsFake((input: { repositoryName: string; maxResults?: number; nextToken?: string }) => {
    const repo = state.get(input.repositoryName);
    if (repo === undefined) throw Object.assign(new Error('repository not found'), { name: 'RepositoryNotFoundException' });
    if (input.nextToken === undefined) {
      const n = (describeCalls.get(input.repositoryName) ?? 0) + 1;
      describeCalls.set(input.repositoryName, n);
      options.beforeDescribe?.(input.repositoryName, n);
    }
    const size = Math.min(input.maxResults ?? 100, options.pageSize ?? 1000);
    const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
    const page = repo.images.slice(start, start + size);
    const details: ImageDetail[] = page.map((i) => ({
      registryId: REGISTRY,
      repositoryName: input.repositoryName,
      ...i,
      imageTags: i.imageTags ? [...i.imageTags] : undefined,
    }));
    return { imageDetails: details, ...(start + size < repo.images.length ? { nextToken: String(start + size) } : {}) };
  });
  mock.on(BatchGetImageCommand).callsFake((input: { repositoryName: string; imageIds: { imageDigest: string }[] }) => {
    const repo = state.get(input.repositoryName)!;
    return {
      images: input.imageIds
        .filter((id) => repo.children.has(id.imageDigest))
        .map((id) => ({
          registryId: REGISTRY,
          repositoryName: input.repositoryName,
          imageId: { imageDigest: id.imageDigest },
          imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
          imageManifest: JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.index.v1+json',
            manifests: repo.children.get(id.imageDigest)!.map((digest, i) => ({
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest,
              size: 1000 + i,
              platform: { architecture: i === 0 ? 'amd64' : 'arm64', os: 'linux' },
            })),
          }),
        })),
      failures: [],
    };
  });
  mock
    .on(BatchDeleteImageCommand)
    .callsFake((input: { repositoryName: string; imageIds: { imageDigest?: string; imageTag?: string }[] }) =>
      deleteFrom(state, input.repositoryName, input.imageIds),
    );
  return mock;
}

/** BatchDeleteImage against the state, in the order of `ids`. */
export function deleteFrom(state: Map<string, FakeRepository>, repositoryName: string, ids: { imageDigest?: string }[]) {
  const repo = state.get(repositoryName)!;
  const imageIds: { imageDigest: string }[] = [];
  const failures: { imageId: { imageDigest: string }; failureCode: string; failureReason: string }[] = [];
  for (const { imageDigest } of ids) {
    if (imageDigest === undefined) throw new Error('the engine must delete by digest');
    const at = repo.images.findIndex((i) => i.imageDigest === imageDigest);
    if (at === -1) {
      failures.push({ imageId: { imageDigest }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
      continue;
    }
    const listedBy = repo.images.find((i) => repo.children.get(i.imageDigest)?.includes(imageDigest));
    if (listedBy !== undefined) {
      failures.push({
        imageId: { imageDigest },
        failureCode: 'ImageReferencedByManifestList',
        failureReason: `Requested image referenced by manifest list: [${listedBy.imageDigest}]`,
      });
      continue;
    }
    repo.images.splice(at, 1);
    repo.children.delete(imageDigest);
    imageIds.push({ imageDigest });
  }
  return { imageIds, failures };
}
