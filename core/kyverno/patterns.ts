/**
 * The regular expressions the Kyverno policy uses, one set per route of the resolver, built from
 * the same grammar and the same routing table, so the policy and `ptc resolve` agree.
 *
 * Each pattern is anchored and the patterns of one config are mutually exclusive: an image
 * matches at most one, so the order Kyverno applies them in cannot matter. The sources use no
 * backslashes and no look-around: they mean the same in Go's RE2 and in JavaScript, and survive a
 * JMESPath raw-string literal unchanged.
 */
import type { PtcConfig } from '../config/schema';
import { DEFAULT_DIGEST_PINNED, prewarmedDigests, seededDigests, type DigestPinnedMode } from '../image-ref/digest-policy';
import { parseReference } from '../image-ref/parse';
import { cacheLimitBreach, createResolver } from '../image-ref/resolve';
import { buildRoutes, type Route } from '../image-ref/routes';
import { buildCopyRoutes, copyRepositoryFor, type ConfigWithCopies } from '../image-ref/copy-routes';
import {
  DIGEST,
  DOCKER_HUB_ALIASES,
  DOCKER_HUB_HOST,
  IMAGE_ID,
  OFFICIAL_NAMESPACE,
  PATH_COMPONENT,
  PATH_COMPONENT_NO_DOT,
  TAG,
} from '../image-ref/grammar';

/** One rewrite: images matching `match` (and none of `exclude`) become `regex_replace_all(match, image, replace)`. */
export interface ImagePattern {
  /** What the pattern covers, for the policy's readers: `docker-hub: implicit host, official image`. */
  readonly description: string;
  /** Anchored RE2/JavaScript regular expression the whole image must match. */
  readonly match: string;
  /** Go `Regexp.Expand` template (`${1}`) producing the cache URI. */
  readonly replace: string;
  /** Images matching any of these are left to another pattern (more specific ECR upstream prefixes, `localhost/`). */
  readonly exclude: readonly string[];
  /**
   * Go template producing the cache name (host and repository, no tag or digest), whose length the
   * policy checks against the 255 characters kubelet accepts, as the resolver does.
   */
  readonly name: string;
}

const C = PATH_COMPONENT;
const PATH = `${C}(?:/${C})*`;
const MULTI = `${C}(?:/${C})+`;
/** A tag, a digest, or both: whatever follows the repository. */
const SUFFIX = `(?::${TAG}(?:@${DIGEST})?|@${DIGEST})`;
/** A tag alone: what follows the repository when digest-pinned images stay upstream. */
const TAG_ONLY = `(?::${TAG})`;

/**
 * A literal for a regular expression, without backslashes (`.` becomes `[.]`). Hosts and
 * prefixes hold only letters, digits, `.`, `-`, `_`, `:` and `/`, which is all this accepts.
 */
export function literal(text: string): string {
  if (!/^[A-Za-z0-9.:/_-]+$/.test(text)) throw new Error(`cannot write "${text}" as a policy pattern literal`);
  return text.replace(/\./g, '[.]');
}

function hostsOf(route: Route): string {
  const hosts = route.host === DOCKER_HUB_HOST ? DOCKER_HUB_ALIASES : [route.host];
  return `(?:${hosts.map(literal).join('|')})`;
}

/** The two patterns of one repository shape: with a tag and/or digest, and bare (which gets `:latest`). */
function pair(
  description: string,
  head: string,
  repository: string,
  target: string,
  exclude: string[],
  withDigest: boolean,
): ImagePattern[] {
  return [
    withDigest
      ? {
          description: `${description}, tag or digest`,
          match: `^${head}(${repository})(${SUFFIX})$`,
          replace: `${target}\${1}\${2}`,
          exclude,
          name: `${target}\${1}`,
        }
      : {
          description: `${description}, tag (digest-pinned images stay upstream)`,
          match: `^${head}(${repository})(${TAG_ONLY})$`,
          replace: `${target}\${1}\${2}`,
          exclude,
          name: `${target}\${1}`,
        },
    {
      description: `${description}, no tag (:latest)`,
      match: `^${head}(${repository})$`,
      replace: `${target}\${1}:latest`,
      exclude,
      name: `${target}\${1}`,
    },
  ];
}

/**
 * One exact pattern per digest key (`digestKey`): every spelling of that image and digest, with or
 * without a tag, goes to its cache URI. The digests prewarm seeds (`--digest-pinned prewarmed`) and
 * the digests rules seed (`rules[N].seeds`, in every mode but `cache`, whose generic patterns
 * already take every digest).
 */
function digestPatterns(config: PtcConfig, registryHost: string, keys: Iterable<string>, what: string): ImagePattern[] {
  const resolve = createResolver({ config, registryHost });
  const patterns: ImagePattern[] = [];
  for (const key of keys) {
    const resolution = resolve(key);
    if (resolution.status !== 'resolved') continue;
    const { host, repository, digest } = parseReference(key);
    let head: string;
    if (host === DOCKER_HUB_HOST) {
      const hub = `(?:${DOCKER_HUB_ALIASES.map(literal).join('|')})`;
      const name =
        repository.startsWith(`${OFFICIAL_NAMESPACE}/`) && repository.indexOf('/', OFFICIAL_NAMESPACE.length + 1) < 0
          ? `(?:${OFFICIAL_NAMESPACE}/)?${literal(repository.slice(OFFICIAL_NAMESPACE.length + 1))}`
          : literal(repository);
      head = `(?:${hub}/)?${name}`;
    } else {
      head = `${literal(host)}/${literal(repository)}`;
    }
    patterns.push({
      description: `${resolution.rule!.prefix}: ${what} ${key}`,
      match: `^${head}((?::${TAG})?@${literal(digest!)})$`,
      replace: `${registryHost}/${resolution.cacheRepository!}\${1}`,
      exclude: [],
      name: `${registryHost}/${resolution.cacheRepository!}`,
    });
  }
  return patterns;
}

/** Options of the patterns. */
export interface ImagePatternOptions {
  /** What to do with digest-pinned images (see `digestPinnedPolicy`). @default 'upstream' */
  digestPinned?: DigestPinnedMode;
}

/**
 * Every pattern for a config and cache registry, in routing order. Unless `digestPinned` is
 * `cache`, no generic pattern matches a digest-pinned image; with `prewarmed`, the digests
 * `prewarm.images` seeds get their own exact patterns.
 * @example
 * imagePatterns(config, '111122223333.dkr.ecr.eu-west-2.amazonaws.com')[0].match
 */
export function imagePatterns(config: PtcConfig, registryHost: string, options: ImagePatternOptions = {}): ImagePattern[] {
  const mode = options.digestPinned ?? DEFAULT_DIGEST_PINNED;
  const d = mode === 'cache';
  const patterns: ImagePattern[] = [];
  for (const [host, routes] of buildRoutes(config)) {
    if (host === registryHost) continue; // references to the cache registry itself are never rewritten
    for (const route of routes) {
      const target = `${registryHost}/${route.rule.prefix}/`;
      const name = route.rule.prefix;
      if (host === DOCKER_HUB_HOST) {
        const hub = hostsOf(route);
        patterns.push(
          ...pair(`${name}: ${host} official image`, `${hub}/`, C, `${target}${OFFICIAL_NAMESPACE}/`, [], d),
          ...pair(`${name}: ${host}`, `${hub}/`, MULTI, target, [], d),
          // A bare 64-hex image ID is no repository name (the resolver refuses it, as Docker does).
          ...pair(`${name}: implicit Docker Hub official image`, '', C, `${target}${OFFICIAL_NAMESPACE}/`, [`^${IMAGE_ID}$`], d),
          // The first component of an implicit Docker Hub name has no "." (else it is a host) and is not "localhost".
          ...pair(`${name}: implicit Docker Hub`, '', `${PATH_COMPONENT_NO_DOT}(?:/${C})+`, target, ['^localhost/'], d),
        );
      } else if (route.upstreamPrefix !== undefined) {
        patterns.push(
          ...pair(`${name}: ${host}/${route.upstreamPrefix}/`, `${hostsOf(route)}/${literal(route.upstreamPrefix)}/`, PATH, target, [], d),
        );
      } else {
        // More specific upstream prefixes on the same host belong to their own rules.
        const exclude = routes.filter((r) => r.upstreamPrefix !== undefined).map((r) => `^${hostsOf(r)}/${literal(r.upstreamPrefix!)}/`);
        patterns.push(...pair(`${name}: ${host}`, `${hostsOf(route)}/`, PATH, target, exclude, d));
      }
    }
  }
  const seeded = mode === 'cache' ? new Set<string>() : seededDigests(config);
  if (mode === 'prewarmed') {
    const prewarmed = [...prewarmedDigests(config)].filter((key) => !seeded.has(key));
    patterns.push(...digestPatterns(config, registryHost, prewarmed, 'prewarmed digest'));
  }
  // Seeds (core/image-ref/seeds.ts): in the cache byte for byte once ptc copy ran, in every mode.
  patterns.push(...digestPatterns(config, registryHost, seeded, 'seeded digest'));
  // Copies: exact patterns for the listed images only (`copyPatterns`).
  patterns.push(...copyPatterns(config, registryHost));
  return patterns;
}

/*
 * The patterns of the `copies` list: one exact pattern per listed tag and per listed digest, built
 * from the same table as the resolver (core/image-ref/copy-routes.ts), so the policy rewrites exactly
 * the images `ptc resolve` sends to a copy, and leaves every other image of a copy upstream alone
 * (it does not exist in the target registry).
 */

/** Characters a pattern literal may hold (see `literal`). */
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
      patterns.set(match, {
        description: `${route.entry.prefix}: copied ${description}`,
        match,
        replace: `${target}${replaceSuffix}`,
        exclude: [],
        name: target,
      });
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
