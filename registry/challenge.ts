/**
 * Parsing of `WWW-Authenticate` headers (RFC 7235 section 4.1) in one forward pass. A registry's
 * header is a few hundred characters at most (Docker Hub's is about 150); a hostile one can be
 * as long as node accepts (16 KB). The old regular-expression parser backtracked over runs of
 * spaces and commas, which cost seconds of blocked event loop for 16 KB; this one looks at each
 * character a bounded number of times and refuses a header longer than
 * `MAX_CHALLENGE_HEADER_CHARS` before looking at it at all.
 */
import { ChallengeHeaderError } from '../core/prewarm/errors';

/** The longest `WWW-Authenticate` header parsed; a longer one is refused. */
export const MAX_CHALLENGE_HEADER_CHARS = 4096;

/** One challenge of a `WWW-Authenticate` header. */
export interface Challenge {
  /** Lower-case scheme: `basic`, `bearer`. */
  scheme: string;
  /** Parameters by lower-case name (no prototype, so `__proto__` is a name like any other). */
  params: Record<string, string>;
}

/** Counts the parser's steps, for tests that check it stays linear. */
export interface ParseWork {
  steps: number;
}

// tchar of RFC 7230 section 3.2.6.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;
const isTchar = (code: number): boolean => code < 128 && TCHAR[code] === 1;
const isOws = (code: number): boolean => code === 0x20 || code === 0x09;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parses a `WWW-Authenticate` header: schemes followed by `key="value"` or `key=token`
 * parameters, commas between parameters and between challenges. Malformed parts are skipped.
 * Linear in the header's length; `work.steps` (when given) counts the characters examined.
 * @throws ChallengeHeaderError when the header is longer than `MAX_CHALLENGE_HEADER_CHARS`
 * @example
 * parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"')
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } }]
 */
export function parseChallenges(header: string, work?: ParseWork): Challenge[] {
  if (header.length > MAX_CHALLENGE_HEADER_CHARS) throw new ChallengeHeaderError(header.length, MAX_CHALLENGE_HEADER_CHARS);
  const n = header.length;
  const out: Challenge[] = [];
  let current: Challenge | undefined;
  let steps = 0;
  let i = 0;
  // Every loop below advances i, and none moves it back: at most n steps in all, plus one per loop exit.
  const skip = (pred: (code: number) => boolean): void => {
    while (i < n && pred(header.charCodeAt(i))) {
      i++;
      steps++;
    }
  };
  const token = (): string => {
    const start = i;
    skip(isTchar);
    return header.slice(start, i);
  };
  while (i < n) {
    steps++;
    skip((c) => isOws(c) || c === COMMA);
    if (i >= n) break;
    const name = token();
    if (name === '') {
      i++; // a character that cannot start anything: skip it
      continue;
    }
    skip(isOws);
    if (i < n && header.charCodeAt(i) === EQUALS) {
      i++;
      skip(isOws);
      let value: string;
      if (i < n && header.charCodeAt(i) === DQUOTE) {
        i++;
        let text = '';
        let from = i;
        while (i < n && header.charCodeAt(i) !== DQUOTE) {
          steps++;
          if (header.charCodeAt(i) === BACKSLASH && i + 1 < n) {
            text += header.slice(from, i);
            from = i + 1; // keep the escaped character, drop the backslash
            i += 2;
          } else {
            i++;
          }
        }
        value = text + header.slice(from, i);
        if (i < n) i++; // the closing quote
      } else {
        const start = i;
        // A bare value runs to the next space or comma (lenient: `realm=https://x/token` is common).
        skip((c) => !isOws(c) && c !== COMMA);
        value = header.slice(start, i);
      }
      if (current !== undefined) current.params[name.toLowerCase()] = value;
    } else {
      current = { scheme: name.toLowerCase(), params: Object.create(null) as Record<string, string> };
      out.push(current);
    }
  }
  if (work) work.steps += steps;
  return out;
}
