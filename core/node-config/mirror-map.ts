/**
 * The mirror map: which upstream host a node fetches through which cache URL. Written once here,
 * and every node-config output (containerd hosts.toml, the credential provider's `matchImages`,
 * AL2023 and Bottlerocket user data, Karpenter, the CDK parameters, `ptc plan`, `ptc audit
 * --mirror`) reads it, so they always agree on what a node pulls through the cache.
 *
 * A containerd mirror cannot rename repositories: it only puts `/v2/<prefix>` in front of the
 * upstream path (`override_path = true`). A rule whose cache path is not `<prefix>/<upstream
 * path>` (an ECR upstream with an `upstreamRepositoryPrefix`) cannot be a mirror, and is listed
 * under `unmirrored` with the reason.
 */
import type { PtcConfig, RuleConfig } from '../config/schema';
import { PtcError } from '../errors';
import { buildRoutes } from '../image-ref/routes';
import { DOCKER_HUB_ALIASES, DOCKER_HUB_HOST } from '../image-ref/grammar';
import { quote } from '../quote';

/** A bad `--registry-url` or mirror setting. */
export class NodeConfigError extends PtcError {}

/** Where nodes reach the cache registry. */
export interface MirrorRegistry {
  /** `https` for ECR; `http` only for a local test registry. */
  readonly scheme: 'https' | 'http';
  /** Host and optional port, such as `111122223333.dkr.ecr.eu-west-2.amazonaws.com`. */
  readonly host: string;
}

/** One upstream host that nodes fetch through the cache. */
export interface MirrorEntry {
  /** The host as it appears in image references and as containerd's hosts directory name (`docker.io`). */
  readonly host: string;
  /** The rule whose cache serves this host. */
  readonly rule: RuleConfig;
  /** The upstream registry endpoint containerd would use without a mirror (`https://registry-1.docker.io`). */
  readonly upstreamServer: string;
  /** The mirror endpoint: `https://<registry>/v2/<prefix>`, used with `override_path = true`. */
  readonly mirrorUrl: string;
}

/** A covered upstream host that cannot be mirrored, with the reason. */
export interface UnmirroredHost {
  readonly host: string;
  readonly rule: RuleConfig;
  readonly reason: string;
}

/** The mirror map of one registry. */
export interface MirrorMap {
  readonly registry: MirrorRegistry;
  /** The cache registry's Region, when known: the kubelet formats need it (`kubeletMirrorMap`). */
  readonly region?: string;
  /** One entry per upstream host, in config order (Docker Hub's aliases after `docker.io`). */
  readonly entries: readonly MirrorEntry[];
  readonly unmirrored: readonly UnmirroredHost[];
}

/**
 * Parses `--registry-url`: `host[:port]` (HTTPS) or `http(s)://host[:port]`, no path.
 * @throws NodeConfigError naming the option.
 * @example
 * parseRegistryUrl('http://127.0.0.1:5000') // { scheme: 'http', host: '127.0.0.1:5000' }
 */
export function parseRegistryUrl(value: string): MirrorRegistry {
  const match = /^(?:(https?):\/\/)?([a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?)\/?$/i.exec(value.trim());
  if (match === null) {
    throw new NodeConfigError(
      `--registry-url must be a registry host such as "111122223333.dkr.ecr.eu-west-2.amazonaws.com" or "http://127.0.0.1:5000", got ${quote(value)}`,
    );
  }
  return { scheme: match[1]?.toLowerCase() === 'http' ? 'http' : 'https', host: match[2]!.toLowerCase() };
}

/** The endpoint containerd uses for a host when no hosts.toml says otherwise (docker.io is served by registry-1.docker.io). */
export function defaultUpstreamServer(host: string): string {
  return host === DOCKER_HUB_HOST ? 'https://registry-1.docker.io' : `https://${host}`;
}

/** The mirror URL of a rule's cache: `<scheme>://<registry>/v2/<prefix>`. */
export function mirrorUrl(registry: MirrorRegistry, prefix: string): string {
  return `${registry.scheme}://${registry.host}/v2/${prefix}`;
}

/**
 * Builds the mirror map from the same routing table the resolver and the Kyverno policy use:
 * the rule that serves a host there is the rule whose cache the host's mirror points at.
 * @example
 * buildMirrorMap(config, { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' })
 *   .entries.map((e) => `${e.host} -> ${e.mirrorUrl}`)
 * // ['docker.io -> https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/docker-hub', ...]
 */
export function buildMirrorMap(config: PtcConfig, registry: MirrorRegistry, region?: string): MirrorMap {
  const entries: MirrorEntry[] = [];
  const unmirrored: UnmirroredHost[] = [];
  for (const [host, routes] of buildRoutes(config)) {
    // A whole-registry route keeps the upstream path: exactly what override_path can express.
    const whole = routes.find((r) => r.upstreamPrefix === undefined);
    if (whole === undefined) {
      const first = routes[0]!;
      unmirrored.push({
        host,
        rule: first.rule,
        reason: `rule ${quote(first.rule.prefix)} caches only ${quote(`${first.upstreamPrefix}/`)} under another name (upstreamRepositoryPrefix); a containerd mirror can only add "/v2/<prefix>" in front of the upstream path`,
      });
      continue;
    }
    // docker.io is what references normalize to; the other spellings get the same mirror.
    const hosts = host === DOCKER_HUB_HOST ? DOCKER_HUB_ALIASES : [host];
    for (const h of hosts) {
      entries.push({
        host: h,
        rule: whole.rule,
        upstreamServer: defaultUpstreamServer(host),
        mirrorUrl: mirrorUrl(registry, whole.rule.prefix),
      });
    }
  }
  return region === undefined ? { registry, entries, unmirrored } : { registry, region, entries, unmirrored };
}

/** Whether a normalized reference host is served by the mirror map (`ptc audit --mirror`). */
export function isMirroredHost(map: MirrorMap, host: string): boolean {
  return map.entries.some((e) => e.host === host);
}
