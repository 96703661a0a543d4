/**
 * Registry authentication: HTTP Basic (ECR's endpoint with the GetAuthorizationToken password,
 * htpasswd registries) and the distribution token flow (a `401` with `WWW-Authenticate: Bearer
 * realm=...,service=...,scope=...`, answered by fetching a token from the realm). Tokens are kept
 * per scope in memory and never logged; error messages name the realm, never a credential.
 */
import { parseChallenges, type Challenge } from './challenge';
import { quote } from '../core/quote';
import { ChallengeHeaderError, RegistryAuthError } from '../core/prewarm/errors';
import { Redactor } from '../core/prewarm/redact';

export { MAX_CHALLENGE_HEADER_CHARS, parseChallenges, type Challenge, type ParseWork } from './challenge';

/** User name and password (for ECR: `AWS` and the GetAuthorizationToken password). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** How the authenticator talks to a token realm. */
export type TokenFetch = (url: string, init: { headers: Record<string, string> }) => Promise<{ status: number; json(): Promise<unknown> }>;

/** What to do after a 401. */
export type RetryDecision = 'retry' | 'denied';

const basicHeader = (c: Credentials): string => `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;

/**
 * Decides the `Authorization` header of each request and reacts to 401 challenges. Starts with
 * Basic when credentials are given (ECR and htpasswd registries accept it at once) and switches to
 * bearer tokens when a registry asks for them.
 */
export class RegistryAuthenticator {
  private mode: 'basic' | 'bearer' | 'none';
  private bearer?: { realm: string; service?: string };
  private readonly tokens = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string>>();

  /**
   * @param registry the registry's origin, where Basic credentials and bearer tokens are sent
   * @param options.plainHttpHosts hosts (`host:port` as in a URL) allowed over plain HTTP: a
   *   token realm elsewhere must be HTTPS. @default []
   * @param options.redactor where the credentials and every token fetched are registered, so no
   *   message built from a server's answer shows them. @default a new one
   */
  constructor(
    private readonly registry: string,
    private readonly credentials: Credentials | undefined,
    private readonly fetchToken: TokenFetch,
    options: { readonly plainHttpHosts?: readonly string[]; readonly redactor?: Redactor } = {},
  ) {
    this.mode = credentials ? 'basic' : 'none';
    this.plainHttpHosts = options.plainHttpHosts ?? [];
    this.redactor = options.redactor ?? new Redactor();
    if (credentials) this.redactor.addCredentials(credentials.username, credentials.password);
  }

  private readonly plainHttpHosts: readonly string[];
  private readonly redactor: Redactor;

  /** The `Authorization` header for a request on `repository` (undefined: send none). */
  header(repository: string | undefined): string | undefined {
    if (this.mode === 'basic' && this.credentials) return basicHeader(this.credentials);
    if (this.mode === 'bearer') {
      const token = this.tokens.get(repository ?? '');
      return token === undefined ? undefined : `Bearer ${token}`;
    }
    return undefined;
  }

  /**
   * Gets ready for a request on `repository`: in bearer mode, fetches its token first, which
   * saves the 401 round trip on every new repository.
   */
  async prepare(repository: string | undefined): Promise<void> {
    if (this.mode === 'bearer' && this.bearer !== undefined && repository !== undefined && !this.tokens.has(repository)) {
      await this.token(repository);
    }
  }

  /**
   * Handles a 401 on `repository` (undefined for `/v2/`); `sent` is the header that was refused.
   * Fetches a bearer token when the registry asks for one; returns `retry` when a new attempt can
   * succeed, `denied` when it cannot. The client allows a request two such retries at most.
   */
  async unauthorized(repository: string | undefined, wwwAuthenticate: string | null, sent: string | undefined): Promise<RetryDecision> {
    let challenges: Challenge[];
    try {
      challenges = parseChallenges(wwwAuthenticate ?? '');
    } catch (err) {
      if (err instanceof ChallengeHeaderError) throw new RegistryAuthError(this.registry, err.message);
      throw err;
    }
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm !== undefined && c.params.realm !== '');
    if (bearer !== undefined) {
      this.checkRealm(bearer.params.realm!);
      this.mode = 'bearer';
      this.bearer = { realm: bearer.params.realm!, ...(bearer.params.service ? { service: bearer.params.service } : {}) };
      const key = repository ?? '';
      const scope = bearer.params.scope ?? scopeOf(repository);
      const refused = sent?.startsWith('Bearer ') ? sent.slice(7) : undefined;
      if (refused !== undefined) {
        const current = this.tokens.get(key);
        if (current !== undefined && current !== refused) return 'retry'; // another request already renewed it
        if (bearer.params.error === 'insufficient_scope') return 'denied';
        if (current === refused) this.tokens.delete(key); // expired: ask for a new one
      }
      await this.token(key, scope);
      return 'retry';
    }
    if (challenges.some((c) => c.scheme === 'basic') && this.credentials && sent === undefined) {
      this.mode = 'basic';
      return 'retry';
    }
    return 'denied';
  }

  /**
   * The token for requests on `key` (a repository, or empty for `/v2/`), asking the realm for
   * `scope`; fetched once even when many requests ask at the same time.
   */
  async token(key: string, scope: string = key === '' ? '' : scopeOf(key)): Promise<string> {
    const have = this.tokens.get(key);
    if (have !== undefined) return have;
    let pending = this.pending.get(key);
    if (pending === undefined) {
      pending = this.requestToken(scope)
        .then((token) => {
          this.redactor.add(token);
          this.tokens.set(key, token);
          return token;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /**
   * Where a token realm may be: HTTPS anywhere (Docker Hub's registry-1.docker.io sends clients
   * to auth.docker.io), plain HTTP only on a host allowed for it. The credentials go nowhere
   * else: requests go to the registry's origin or to this realm, and redirects are never followed.
   * @throws RegistryAuthError for a realm that is not an http(s) URL, holds credentials, or is
   *   plain HTTP on a host not allowed
   */
  private checkRealm(realm: string): void {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryAuthError(this.registry, `its token realm ${this.redactor.quote(realm)} is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new RegistryAuthError(this.registry, `its token realm ${this.redactor.quote(realm)} is not an http(s) URL`);
    if (url.username !== '' || url.password !== '')
      throw new RegistryAuthError(this.registry, `its token realm ${this.redactor.quote(realm)} holds a user name or password`);
    if (url.protocol === 'http:' && !this.plainHttpHosts.includes(url.host)) {
      throw new RegistryAuthError(
        this.registry,
        `its token realm ${this.redactor.quote(realm)} is plain HTTP, which would send the credentials in clear text; ${this.plainHttpHosts.length ? `plain HTTP is allowed to ${this.plainHttpHosts.join(', ')} only` : 'no host is allowed plain HTTP'} (ptc prewarm --insecure-http allows the --registry-url host)`,
      );
    }
  }

  private async requestToken(scope: string): Promise<string> {
    if (this.bearer === undefined) throw new RegistryAuthError(this.registry, 'no token realm known');
    const url = new URL(this.bearer.realm);
    if (this.bearer.service) url.searchParams.set('service', this.bearer.service);
    if (scope !== '') url.searchParams.set('scope', scope);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.credentials) headers.authorization = basicHeader(this.credentials);
    const service = this.redactor.truncate(`${url.origin}${url.pathname}`);
    let response: Awaited<ReturnType<TokenFetch>>;
    try {
      response = await this.fetchToken(url.toString(), { headers });
    } catch (err) {
      throw new RegistryAuthError(
        this.registry,
        `token service ${service} cannot be reached (${this.redactor.truncate(describeCause(err), 200)})`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new RegistryAuthError(
        this.registry,
        this.credentials
          ? `token service ${service} refused the credentials of ${quote(this.credentials.username)}`
          : `token service ${service} needs credentials`,
      );
    }
    if (response.status >= 300 && response.status < 400) {
      throw new RegistryAuthError(
        this.registry,
        `token service ${service} answered HTTP ${response.status}; redirects are not followed with credentials`,
      );
    }
    if (response.status !== 200) throw new RegistryAuthError(this.registry, `token service ${service} answered HTTP ${response.status}`);
    const body = (await response.json().catch(() => undefined)) as { token?: unknown; access_token?: unknown } | undefined;
    const token = typeof body?.token === 'string' ? body.token : typeof body?.access_token === 'string' ? body.access_token : undefined;
    if (token === undefined || token === '')
      throw new RegistryAuthError(this.registry, `token service ${service} answered without a token`);
    return token;
  }

  /** The mode in use, for tests and diagnostics. */
  get scheme(): 'basic' | 'bearer' | 'none' {
    return this.mode;
  }
}

/** The pull scope of a repository (`repository:docker-hub/library/nginx:pull`); empty for none. */
export function scopeOf(repository: string | undefined): string {
  return repository === undefined ? '' : `repository:${repository}:pull`;
}

/** The cause of a failed request in a few words: `connect ECONNREFUSED 127.0.0.1:5000`. */
export function describeCause(err: unknown): string {
  // Duck-typed: network errors may come from another realm (a test VM), where instanceof fails.
  const e = err as { message?: unknown; code?: unknown; cause?: unknown; errors?: unknown } | null | undefined;
  if (e === null || e === undefined || typeof e !== 'object') return String(err);
  const cause = e.cause as { message?: unknown; code?: unknown; errors?: unknown } | undefined;
  if (cause !== null && typeof cause === 'object') {
    const inner =
      Array.isArray(cause.errors) && cause.errors.length > 0 ? (cause.errors[0] as { message?: unknown; code?: unknown }) : undefined;
    for (const candidate of [cause.message, inner?.message, cause.code, inner?.code]) {
      if (typeof candidate === 'string' && candidate !== '') return candidate;
    }
  }
  return typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
}
