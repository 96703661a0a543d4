/**
 * The routing table behind the resolver: which rule serves which upstream host (and, for an ECR
 * upstream, which upstream repository prefix). The resolver and the generated Kyverno policy both
 * read it, so they always agree on what is covered.
 */
import type { PtcConfig, RuleConfig } from '../config/schema';
import { referenceHosts } from '../rules';
import { DOCKER_HUB_ALIASES, DOCKER_HUB_HOST } from './grammar';

/** One way into the cache: references on `host` (under `upstreamPrefix`) go to `rule.prefix`. */
export interface Route {
  /** The rule that caches these references. */
  readonly rule: RuleConfig;
  /** The normalized upstream host (`docker.io` for Docker Hub). */
  readonly host: string;
  /**
   * ECR upstream with an upstream repository prefix: only repositories under `<upstreamPrefix>/`
   * are cached, and that part is replaced by the rule's prefix. Absent: the whole path is kept.
   */
  readonly upstreamPrefix?: string;
}

/**
 * Every route of a config, grouped by normalized host. Within a host, the routes are ordered
 * most specific first (longest upstream repository prefix, the whole registry last); for other
 * upstreams only the first rule in config order serves a host.
 */
export function buildRoutes(config: Pick<PtcConfig, 'rules'>): Map<string, Route[]> {
  const byHost = new Map<string, Route[]>();
  for (const rule of config.rules) {
    const hosts = new Set(referenceHosts(rule).map((h) => (DOCKER_HUB_ALIASES.includes(h) ? DOCKER_HUB_HOST : h)));
    const upstreamPrefix =
      rule.upstream === 'ecr' && rule.upstreamRepositoryPrefix !== undefined && rule.upstreamRepositoryPrefix !== 'ROOT'
        ? rule.upstreamRepositoryPrefix
        : undefined;
    for (const host of hosts) {
      const list = byHost.get(host) ?? [];
      // A second rule for the same host and the same upstream path is never reached: first wins.
      if (list.some((r) => r.upstreamPrefix === upstreamPrefix)) continue;
      list.push(upstreamPrefix === undefined ? { rule, host } : { rule, host, upstreamPrefix });
      byHost.set(host, list);
    }
  }
  for (const list of byHost.values()) {
    list.sort((a, b) => (b.upstreamPrefix?.length ?? -1) - (a.upstreamPrefix?.length ?? -1));
  }
  return byHost;
}

/**
 * The cache repository a route gives an upstream repository, or undefined when the route does
 * not cover it (an ECR upstream repository outside the upstream prefix).
 * @example
 * cacheRepositoryFor({ rule, host: 'docker.io' }, 'library/nginx') // 'docker-hub/library/nginx'
 */
export function cacheRepositoryFor(route: Route, repository: string): string | undefined {
  if (route.upstreamPrefix === undefined) return `${route.rule.prefix}/${repository}`;
  if (repository.length <= route.upstreamPrefix.length + 1 || !repository.startsWith(`${route.upstreamPrefix}/`)) return undefined;
  return `${route.rule.prefix}/${repository.slice(route.upstreamPrefix.length + 1)}`;
}

/**
 * The upstream repository behind a cache repository of a rule: the inverse of
 * `cacheRepositoryFor`. `rest` is the cache repository without the rule's `prefix/`.
 * @example
 * upstreamOf(ecrRule, 'api') // { host: '444455556666.dkr.ecr.us-east-1.amazonaws.com', repository: 'platform/api' }
 */
export function upstreamOf(rule: RuleConfig, rest: string): { host: string; repository: string } {
  const host = referenceHosts(rule)[0]!;
  const normalized = DOCKER_HUB_ALIASES.includes(host) ? DOCKER_HUB_HOST : host;
  const upstreamPrefix =
    rule.upstream === 'ecr' && rule.upstreamRepositoryPrefix !== undefined && rule.upstreamRepositoryPrefix !== 'ROOT'
      ? rule.upstreamRepositoryPrefix
      : undefined;
  return { host: normalized, repository: upstreamPrefix === undefined ? rest : `${upstreamPrefix}/${rest}` };
}
