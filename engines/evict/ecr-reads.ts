/**
 * What eviction reads from ECR: the managed repositories (DescribeRepositories, then
 * ListTagsForResource for the opt-out tag), every image of one (DescribeImages, 1,000 a page),
 * and the children of its image indexes (BatchGetImage on the indexes only).
 *
 * BatchGetImage is a pull to ECR: it would refresh the indexes' `lastRecordedPullTime` unless the
 * calling role is registered as a pull-time update exclusion, which the stack does for the
 * eviction Lambda's role (docs/eviction.md). Without it (`readManifests: false`) the domain
 * assumes an index may list every other image of its repository.
 */
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
  type ECRClient,
  type Repository,
} from '@aws-sdk/client-ecr';
import { INDEX_MEDIA_TYPES, isIndex, type ImageRecord } from '../../core/eviction';
import { withRetry, type RetryOptions } from './retry';

/** DescribeImages' largest page. */
export const DESCRIBE_IMAGES_PAGE = 1000;
/** BatchGetImage's limit on image IDs per call. */
export const BATCH_GET_IMAGE_LIMIT = 100;

/**
 * The pages of a paginated ECR call, each fetched with `withRetry`: `fetch` takes the previous
 * page's `nextToken` (undefined for the first page, or `startToken` to begin elsewhere). Each page
 * comes with the token that listed it, so a pass can say where to continue.
 */
async function* pages<P extends { nextToken?: string | undefined }>(
  fetch: (nextToken: string | undefined) => Promise<P>,
  retry: RetryOptions,
  startToken?: string,
): AsyncGenerator<{ page: P; token: string | undefined }> {
  let nextToken: string | undefined = startToken;
  do {
    const token = nextToken;
    const page = await withRetry(() => fetch(token), retry);
    yield { page, token };
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
}

/** A page of the registry's repositories and the token that listed it (undefined: the first page). */
export interface RepositoryPage {
  readonly repositories: Repository[];
  readonly token: string | undefined;
}

/** Every repository of the registry, page by page (1,000 a page), without holding them all; from `startToken` when given. */
export async function* repositories(
  ecr: ECRClient,
  registryId: string | undefined,
  retry: RetryOptions,
  startToken?: string,
): AsyncGenerator<RepositoryPage> {
  const fetch = (token: string | undefined) =>
    ecr.send(
      new DescribeRepositoriesCommand({ ...(registryId ? { registryId } : {}), maxResults: 1000, ...(token ? { nextToken: token } : {}) }),
    );
  for await (const { page, token } of pages(fetch, retry, startToken)) yield { repositories: page.repositories ?? [], token };
}

/** The repository's tags as a map. */
export async function repositoryTags(ecr: ECRClient, repositoryArn: string, retry: RetryOptions): Promise<Record<string, string>> {
  const out = await withRetry(() => ecr.send(new ListTagsForResourceCommand({ resourceArn: repositoryArn })), retry);
  return Object.fromEntries((out.tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** Every image of a repository (ACTIVE ones: DescribeImages' default), 1,000 a page. */
export async function describeAll(
  ecr: ECRClient,
  registryId: string | undefined,
  repositoryName: string,
  retry: RetryOptions,
): Promise<ImageRecord[]> {
  const images: ImageRecord[] = [];
  const fetch = (token: string | undefined) =>
    ecr.send(
      new DescribeImagesCommand({
        ...(registryId ? { registryId } : {}),
        repositoryName,
        maxResults: DESCRIBE_IMAGES_PAGE,
        ...(token ? { nextToken: token } : {}),
      }),
    );
  for await (const { page } of pages(fetch, retry)) {
    for (const detail of page.imageDetails ?? []) {
      if (detail.imageDigest !== undefined) images.push({ ...detail, imageDigest: detail.imageDigest });
    }
  }
  return images;
}

/** The `manifests[].digest` of an image index document; undefined when it is not one. */
export function indexChildren(manifest: string): string[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(manifest);
  } catch {
    return undefined;
  }
  const list = doc !== null && typeof doc === 'object' ? (doc as { manifests?: unknown }).manifests : undefined;
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((m) =>
    m !== null && typeof m === 'object' && typeof (m as { digest?: unknown }).digest === 'string' ? [(m as { digest: string }).digest] : [],
  );
}

/**
 * The children of every image index among `images`, read with BatchGetImage (100 a call). An
 * index ECR could not return is left out, so the domain treats its children as unknown.
 */
export async function readChildren(
  ecr: ECRClient,
  registryId: string | undefined,
  repositoryName: string,
  images: readonly ImageRecord[],
  retry: RetryOptions,
): Promise<Map<string, string[]>> {
  const children = new Map<string, string[]>();
  const indexes = images.filter(isIndex).map((i) => i.imageDigest);
  for (let at = 0; at < indexes.length; at += BATCH_GET_IMAGE_LIMIT) {
    const batch = indexes.slice(at, at + BATCH_GET_IMAGE_LIMIT);
    const out = await withRetry(
      () =>
        ecr.send(
          new BatchGetImageCommand({
            ...(registryId ? { registryId } : {}),
            repositoryName,
            imageIds: batch.map((imageDigest) => ({ imageDigest })),
            acceptedMediaTypes: [...INDEX_MEDIA_TYPES],
          }),
        ),
      retry,
    );
    for (const image of out.images ?? []) {
      const digest = image.imageId?.imageDigest;
      const listed = image.imageManifest === undefined ? undefined : indexChildren(image.imageManifest);
      if (digest !== undefined && listed !== undefined) children.set(digest, listed);
    }
  }
  return children;
}
