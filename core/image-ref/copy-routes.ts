/**
 * The routing table of the `copies` list: which images of a copy upstream exist in the target
 * registry. Unlike a pull-through-cache rule, which serves any image of its host, a copy entry
 * serves exactly the images it lists, so the resolver, the Kyverno policy, `audit` and `plan`
 * send an image to `<registry>/<prefix>/<path>` only when it is listed, and say
 * "not copied: add it to copies[N].images" for any other image of that host.
 *
 * What a listed image covers:
 * - `host/path:tag` covers references by that tag (`host/path` when the tag is `latest`);
 * - `host/path@digest` and `host/path:tag@digest` cover that digest, with any tag or none (the
 *   copy keeps the digest: every manifest is copied byte for byte), and the second also the tag;
 * - in an entry with `platforms`, the copy of an index is a new index with a new digest, so no
 *   digest-pinned reference is covered there (they stay upstream, with the reason).
 */
import type { CopyConfig } from '../config/copies-schema';
import { InvalidReferenceError } from '../errors';
import { parseReference, type ImageReference } from './parse';

/** One copy entry as the resolver sees it. */
export interface CopyRoute {
  /** The entry. */
  readonly entry: CopyConfig;
  /** Its position in `copies`, for messages (`copies[2].images`). */
  readonly index: number;
  /** `repository:tag` of every listed tag. */
  readonly tags: ReadonlySet<string>;
  /** `repository@digest` of every listed digest. */
  readonly digests: ReadonlySet<string>;
}

/** A config that may have copies (a Lambda's settings payload may carry the rules only). */
export interface ConfigWithCopies {
  readonly copies?: readonly CopyConfig[] | undefined;
}

/**
 * Every copy entry, by its upstream host. Images that do not parse or lie on another host are
 * skipped (the config checks report them).
 */
export function buildCopyRoutes(config: ConfigWithCopies): Map<string, CopyRoute> {
  const byHost = new Map<string, CopyRoute>();
  (config.copies ?? []).forEach((entry, index) => {
    if (byHost.has(entry.upstream)) return; // one entry per upstream (the config checks say so); first wins
    const tags = new Set<string>();
    const digests = new Set<string>();
    for (const image of entry.images) {
      const reference = parseQuietly(image);
      if (reference === undefined || reference.host !== entry.upstream) continue;
      if (reference.tag !== undefined) tags.add(`${reference.repository}:${reference.tag}`);
      if (reference.digest !== undefined) digests.add(`${reference.repository}@${reference.digest}`);
    }
    byHost.set(entry.upstream, { entry, index, tags, digests });
  });
  return byHost;
}

function parseQuietly(image: string): ImageReference | undefined {
  try {
    return parseReference(image);
  } catch (err) {
    if (err instanceof InvalidReferenceError) return undefined;
    throw err;
  }
}

/**
 * Whether a copy route holds the image a reference names, or why not: `undefined` when it is
 * copied, else the reason it stays upstream.
 * @example
 * copyMiss(route, parseReference('gcr.io/distroless/static:debug')) // 'not copied: add it to copies[0].images'
 */
export function copyMiss(route: CopyRoute, reference: ImageReference): string | undefined {
  const where = `copies[${route.index}]`;
  if (reference.digest !== undefined) {
    if (route.entry.platforms !== undefined) {
      return `not copied by digest: ${where} copies a platforms subset, so its copy of an index has a new digest; remove "platforms" from ${where} to copy digests as they are`;
    }
    return route.digests.has(`${reference.repository}@${reference.digest}`) ? undefined : `not copied: add it to ${where}.images`;
  }
  return reference.tag !== undefined && route.tags.has(`${reference.repository}:${reference.tag}`)
    ? undefined
    : `not copied: add it to ${where}.images`;
}

/** The ECR repository a copy entry gives an upstream repository. */
export function copyRepositoryFor(route: CopyRoute, repository: string): string {
  return `${route.entry.prefix}/${repository}`;
}
