/**
 * The credentials of a copy run, from injected AWS SDK clients: the target ECR registry's token
 * (GetAuthorizationToken, Basic `AWS:<password>`), and each upstream's `{"username",
 * "accessToken"}` secret (`copies[N].credentials.secretName`, the shape of the pull-through-cache
 * secrets). Neither value is ever quoted in an error.
 */
import { GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Credentials } from '../../registry/auth';
import { PtcError } from '../../core/errors';
import { quote } from '../../core/quote';
import { isPlaceholderCredential } from '../../core/rules';

/** Credentials that cannot be had: a token or secret missing, malformed, or still the placeholder. */
export class CopyCredentialsError extends PtcError {}

/**
 * The target ECR registry's Basic credentials from GetAuthorizationToken (`authorizationToken` is
 * base64 of `AWS:<password>`).
 * @throws CopyCredentialsError when the answer has no usable token
 */
export async function ecrCredentials(ecr: Pick<ECRClient, 'send'>): Promise<Credentials> {
  const data = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  const token = data?.authorizationToken;
  if (!token) throw new CopyCredentialsError('GetAuthorizationToken returned no authorizationToken');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1)
    throw new CopyCredentialsError('GetAuthorizationToken returned a token that is not base64 of "user:password"');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * An upstream's credentials from its secret: JSON `{"username", "accessToken"}`.
 * @throws CopyCredentialsError for a secret without a value, not that JSON, or still the placeholder
 */
export async function secretCredentials(secrets: Pick<SecretsManagerClient, 'send'>, secretName: string): Promise<Credentials> {
  const value = (await secrets.send(new GetSecretValueCommand({ SecretId: secretName }))).SecretString;
  if (isPlaceholderCredential(value)) {
    throw new CopyCredentialsError(
      `secret ${quote(secretName)} has no {"username", "accessToken"} value yet; put the upstream's credentials in it`,
    );
  }
  const parsed = JSON.parse(value!) as { username: unknown; accessToken: unknown };
  if (typeof parsed.username !== 'string' || typeof parsed.accessToken !== 'string') {
    throw new CopyCredentialsError(`secret ${quote(secretName)} must hold {"username": "...", "accessToken": "..."} as strings`);
  }
  return { username: parsed.username, password: parsed.accessToken };
}
