/**
 * The OCI distribution reference grammar, as regular-expression sources shared by the parser
 * and the generated Kyverno policy, so both accept exactly the same references.
 *
 * The sources use no backslashes and no look-around, so they mean the same in JavaScript and in
 * Go's RE2 (Kyverno), and survive JMESPath raw-string literals unchanged.
 */

/** One path component: lower-case letters and digits, joined by `.`, `_`, `__` or runs of `-`. */
export const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';

/** A path component without `.`: what the first component of an implicit Docker Hub name must be. */
export const PATH_COMPONENT_NO_DOT = '[a-z0-9]+(?:(?:__?|[-]+)[a-z0-9]+)*';

/** A tag: a word character, then up to 127 word characters, `.` or `-` (128 at most). */
export const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';

/** The maximum length of a tag. */
export const TAG_MAX_LENGTH = 128;

/** A digest: `sha256:` with 64, or `sha512:` with 128, lower-case hex digits. */
export const DIGEST = '(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})';

/** The registered digest algorithms and their hex lengths (OCI image spec). */
export const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

/** The Docker Hub host every alias normalizes to. */
export const DOCKER_HUB_HOST = 'docker.io';

/** Hosts that mean Docker Hub in an image reference. */
export const DOCKER_HUB_ALIASES: readonly string[] = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** The namespace Docker Hub's official images live in (`nginx` is `library/nginx`). */
export const OFFICIAL_NAMESPACE = 'library';

/**
 * The longest repository path a reference may have: distribution's `RepositoryNameTotalLengthMax`
 * (reference.go, v0.6.0 and later count the path without the host; v0.5.0 and older kubelets count
 * host and path together, which `NAME_MAX_LENGTH` below covers for what ptc writes).
 */
export const PATH_MAX_LENGTH = 255;

/**
 * The longest name (host, "/", path) ptc writes: the limit of distribution/reference v0.5.0, which
 * kubelet and containerd versions still in use enforce on the whole name.
 */
export const NAME_MAX_LENGTH = 255;

/** The longest repository name ECR accepts (CreateRepository `repositoryName`, 2 to 256 characters). */
export const ECR_REPOSITORY_MAX_LENGTH = 256;

/** A bare image ID: 64 lower-case hex digits, which Docker refuses as a repository name (normalize.go). */
export const IMAGE_ID = '[a-f0-9]{64}';
