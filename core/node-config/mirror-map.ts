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

/**
 * A `copies` upstream host mirrored **cache only** (`copies[N].mirror: true`): nodes pull every
 * image of the host from its copies, and an image the entry does not list fails to pull. Never
 * with fallback, whatever `mirror.fallback` says: a copy serves only its listed images, so every
 * other image of the host would miss and containerd would hand the node's ECR token to the
 * upstream (measured in test/copy-mirror, docs/copy.md "Mirror mode").
 */
export interface CopyMirrorEntry {
  /** The copy entry's `upstream` (`host[:port]`), also containerd's hosts directory name. */
  readonly host: string;
  /** The entry's position in `copies`, for messages (`copies[2]`). */
  readonly index: number;
  /** The entry's `prefix`: its copies are ECR repositories `<prefix>/<upstream path>`. */
  readonly prefix: string;
  /** The upstream endpoint (`https://<host>`), kept as `server` with the `push` capability only. */
  readonly upstreamServer: string;
  /** The mirror endpoint: `https://<registry>/v2/<prefix>`, used with `override_path = true`. */
  readonly mirrorUrl: string;
}

/** A covered upstream host that cannot be mirrored, with the reason. */
export interface UnmirroredHost {
  readonly host: string;
  /** The rule that covers the host; absent for a `copies` upstream (then `copyIndex` says which). */
  readonly rule?: RuleConfig;
  /** The `copies` entry whose upstream this is, when it is one. */
  readonly copyIndex?: number;
  readonly reason: string;
}

/** The mirror map of one registry. */
export interface MirrorMap {
  readonly registry: MirrorRegistry;
  /** The cache registry's Region, when known: the kubelet formats need it (`kubeletMirrorMap`). */
  readonly region?: string;
  /** One entry per upstream host, in config order (Docker Hub's aliases after `docker.io`). */
  readonly entries: readonly MirrorEntry[];
  /** The `copies` upstreams mirrored cache only (`copies[N].mirror: true`), in config order. */
  readonly copies?: readonly CopyMirrorEntry[];
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
  const copies: CopyMirrorEntry[] = [];
  (config.copies ?? []).forEach((copy, index) => {
    if (copy.mirror === true) {
      copies.push({
        host: copy.upstream,
        index,
        prefix: copy.prefix,
        upstreamServer: defaultUpstreamServer(copy.upstream),
        mirrorUrl: mirrorUrl(registry, copy.prefix),
      });
    } else {
      unmirrored.push({ host: copy.upstream, copyIndex: index, reason: copyUnmirroredReason(index) });
    }
  });
  return { registry, ...(region === undefined ? {} : { region }), entries, ...(copies.length > 0 ? { copies } : {}), unmirrored };
}

/**
 * Why a `copies` upstream is not mirrored unless its entry asks for cache only: a copy serves only
 * the images it lists, containerd tries the mirror for every image of the host, and on a miss
 * (an unlisted image or tag) falls back to the upstream with the credential the kubelet gave for
 * the host, which on a mirrored node is the ECR token (measured, docs/copy.md "Mirror mode").
 */
export function copyUnmirroredReason(index: number): string {
  return `copies[${index}] serves only its listed images, and a mirror that misses (any unlisted image or tag) falls back to the upstream with the node's ECR token; set copies[${index}].mirror: true to mirror it cache only (unlisted images then fail on the node), or route its listed images with ptc rewrite or the Kyverno policy`;
}

/**
 * Whether a normalized reference host is served by the mirror map's rules (`ptc audit --mirror`).
 * A cache-only copy host is not: only its listed images exist there, and those the copy routes
 * already count.
 */
export function isMirroredHost(map: MirrorMap, host: string): boolean {
  return map.entries.some((e) => e.host === host);
}
