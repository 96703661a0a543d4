/**
 * Protect patterns (`repositories.eviction.protect`): `repository[:tag]`, matched against the
 * whole repository name, prefix included. `*` matches any run of characters, `/` included; a
 * pattern without `:tag` protects every image of the matching repositories, tagged or not.
 */

/** A compiled protect pattern. */
export interface ProtectMatcher {
  readonly pattern: string;
  readonly repository: RegExp;
  /** Undefined: every tag, and untagged images. */
  readonly tag: RegExp | undefined;
}

function glob(text: string): RegExp {
  const body = text
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/**
 * Compiles patterns once per run.
 * @example
 * compileProtect(['*:latest', 'k8s/*'])
 */
export function compileProtect(patterns: readonly string[]): ProtectMatcher[] {
  return patterns.map((pattern) => {
    const colon = pattern.indexOf(':');
    // Repository names hold no ":", so the first one starts the tag.
    return colon === -1
      ? { pattern, repository: glob(pattern), tag: undefined }
      : { pattern, repository: glob(pattern.slice(0, colon)), tag: glob(pattern.slice(colon + 1)) };
  });
}

/**
 * The first pattern that protects an image of `repository` carrying `tags`, or undefined.
 * @example
 * protectedBy(compileProtect(['*:latest']), 'docker-hub/library/nginx', ['latest']) // '*:latest'
 */
export function protectedBy(matchers: readonly ProtectMatcher[], repository: string, tags: readonly string[]): string | undefined {
  for (const m of matchers) {
    if (!m.repository.test(repository)) continue;
    if (m.tag === undefined) return m.pattern;
    const tagPattern = m.tag;
    if (tags.some((t) => tagPattern.test(t))) return m.pattern;
  }
  return undefined;
}
