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

/**
 * One HTTPS session per upstream host, keyed by `host[:port]`.
 * @throws CopyCredentialsError for a secret without usable credentials (nothing is copied then)
 */
export async function upstreamSessions(
  copies: readonly CopyConfig[],
  options: UpstreamOptions = {},
): Promise<Map<string, RegistrySession>> {
  const sessions = new Map<string, RegistrySession>();
  const client = copies.some((c) => c.credentials !== undefined) && options.secrets ? await options.secrets() : undefined;
  try {
    for (const entry of copies) {
      const name = entry.credentials?.secretName;
      if (name !== undefined && client === undefined)
        throw new RangeError(`copies entry ${entry.prefix} needs a Secrets Manager client for its secret`);
      const credentials = name !== undefined ? await secretCredentials(client!, name) : undefined;
      sessions.set(
        entry.upstream,
        new RegistrySession({
          baseUrl: `https://${entry.upstream}`,
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
