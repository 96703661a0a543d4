/**
 * Why ECR may fail a rule whose secret our own check could read: a customer managed KMS key. The
 * validator reads the secret with its own role, which is granted `kms:Decrypt`; ECR reads it as its
 * service-linked role `AWSServiceRoleForECRPullThroughCache`, whose managed policy has no
 * `kms:Decrypt` (https://docs.aws.amazon.com/AmazonECR/latest/userguide/slr-pullthroughcache.html),
 * so only the key policy can let it decrypt.
 */
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RuleConfig } from '../../core/config/schema';
import { PULL_THROUGH_CACHE_ROLE_NAME } from '../../core/policy/secrets-key-policy';
import { quote } from '../../core/quote';
import type { ValidationLogger } from './telemetry';

/** What finding the key needs. */
export interface SecretKeyDeps {
  readonly secrets: SecretsManagerClient;
  readonly log: ValidationLogger;
  /** The customer managed key the stack encrypts the secrets it creates with, if any. */
  readonly secretsKmsKeyArn?: string;
}

/**
 * The customer managed key a rule's secret is encrypted with, or undefined for the AWS managed
 * `aws/secretsmanager` (DescribeSecret omits `KmsKeyId` then). When DescribeSecret cannot answer,
 * the configured key of the secrets the stack creates is the best knowledge there is.
 */
export async function secretCustomerManagedKey(rule: RuleConfig, secretId: string, deps: SecretKeyDeps): Promise<string | undefined> {
  try {
    const described = await deps.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
    return described?.KmsKeyId || undefined;
  } catch (err) {
    // A diagnosis only: the rule is already reported invalid; say what we could not read and fall back to the config.
    deps.log.debug('credential secret not described', { prefix: rule.prefix, reason: err instanceof Error ? err.name : String(err) });
    return rule.credentials?.secretName !== undefined ? deps.secretsKmsKeyArn : undefined;
  }
}

/** The sentence that names the customer managed key as the likely cause of ECR's failure. */
export function customerManagedKeyCause(secretLabel: string, keyId: string): string {
  return (
    `the credential secret ${secretLabel} is encrypted with the customer managed key ${quote(keyId)}, and ECR reads it as its service-linked role ${PULL_THROUGH_CACHE_ROLE_NAME}, which has no kms:Decrypt: ` +
    'the key policy must allow that role kms:Decrypt through Secrets Manager (ptc plan prints the statement), or re-encrypt the secret with aws/secretsmanager, the key AWS documents for pull through cache secrets'
  );
}
