/**
 * The Kyverno patterns of the `copies` list: one exact pattern per listed tag and per listed
 * digest, built from the same table as the resolver (core/image-ref/copy-routes.ts), so the policy
 * rewrites exactly the images `ptc resolve` sends to a copy, and leaves every other image of a
 * copy upstream alone (it does not exist in the target registry).
 */
import type { ConfigWithCopies } from '../image-ref/copy-routes';
import { buildCopyRoutes, copyRepositoryFor } from '../image-ref/copy-routes';
import { TAG } from '../image-ref/grammar';
import { cacheLimitBreach } from '../image-ref/resolve';
import type { ImagePattern } from './patterns';

/** Characters a pattern literal may hold (see `literal` in patterns.ts). */
const LITERAL = /^[A-Za-z0-9.:/_-]+$/;
const lit = (text: string): string => text.replace(/\./g, '[.]');

/**
 * Every copy pattern for a config and target registry: a listed tag matches that tag only (and
 * the bare name for `latest`); a listed digest matches it with any tag or none, except in an
 * entry with `platforms` (its copy of an index has another digest). Mutually exclusive with each
 * other and with the rules' patterns (a copy upstream is never a rule's host).
 */
export function copyPatterns(config: ConfigWithCopies, registryHost: string): ImagePattern[] {
  const patterns = new Map<string, ImagePattern>();
  for (const [host, route] of buildCopyRoutes(config)) {
    if (host === registryHost || !LITERAL.test(host)) continue;
    const add = (repository: string, description: string, suffix: string, replaceSuffix: string) => {
      const cacheRepository = copyRepositoryFor(route, repository);
      if (cacheLimitBreach(registryHost, cacheRepository) !== undefined) return;
      const target = `${registryHost}/${cacheRepository}`;
      const match = `^${lit(host)}/${lit(repository)}${suffix}$`;
      patterns.set(match, { description: `${route.entry.prefix}: copied ${description}`, match, replace: `${target}${replaceSuffix}`, exclude: [], name: target });
    };
    for (const key of route.tags) {
      const colon = key.lastIndexOf(':');
      const repository = key.slice(0, colon);
      const tag = key.slice(colon + 1);
      add(repository, `${host}/${key}`, `(:${lit(tag)})`, '${1}');
      if (tag === 'latest') add(repository, `${host}/${repository} (:latest)`, '', ':latest');
    }
    if (route.entry.platforms !== undefined) continue;
    for (const key of route.digests) {
      const [repository, digest] = key.split('@') as [string, string];
      add(repository, `${host}/${key}`, `((?::${TAG})?@${digest})`, '${1}');
    }
  }
  return [...patterns.values()];
}
