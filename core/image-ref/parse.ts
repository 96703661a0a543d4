/**
 * Parsing and formatting of container image references, normalized the way Docker does it:
 * no host means Docker Hub, a one-component Docker Hub name gets `library/`, and no tag and no
 * digest means `:latest`.
 */
import { InvalidReferenceError } from '../errors';
import {
  DIGEST,
  DIGEST_HEX_LENGTHS,
  DOCKER_HUB_ALIASES,
  DOCKER_HUB_HOST,
  IMAGE_ID,
  OFFICIAL_NAMESPACE,
  PATH_COMPONENT,
  PATH_MAX_LENGTH,
  TAG,
  TAG_MAX_LENGTH,
} from './grammar';

/** A parsed, normalized image reference. */
export interface ImageReference {
  /** Registry host with its port, normalized: `docker.io` for Docker Hub and all its aliases. */
  host: string;
  /** Repository path, such as `library/nginx` or `org/app`. */
  repository: string;
  /** Tag; `latest` when the reference had neither tag nor digest; absent for digest-only references. */
  tag?: string;
  /** Digest such as `sha256:<64 hex>`, kept exactly as written. */
  digest?: string;
}

const PATH_COMPONENT_RE = new RegExp(`^${PATH_COMPONENT}$`);
/**
 * The whole grammar in one expression, for the common case of a valid reference: an optional
 * first component (a host or the first path component: the code decides which), path, tag,
 * digest. Every repetition is followed by a character it cannot match, so a failing input costs
 * time linear in its length (the former `[^/@]*[.:A-Z][^/@]*` host group was quadratic). A
 * reference it rejects goes through the step-by-step checks, which say what is wrong.
 */
const FAST_RE = new RegExp(`^(?:([^/@]+)/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** A bare image ID (`docker images --no-trunc` prints them), which is not a Docker Hub name. */
const IMAGE_ID_RE = new RegExp(`^${IMAGE_ID}$`);
const HUB = DOCKER_HUB_HOST;
const LIBRARY = `${OFFICIAL_NAMESPACE}/`;
const TAG_RE = new RegExp(`^${TAG}$`);
/** A registry host: DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const DOCKER_HUB = new Set(DOCKER_HUB_ALIASES);

/**
 * distribution's `splitDockerDomain`: a first component with "." or ":", with an upper-case
 * letter, or equal to "localhost" is a registry host; anything else is a Docker Hub path.
 */
function looksLikeHost(first: string): boolean {
  return first === 'localhost' || first.includes('.') || first.includes(':') || first !== first.toLowerCase();
}

function invalid(ref: string, reason: string): never {
  throw new InvalidReferenceError(ref, reason);
}

function checkDigest(ref: string, digest: string): void {
  const colon = digest.indexOf(':');
  const algorithm = colon < 0 ? digest : digest.slice(0, colon);
  const expected = DIGEST_HEX_LENGTHS[algorithm];
  if (colon < 0 || expected === undefined) {
    invalid(ref, `digest "${digest}" must be "sha256:" followed by 64 hex digits (or "sha512:" and 128)`);
  }
  const hex = digest.slice(colon + 1);
  if (hex.length !== expected || !/^[a-f0-9]+$/.test(hex)) {
    invalid(ref, `digest "${digest}" must be "${algorithm}:" followed by ${expected} lower-case hex digits`);
  }
}

function checkTag(ref: string, tag: string): void {
  if (tag === '') invalid(ref, 'empty tag after ":"');
  if (tag.length > TAG_MAX_LENGTH) invalid(ref, `tag is ${tag.length} characters long; at most ${TAG_MAX_LENGTH} are allowed`);
  if (!TAG_RE.test(tag)) invalid(ref, `tag "${tag}" may hold only letters, digits, "_", "." and "-", and must not start with "." or "-"`);
}

function checkComponent(ref: string, component: string, index: number, count: number): void {
  if (PATH_COMPONENT_RE.test(component)) return;
  if (component === '') {
    if (index === 0) invalid(ref, 'leading "/"');
    if (index === count - 1) invalid(ref, 'trailing "/"');
    invalid(ref, 'empty path component ("//")');
  }
  if (/[A-Z]/.test(component)) invalid(ref, `repository path must be lower case ("${component}")`);
  if (/^[._-]|[._-]$/.test(component)) invalid(ref, `path component "${component}" starts or ends with a separator`);
  if (/^[a-z0-9._-]+$/.test(component))
    invalid(ref, `path component "${component}" has a separator that is not ".", "_", "__" or a run of "-"`);
  invalid(ref, `path component "${component}" may hold only lower-case letters, digits and the separators ".", "_", "__" and "-"`);
}

/**
 * Parses an image reference by the OCI distribution grammar and normalizes it like Docker
 * (`ParseNormalizedNamed`): the first path component is a host when it holds ".", ":" or an
 * upper-case letter, or is "localhost" (so `MyRegistry/app` names the host `MyRegistry`, while
 * upper case anywhere in the path after the host is an error). A bare 64-hex image ID and a path
 * over 255 characters (normalized, `library/` included) are invalid, as in distribution. Time is
 * linear in the length of `ref`.
 * @throws InvalidReferenceError with the message `invalid image reference "<ref>": <reason>`.
 * @example
 * parseReference('nginx') // { host: 'docker.io', repository: 'library/nginx', tag: 'latest' }
 */
export function parseReference(ref: string): ImageReference {
  const m = FAST_RE.exec(ref);
  if (m !== null && !IMAGE_ID_RE.test(ref)) {
    const first = m[1];
    let host = HUB;
    let repository = m[2]!;
    if (first !== undefined) {
      if (looksLikeHost(first)) {
        if (!HOST_RE.test(first)) return parseSlowly(ref);
        if (!DOCKER_HUB.has(first)) host = first;
      } else {
        if (!PATH_COMPONENT_RE.test(first)) return parseSlowly(ref);
        repository = `${first}/${repository}`;
      }
    }
    if (host === HUB && repository.indexOf('/') < 0) repository = LIBRARY + repository;
    if (repository.length > PATH_MAX_LENGTH) return parseSlowly(ref);
    const tag = m[3];
    const digest = m[4];
    if (digest === undefined) return { host, repository, tag: tag ?? 'latest' };
    return tag === undefined ? { host, repository, digest } : { host, repository, tag, digest };
  }
  return parseSlowly(ref);
}

/**
 * The step-by-step parse: slower, but it names what is wrong. `parseReference` uses it when the
 * one-expression fast path rejects a reference; exported for the test that both agree.
 * @internal
 */
export function parseSlowly(ref: string): ImageReference {
  if (ref === '') invalid(ref, 'empty reference');
  if (IMAGE_ID_RE.test(ref))
    invalid(ref, 'a 64-character hexadecimal string is an image ID, not a repository name (Docker refuses it as one)');
  if (/\s/.test(ref)) invalid(ref, 'contains white space');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (digest === '') invalid(ref, 'empty digest after "@"');
    checkDigest(ref, digest);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    checkTag(ref, tag);
  }
  if (rest === '') invalid(ref, 'empty repository name');
  let host = DOCKER_HUB_HOST;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    // A "[" alone does not make a host: "[abc]/x" is a (bad) Docker Hub path, "[::1]/x" a host.
    if (looksLikeHost(first)) {
      if (!HOST_RE.test(first)) invalid(ref, `"${first}" is not a valid registry host (with an optional numeric port)`);
      host = DOCKER_HUB.has(first) ? DOCKER_HUB_HOST : first;
      path = rest.slice(slash + 1);
      if (path.startsWith('/')) invalid(ref, `empty path component ("//") after the host "${first}"`);
    }
  }
  if (path === '') invalid(ref, 'empty repository path after the host');
  const components = path.split('/');
  for (let i = 0; i < components.length; i++) checkComponent(ref, components[i]!, i, components.length);
  if (host === DOCKER_HUB_HOST && components.length === 1) path = `${OFFICIAL_NAMESPACE}/${path}`;
  if (path.length > PATH_MAX_LENGTH) {
    invalid(ref, `repository path is ${path.length} characters long; at most ${PATH_MAX_LENGTH} are allowed`);
  }
  const parsed: ImageReference = { host, repository: path };
  if (tag !== undefined) parsed.tag = tag;
  else if (digest === undefined) parsed.tag = 'latest';
  if (digest !== undefined) parsed.digest = digest;
  return parsed;
}

/**
 * Formats a reference as `host/repository[:tag][@digest]`, always with the host.
 * @example
 * formatReference({ host: 'docker.io', repository: 'library/nginx', tag: '1.27' }) // 'docker.io/library/nginx:1.27'
 */
export function formatReference(r: ImageReference): string {
  let out = `${r.host}/${r.repository}`;
  if (r.tag !== undefined) out += `:${r.tag}`;
  if (r.digest !== undefined) out += `@${r.digest}`;
  return out;
}
