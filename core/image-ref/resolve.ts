/**
 * Resolves an upstream image reference to its pull-through-cache URI. One resolver serves the
 * CLI (`ptc resolve`, `ptc rewrite`), the prewarm Lambda, the audit and the Kyverno policy tests,
 * so every path maps references the same way.
 */
import type { PtcConfig, RuleConfig } from '../config/schema';
import { parseReference, type ImageReference } from './parse';
import { ECR_REPOSITORY_MAX_LENGTH, NAME_MAX_LENGTH } from './grammar';
import { buildRoutes, cacheRepositoryFor, type Route } from './routes';
import { buildCopyRoutes, copyMiss, copyRepositoryFor, type ConfigWithCopies } from './copy-routes';

/** What a resolver needs: the config's rules and the cache registry to point at. */
export interface ResolveContext {
  /** The parsed configuration; its rules decide what is covered. */
  config: PtcConfig;
  /** Cache registry host, such as `111122223333.dkr.ecr.eu-west-2.amazonaws.com` or `127.0.0.1:5001`. */
  registryHost: string;
}

/**
 * `resolved`: the reference was rewritten to the cache; `cached`: it already points at a managed
 * prefix of the cache registry (left unchanged); `uncovered`: no rule covers its host, or its cache
 * form would break a length limit (`reason` says so; left unchanged); `pinned`: a digest-pinned
 * reference a rule covers, left upstream by the digest-pinned policy (`digestPinnedPolicy`), since
 * the cache cannot fetch a digest it has not cached. The resolver itself never answers `pinned`.
 */
export type ResolutionStatus = 'resolved' | 'cached' | 'uncovered' | 'pinned';

/** The outcome of resolving one reference. */
export interface Resolution {
  /** The reference as given. */
  input: string;
  /** The cache URI, or the input unchanged when cached or uncovered. */
  output: string;
  status: ResolutionStatus;
  /** The parsed input. */
  reference: ImageReference;
  /** The covering rule (resolved or cached by the pull-through cache). */
  rule?: RuleConfig;
  /**
   * The `copies` entry of the reference's host (core/image-ref/copy-routes.ts): set when the image
   * is copied (`resolved`, `cached`) and when its host is a copy upstream that does not list it
   * (`uncovered`, with `reason` "not copied: add it to copies[N].images").
   */
  copy?: { readonly index: number; readonly prefix: string };
  /** Repository name in the cache registry, such as `docker-hub/library/nginx`. */
  cacheRepository?: string;
  /** Tag of the output reference. */
  tag?: string;
  /** Digest of the output reference. */
  digest?: string;
  /**
   * Why a reference a rule covers is still `uncovered`: its cache form would break a limit (a
   * name over 255 characters, which kubelet and containerd refuse, or an ECR repository name over
   * 256), or its host is a copy upstream whose entry does not list it.
   */
  reason?: string;
  /**
   * Set by the digest-pinned policy on digest-pinned references: whether the digest is known to be
   * cached (prewarm seeds it by its tag).
   */
  digestCached?: boolean;
  /**
   * Set by the digest-pinned policy on a digest a rule seeds (`rules[N].seeds`): `ptc copy` pushes
   * it into the cache repository, so it goes to the cache in every mode (core/image-ref/seeds.ts).
   */
  seeded?: boolean;
}

/**
 * Why a cache URI cannot be used, or undefined when it can: the name (host and repository) must
 * stay within 255 characters and the repository within ECR's 256.
 */
export function cacheLimitBreach(registryHost: string, cacheRepository: string): string | undefined {
  const name = registryHost.length + 1 + cacheRepository.length;
  if (cacheRepository.length > ECR_REPOSITORY_MAX_LENGTH) {
    return `its cache repository would be ${cacheRepository.length} characters long; ECR repository names stop at ${ECR_REPOSITORY_MAX_LENGTH}`;
  }
  if (name > NAME_MAX_LENGTH) {
    return `its cache name (${registryHost}/${cacheRepository.slice(0, 24)}...) would be ${name} characters long; kubelet and containerd refuse names over ${NAME_MAX_LENGTH}`;
  }
  return undefined;
}

/**
 * Builds a resolver for one config and cache registry. The host table is computed once, so each
 * call costs one parse and one map lookup. Only the config's rules are read (a Lambda passes its settings payload).
 * @throws InvalidReferenceError (from the returned function) for a reference that does not parse.
 * @example
 * const resolve = createResolver({ config, registryHost: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' });
 * resolve('nginx:1.27').output // '111122223333.dkr.ecr.eu-west-2.amazonaws.com/docker-hub/library/nginx:1.27'
 */
export function createResolver(ctx: {
  readonly config: Pick<PtcConfig, 'rules'> & ConfigWithCopies;
  readonly registryHost: string;
}): (ref: string) => Resolution {
  const registryHost = ctx.registryHost;
  const routes: Map<string, Route[]> = buildRoutes(ctx.config);
  const copies = buildCopyRoutes(ctx.config);
  const copied = [...copies.values()].map((route) => ({
    copy: { index: route.index, prefix: route.entry.prefix },
    namespace: `${route.entry.prefix}/`,
  }));
  // The cache registry is never an upstream of itself (an ECR upstream that `--account`/`--region`
  // made the cache registry): its references are cached or uncovered, as in the Kyverno policy.
  routes.delete(registryHost);
  copies.delete(registryHost);
  const managed = ctx.config.rules.map((rule) => ({ rule, namespace: `${rule.prefix}/` }));
  return (input: string): Resolution => {
    const reference = parseReference(input);
    const { tag, digest } = reference;
    if (reference.host === registryHost) {
      for (const { rule, namespace } of managed) {
        if (reference.repository.startsWith(namespace)) {
          return { input, output: input, status: 'cached', reference, rule, cacheRepository: reference.repository, tag, digest };
        }
      }
      for (const { copy, namespace } of copied) {
        if (reference.repository.startsWith(namespace)) {
          return { input, output: input, status: 'cached', reference, copy, cacheRepository: reference.repository, tag, digest };
        }
      }
    }
    const candidates = routes.get(reference.host);
    if (candidates !== undefined) {
      for (const route of candidates) {
        const cacheRepository = cacheRepositoryFor(route, reference.repository);
        if (cacheRepository === undefined) continue;
        const reason = cacheLimitBreach(registryHost, cacheRepository);
        if (reason !== undefined) return { input, output: input, status: 'uncovered', reference, tag, digest, reason };
        let output = `${registryHost}/${cacheRepository}`;
        if (tag !== undefined) output += `:${tag}`;
        if (digest !== undefined) output += `@${digest}`;
        return { input, output, status: 'resolved', reference, rule: route.rule, cacheRepository, tag, digest };
      }
    }
    const copyRoute = copies.get(reference.host);
    if (copyRoute !== undefined) {
      const copy = { index: copyRoute.index, prefix: copyRoute.entry.prefix };
      const miss = copyMiss(copyRoute, reference);
      if (miss !== undefined) return { input, output: input, status: 'uncovered', reference, copy, tag, digest, reason: miss };
      const cacheRepository = copyRepositoryFor(copyRoute, reference.repository);
      const reason = cacheLimitBreach(registryHost, cacheRepository);
      if (reason !== undefined) return { input, output: input, status: 'uncovered', reference, copy, tag, digest, reason };
      let output = `${registryHost}/${cacheRepository}`;
      if (tag !== undefined) output += `:${tag}`;
      if (digest !== undefined) output += `@${digest}`;
      return { input, output, status: 'resolved', reference, copy, cacheRepository, tag, digest };
    }
    return { input, output: input, status: 'uncovered', reference, tag, digest };
  };
}

/**
 * Resolves one reference. For many references, build the resolver once with `createResolver`.
 * @throws InvalidReferenceError for a reference that does not parse.
 */
export function resolveReference(ref: string, ctx: ResolveContext): Resolution {
  return createResolver(ctx)(ref);
}
