/**
 * Redaction of registry credentials from whatever a server sends back. A registry or proxy can
 * echo the `Authorization` header into an error body, a header, a manifest's media type or a
 * platform name, and those end up in reasons the CLI prints and the Lambda logs. Every string
 * the client takes from an answer passes `redact` before anything quotes or truncates it (a
 * secret cut in half by a length cap could no longer be found), and the engine redacts its
 * reasons once more on the way out.
 */
import { quote, truncate } from '../quote';

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * The shortest secret searched for on its own. A shorter password would turn every such letter
 * of every message into `[redacted]` while telling a reader nothing (which "p" was it?); it is
 * still found inside `user:password` and its base64.
 */
export const MIN_SECRET_CHARS = 6;

// An Authorization value in any text: the scheme, then what looks like its credential.
const AUTHORIZATION_VALUE = /\b(Basic|Bearer)(\s+)[A-Za-z0-9._~+/=-]{6,}/gi;
// A JSON Web Token (three base64url parts, the first two starting like a JSON object).
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** The secrets of one client, and the ways to scrub them out of text. */
export class Redactor {
  private secrets: string[] = [];

  /**
   * Adds a secret and the forms it travels in: itself, and its JSON-escaped and URL-encoded
   * forms when they differ.
   */
  add(secret: string): void {
    if (secret.length < MIN_SECRET_CHARS) return;
    const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
    this.secrets = [...new Set([...this.secrets, ...forms])].sort((a, b) => b.length - a.length);
  }

  /**
   * Adds Basic credentials: the password, `user:password`, and its base64 (without padding, so
   * a copy whose padding was cut is found too). For ECR this is the authorization token itself,
   * base64 of `AWS:password`.
   */
  addCredentials(username: string, password: string): void {
    this.add(password);
    this.add(`${username}:${password}`);
    const base64 = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    this.add(base64);
    this.add(base64.replace(/=+$/, ''));
  }

  /** `text` with every known secret, Authorization-looking value and JSON Web Token replaced by `[redacted]`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out.replace(AUTHORIZATION_VALUE, `$1$2${REDACTED}`).replace(JWT, REDACTED);
  }

  /** A server's value, redacted, then quoted and capped (`core/quote`). */
  quote(value: string, max?: number): string {
    return quote(this.redact(value), max);
  }

  /** A server's value, redacted, then capped and escaped without quotes. */
  truncate(value: string, max?: number): string {
    return truncate(this.redact(value), max);
  }
}
