/**
 * Quoting of values that come from users or servers, for error messages and reports.
 *
 * A config value, an image reference or a registry's answer can be a megabyte long or hold NUL,
 * newline and terminal control bytes. Everything an error message quotes goes through `quote`, so
 * one line stays one line of bounded length, whatever was quoted.
 */

/** How many characters of a quoted value are kept by default. */
export const QUOTE_MAX_CHARS = 120;

/**
 * Escapes control characters (C0, DEL, C1, and the Unicode line and paragraph separators) as
 * `\n`, `\t`, `\u0000`... and backslashes as `\\`, so the result is printable on one line.
 * @example
 * escapeControl('a\nb') // 'a\\nb'
 */
export function escapeControl(value: string): string {
  return value.replace(/[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    switch (ch) {
      case '\\':
        return '\\\\';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/**
 * Caps `value` at `max` characters (code points, never splitting a surrogate pair), then escapes it.
 * A capped value ends with `...(N characters)`, N being the original length in code points.
 * @example
 * truncate('x'.repeat(1000), 10) // 'xxxxxxxxxx...(1000 characters)'
 */
export function truncate(value: string, max: number = QUOTE_MAX_CHARS): string {
  let points = 0;
  let cut = value.length;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) i += 1;
    points += 1;
    if (points === max) cut = i + 1;
  }
  if (points <= max) return escapeControl(value);
  return `${escapeControl(value.slice(0, cut))}...(${points} characters)`;
}

/**
 * The value in double quotes, escaped and capped: what error messages print for a value they name.
 * @example
 * quote('nginx:1.27') // '"nginx:1.27"'
 */
export function quote(value: string, max: number = QUOTE_MAX_CHARS): string {
  return `"${truncate(value, max).replace(/"/g, '\\"')}"`;
}
