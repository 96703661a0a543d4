/**
 * The credential secrets part of `ptc plan`: when the stack creates its secrets under a customer
 * managed key, what that key's policy needs so that ECR can read them.
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';
import {
  PULL_THROUGH_CACHE_ROLE_NAME,
  PULL_THROUGH_CACHE_SERVICE,
  secretsKeyPolicyStatement,
  secretsKmsKeyFor,
  type KeyPolicyStatement,
} from '../policy/secrets-key-policy';

/** Where AWS says which key the pull through cache secrets should use. */
export const SECRET_KEY_DOC = 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-secret.html';

/** The customer managed key of one environment's created secrets, and what its key policy needs. */
export interface PlannedSecretsKey {
  kmsKeyArn: string;
  /** The secrets this stack creates under the key. */
  secretNames: string[];
  /** The statement the key policy needs for ECR's service-linked role. */
  keyPolicyStatement: KeyPolicyStatement;
}

/** Plans the secrets key of one target; undefined when the stack creates no secret under a customer managed key. */
export function planSecretsKey(config: PtcConfig, target: Target): PlannedSecretsKey | undefined {
  const kmsKeyArn = secretsKmsKeyFor(config, target);
  const secretNames = config.rules.flatMap((r) => (r.credentials?.secretName !== undefined ? [r.credentials.secretName] : []));
  if (kmsKeyArn === undefined || secretNames.length === 0) return undefined;
  return { kmsKeyArn, secretNames, keyPolicyStatement: secretsKeyPolicyStatement(target) };
}

/** The plan lines of one environment's secrets key. */
export function renderSecretsKey(key: PlannedSecretsKey | undefined): string[] {
  if (key === undefined) return [];
  return [
    `  credential secrets ${key.secretNames.join(', ')} are encrypted with the customer managed key ${key.kmsKeyArn}.`,
    `    ECR reads them as its service-linked role ${PULL_THROUGH_CACHE_ROLE_NAME}, which has no kms:Decrypt, and AWS documents`,
    `    aws/secretsmanager as the key to use for pull through cache secrets (${SECRET_KEY_DOC}).`,
    `    To keep this key: create the role before the first deploy (aws iam create-service-linked-role --aws-service-name ${PULL_THROUGH_CACHE_SERVICE};`,
    '    KMS refuses a key policy naming a role that does not exist yet), then add this statement to the key policy:',
    ...JSON.stringify(key.keyPolicyStatement, null, 2)
      .split('\n')
      .map((line) => `      ${line}`),
  ];
}
