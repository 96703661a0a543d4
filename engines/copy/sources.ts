/**
 * The upstream side of a run: one `RegistrySession` per `copies` entry, with the entry's
 * credentials read once from its Secrets Manager secret. The CLI and a Lambda build them the same
 * way; the Secrets Manager client is injected (created only when an entry has a secret).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CopyConfig } from '../../core/config/copies-schema';
import { secretCredentials } from './credentials';
import { RegistrySession } from '../../registry/session';

/** What the upstream sessions need. */
export interface UpstreamOptions {
  /** Reads the entries' secrets; needed when any entry names one. */
  readonly secrets?: () => Promise<Pick<SecretsManagerClient, 'send'>>;
  /** Extra certificate authorities (PEM). @default none */
  readonly ca?: string;
  /** Requests in flight per upstream. @default 8 */
  readonly concurrency?: number;
}

/** One upstream to open a session for: its host, the secret with its credentials, and who asks (for messages). */
export interface UpstreamSource {
  readonly host: string;
  readonly secret?: string;
  /** `copies entry gcr`, `rule docker-hub`. */
  readonly owner: string;
}

/**
 * One HTTPS session per host (the first source of a host wins), each with its secret's credentials
 * read once; every session opened is closed again when one secret fails.
 * @throws CopyCredentialsError for a secret without usable credentials (nothing is copied then)
 */
export async function sessionsByHost(
  sources: readonly UpstreamSource[],
  options: UpstreamOptions = {},
): Promise<Map<string, RegistrySession>> {
  const sessions = new Map<string, RegistrySession>();
  const client = sources.some((s) => s.secret !== undefined) && options.secrets ? await options.secrets() : undefined;
  try {
    for (const source of sources) {
      if (sessions.has(source.host)) continue;
      if (source.secret !== undefined && client === undefined)
        throw new RangeError(`${source.owner} needs a Secrets Manager client for its secret`);
      const credentials = source.secret !== undefined ? await secretCredentials(client!, source.secret) : undefined;
      sessions.set(
        source.host,
        new RegistrySession({
          baseUrl: `https://${source.host}`,
          ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
          ...(options.ca ? { ca: options.ca } : {}),
          ...(credentials ? { credentials } : {}),
        }),
      );
    }
  } catch (err) {
    for (const s of sessions.values()) s.close();
    throw err;
  }
  return sessions;
}

/**
 * One HTTPS session per upstream host, keyed by `host[:port]`.
 * @throws CopyCredentialsError for a secret without usable credentials (nothing is copied then)
 */
export async function upstreamSessions(
  copies: readonly CopyConfig[],
  options: UpstreamOptions = {},
): Promise<Map<string, RegistrySession>> {
  return sessionsByHost(
    copies.map((entry) => ({
      host: entry.upstream,
      owner: `copies entry ${entry.prefix}`,
      ...(entry.credentials?.secretName !== undefined ? { secret: entry.credentials.secretName } : {}),
    })),
    options,
  );
}
