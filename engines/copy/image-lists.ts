/**
 * The images of one copy run beyond the config's own: each entry's `manifest` (an S3 object and/or
 * an SSM parameter, read by prewarm's reader, engines/prewarm `loadManifestImages`). An image of
 * such a list that does not parse or is not on its entry's upstream, and a list that cannot be
 * read, become failed outcomes naming the list; they never stop the run.
 */
import type { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CopyConfig } from '../../core/config/copies-schema';
import { InvalidReferenceError } from '../../core/errors';
import { parseReference } from '../../core/image-ref/parse';
import { ImageListError } from '../../core/prewarm/errors';
import { manifestSources } from '../../core/prewarm/image-list';
import { quote, truncate } from '../../core/quote';
import { loadManifestImages } from '../prewarm';

/** The clients and command classes that read the lists (only those of configured sources). */
export interface ImageListClients {
  readonly s3?: S3Client;
  readonly ssm?: SSMClient;
  readonly commands?: { readonly GetObjectCommand: typeof GetObjectCommand; readonly GetParameterCommand: typeof GetParameterCommand };
}

/** An image (or a whole list) that cannot be copied, before any copying. */
export interface ListProblem {
  /** The image as listed, or the list itself (`s3://bucket/key`). */
  readonly image: string;
  readonly prefix: string;
  readonly reason: string;
}

/** What the external lists add: images to copy, and the problems found. */
export interface ExternalImages {
  readonly images: string[];
  readonly problems: ListProblem[];
}

/** Reads every entry's `manifest` and keeps the images on that entry's upstream. */
export async function externalImages(entries: readonly CopyConfig[], clients: ImageListClients): Promise<ExternalImages> {
  const images: string[] = [];
  const problems: ListProblem[] = [];
  for (const entry of entries) {
    if (entry.manifest === undefined) continue;
    const source = manifestSources(entry.manifest).join(', ');
    let listed: string[];
    try {
      listed = await loadManifestImages(entry.manifest, clients);
    } catch (err) {
      if (!(err instanceof ImageListError)) throw err;
      problems.push({ image: err.source, prefix: entry.prefix, reason: `the image list ${err.source} ${err.reason}` });
      continue;
    }
    for (const image of listed) {
      let host: string;
      try {
        host = parseReference(image).host;
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
        problems.push({
          image,
          prefix: entry.prefix,
          reason: `listed in ${source}: not a valid image reference: ${truncate(err.reason, 200)}`,
        });
        continue;
      }
      if (host !== entry.upstream) {
        problems.push({
          image,
          prefix: entry.prefix,
          reason: `listed in ${source} for the copies entry of ${quote(entry.upstream)}, but it is on ${quote(host)}; list it with its own registry's entry`,
        });
        continue;
      }
      images.push(image);
    }
  }
  return { images, problems };
}
