/**
 * What a customer managed KMS key on the credential secrets needs so that ECR can read them.
 *
 * ECR reads a pull through cache rule's secret as its service-linked role
 * `AWSServiceRoleForECRPullThroughCache`, whose policy (AWSECRPullThroughCache_ServiceRolePolicy)
 * grants `secretsmanager:GetSecretValue` on `ecr-pullthroughcache/*` and no `kms:Decrypt`
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/slr-pullthroughcache.html). A secret under
 * the AWS managed key `aws/secretsmanager` is readable that way; under a customer managed key, only
 * if the key policy lets that role decrypt. AWS documents the managed key as the one to use: "You
 * must use the default aws/secretsmanager encryption key to encrypt your secret"
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-secret.html).
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';

/** The name of ECR's pull through cache service-linked role. */
export const PULL_THROUGH_CACHE_ROLE_NAME = 'AWSServiceRoleForECRPullThroughCache';
/** The service principal of that role. */
export const PULL_THROUGH_CACHE_SERVICE = 'pullthroughcache.ecr.amazonaws.com';

/** A key policy statement as KMS's PutKeyPolicy takes it. */
export interface KeyPolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: { AWS: string };
  Action: string;
  Resource: string;
  Condition: Record<string, Record<string, string>>;
}

/** The DNS suffix of a partition's service endpoints. */
export function dnsSuffix(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The ARN of the pull through cache service-linked role in an account. */
export function pullThroughCacheRoleArn(t: Pick<Target, 'partition' | 'account'>): string {
  return `arn:${t.partition}:iam::${t.account}:role/aws-service-role/${PULL_THROUGH_CACHE_SERVICE}/${PULL_THROUGH_CACHE_ROLE_NAME}`;
}

/**
 * The statement a customer managed key's policy needs so that ECR's service-linked role can
 * decrypt the credential secrets of one account and Region, through Secrets Manager only, and only
 * secrets named `ecr-pullthroughcache/...` (Secrets Manager passes the secret ARN as the
 * `SecretARN` encryption context).
 * @example
 * secretsKeyPolicyStatement(target).Principal.AWS
 * // 'arn:aws:iam::111122223333:role/aws-service-role/pullthroughcache.ecr.amazonaws.com/AWSServiceRoleForECRPullThroughCache'
 */
export function secretsKeyPolicyStatement(t: Pick<Target, 'partition' | 'account' | 'region'>): KeyPolicyStatement {
  return {
    Sid: 'AllowEcrPullThroughCacheToDecryptCredentialSecrets',
    Effect: 'Allow',
    Principal: { AWS: pullThroughCacheRoleArn(t) },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: {
      StringEquals: { 'kms:ViaService': `secretsmanager.${t.region}.${dnsSuffix(t.partition)}` },
      StringLike: {
        'kms:EncryptionContext:SecretARN': `arn:${t.partition}:secretsmanager:${t.region}:${t.account}:secret:ecr-pullthroughcache/*`,
      },
    },
  };
}

/** A string field of an `environments[]` entry, when the schema has it (read without assuming its shape). */
function environmentField(config: PtcConfig, target: Pick<Target, 'name'>, field: string): string | undefined {
  const env: object | undefined = config.environments?.find((e) => e.name === target.name);
  const value: unknown = env !== undefined && field in env ? (env as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The customer managed key of the credential secrets a target's stack creates: its
 * environment's `secretsKmsKeyArn`, else the top-level one; undefined for `aws/secretsmanager`.
 */
export function secretsKmsKeyFor(config: PtcConfig, target: Pick<Target, 'name'>): string | undefined {
  return environmentField(config, target, 'secretsKmsKeyArn') ?? config.secretsKmsKeyArn;
}
