/**
 * Pull through cache rules and the Secrets Manager secrets that hold upstream credentials.
 */
import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledgeNag } from '../nag';
import { Construct } from 'constructs';
import { CREDENTIAL_PLACEHOLDER, upstreamRegistryUrl, type RuleConfig } from '../../core';

/** Properties of `CacheRules`. */
export interface CacheRulesProps {
  /** The rules to create. */
  readonly rules: readonly RuleConfig[];
  /** Customer managed key for the created secrets. @default the AWS managed key `aws/secretsmanager` */
  readonly secretsKmsKeyArn?: string;
}

/** One `AWS::ECR::PullThroughCacheRule` per rule, and a secret for each credentialed rule that does not import one. */
export class CacheRules extends Construct {
  /** The created or imported credential secret of each credentialed rule, by prefix. */
  readonly secrets: ReadonlyMap<string, secretsmanager.ISecret>;
  /** The rule resources, by prefix. */
  readonly rules: ReadonlyMap<string, ecr.CfnPullThroughCacheRule>;

  constructor(scope: Construct, id: string, props: CacheRulesProps) {
    super(scope, id);
    const key = props.secretsKmsKeyArn ? kms.Key.fromKeyArn(this, 'SecretsKey', props.secretsKmsKeyArn) : undefined;
    const secrets = new Map<string, secretsmanager.ISecret>();
    const rules = new Map<string, ecr.CfnPullThroughCacheRule>();
    const ids = constructIds(props.rules.map((r) => r.prefix));
    for (const rule of props.rules) {
      const id = ids.get(rule.prefix)!;
      let secret: secretsmanager.ISecret | undefined;
      if (rule.credentials?.secretArn) {
        secret = secretsmanager.Secret.fromSecretCompleteArn(this, `${id}Secret`, rule.credentials.secretArn);
      } else if (rule.credentials?.secretName) {
        const created = new secretsmanager.Secret(this, `${id}Secret`, {
          secretName: rule.credentials.secretName,
          description: `Upstream credentials for the ECR pull through cache rule "${rule.prefix}" (${rule.upstream}). Put {"username","accessToken"}; ptc-autopilot never overwrites the value.`,
          // A constant placeholder: CloudFormation only writes the value when this text changes, and it never does.
          secretStringValue: SecretValue.unsafePlainText(CREDENTIAL_PLACEHOLDER),
          encryptionKey: key,
          // Kept when the stack goes or replaces it (it may hold a real token by then), but deleted when the
          // create that made it rolls back, so a retry of a failed first deploy does not hit "already exists".
          removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        });
        acknowledgeNag(created, [
          {
            id: 'AwsSolutions-SMG4',
            reason:
              'Upstream registry tokens (Docker Hub, GitHub, ...) are issued by the upstream and cannot be rotated by a Lambda; validate-rules alarms when one stops working.',
          },
        ]);
        secret = created;
      }
      if (secret !== undefined) secrets.set(rule.prefix, secret);
      rules.set(
        rule.prefix,
        new ecr.CfnPullThroughCacheRule(this, `${id}Rule`, {
          ecrRepositoryPrefix: rule.prefix,
          upstreamRegistry: rule.upstream,
          upstreamRegistryUrl: upstreamRegistryUrl(rule),
          credentialArn: secret?.secretArn,
          customRoleArn: rule.customRoleArn,
          upstreamRepositoryPrefix: rule.upstreamRepositoryPrefix,
        }),
      );
    }
    this.secrets = secrets;
    this.rules = rules;
  }
}

/** A construct id from a prefix: `docker-hub` → `DockerHub`, `team/a` → `TeamA`. */
export function logicalName(prefix: string): string {
  return prefix
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/** Unique construct ids for prefixes; a later prefix that folds to a taken id gets a numeric suffix. */
export function constructIds(prefixes: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const prefix of prefixes) {
    let id = logicalName(prefix);
    for (let n = 2; taken.has(id); n++) id = `${logicalName(prefix)}${n}`;
    taken.add(id);
    out.set(prefix, id);
  }
  return out;
}
