/**
 * Formats a validation path as users write it. Kept apart from the config schema so code that
 * must not bundle zod (the registry-settings Lambda) can name a bad field the same way.
 */

/** Formats a path as users write it: `rules[1].credentials.secretName`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
