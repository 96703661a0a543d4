/**
 * The way back: a cache URI to the upstream reference it caches, for retiring the cache
 * (`ptc rewrite --reverse`). The exact inverse of the resolver on everything it produces.
 */
import { DOCKER_HUB_HOST, OFFICIAL_NAMESPACE } from './grammar';
import { parseReference } from './parse';
import type { Resolution, ResolveContext } from './resolve';
import { buildRoutes, cacheRepositoryFor, upstreamOf } from './routes';
import { buildCopyRoutes } from './copy-routes';

/**
 * Builds the reverse of `createResolver` for one config and cache registry. A reference under a
 * managed prefix of the cache registry comes back as its upstream reference (status `resolved`),
 * Docker Hub ones in Docker's familiar form (`nginx:1.27`, `bitnami/redis:7`); an upstream
 * reference that a rule covers is already where the reverse points (status `cached`, unchanged);
 * anything else is `uncovered` and unchanged. Tags and digests are kept exactly.
 * @throws InvalidReferenceError (from the returned function) for a reference that does not parse.
 * @example
 * const reverse = createReverser({ config, registryHost: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' });
 * reverse('111122223333.dkr.ecr.eu-west-2.amazonaws.com/docker-hub/library/nginx:1.27').output // 'nginx:1.27'
 */
export function createReverser(ctx: ResolveContext): (ref: string) => Resolution {
  const registryHost = ctx.registryHost;
  const routes = buildRoutes(ctx.config);
  routes.delete(registryHost);
  const managed = ctx.config.rules.map((rule) => ({ rule, namespace: `${rule.prefix}/` }));
  const library = `${OFFICIAL_NAMESPACE}/`;
  // Copies (core/image-ref/copy-routes.ts) come back to their upstream host, path unchanged.
  const copies = [...buildCopyRoutes(ctx.config).values()].map((route) => ({ route, namespace: `${route.entry.prefix}/` }));
  return (input: string): Resolution => {
    const reference = parseReference(input);
    const { tag, digest } = reference;
    if (reference.host === registryHost) {
      for (const { rule, namespace } of managed) {
        if (!reference.repository.startsWith(namespace)) continue;
        const upstream = upstreamOf(rule, reference.repository.slice(namespace.length));
        let output =
          upstream.host === DOCKER_HUB_HOST
            ? upstream.repository.startsWith(library) && upstream.repository.indexOf('/', library.length) < 0
              ? upstream.repository.slice(library.length)
              : upstream.repository
            : `${upstream.host}/${upstream.repository}`;
        if (tag !== undefined) output += `:${tag}`;
        if (digest !== undefined) output += `@${digest}`;
        return { input, output, status: 'resolved', reference, rule, cacheRepository: reference.repository, tag, digest };
      }
      for (const { route, namespace } of copies) {
        if (!reference.repository.startsWith(namespace)) continue;
        let output = `${route.entry.upstream}/${reference.repository.slice(namespace.length)}`;
        if (tag !== undefined) output += `:${tag}`;
        if (digest !== undefined) output += `@${digest}`;
        return {
          input,
          output,
          status: 'resolved',
          reference,
          copy: { index: route.index, prefix: route.entry.prefix },
          cacheRepository: reference.repository,
          tag,
          digest,
        };
      }
      return { input, output: input, status: 'uncovered', reference, tag, digest };
    }
    for (const route of routes.get(reference.host) ?? []) {
      const cacheRepository = cacheRepositoryFor(route, reference.repository);
      if (cacheRepository !== undefined)
        return { input, output: input, status: 'cached', reference, rule: route.rule, cacheRepository, tag, digest };
    }
    return { input, output: input, status: 'uncovered', reference, tag, digest };
  };
}
