/**
 * KMS keys per stack. A KMS key lives in one account and Region, so a config that deploys to
 * several Regions names a key per environment (`environments[].kmsKeyArn`, `secretsKmsKeyArn`),
 * overriding the config-wide ones for that stack. Every key a stack would use must be in that
 * stack's partition, Region and account; `kmsKeyIssues` says which field does not fit which
 * environment, and `configForTarget` gives each stack the config with its own keys filled in.
 */
import { partitionOf } from '../environments';
import { kmsKeyPlace } from './fields';

/** The part of the config the KMS checks read (the raw shape, before the schema's own checks finish). */
export interface KmsKeyConfig {
  account?: string | undefined;
  region?: string | undefined;
  secretsKmsKeyArn?: string | undefined;
  environments?:
    | readonly { name: string; account: string; region: string; kmsKeyArn?: string | undefined; secretsKmsKeyArn?: string | undefined }[]
    | undefined;
  repositories: {
    encryption?: { type: 'AES256' | 'KMS'; kmsKeyArn?: string | undefined } | undefined;
    overrides?: readonly { encryption?: { type: 'AES256' | 'KMS'; kmsKeyArn?: string | undefined } | undefined }[] | undefined;
  };
}

/** One problem, located by its zod-style path. */
export interface KmsKeyIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

interface Place {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** Index in `environments`, absent for the single stack of a config without environments. */
  readonly index?: number;
  readonly kmsKeyArn?: string | undefined;
  readonly secretsKmsKeyArn?: string | undefined;
}

function placesOf(config: KmsKeyConfig): Place[] {
  if (config.environments !== undefined) return config.environments.map((e, index) => ({ ...e, index }));
  if (config.account === undefined || config.region === undefined) return [];
  return [{ name: 'default', account: config.account, region: config.region }];
}

/** Why `arn` cannot be used by a stack in `place`, or undefined when it can. */
function misfit(arn: string, place: Place): string | undefined {
  const key = kmsKeyPlace(arn);
  if (key === undefined) return undefined; // the field's own check reports a malformed ARN
  const partition = partitionOf(place.region);
  if (key.account === place.account && key.region === place.region && key.partition === partition) return undefined;
  const where =
    place.index === undefined
      ? `the stack deploys to ${place.account} in ${place.region}`
      : `environment "${place.name}" deploys to ${place.account} in ${place.region}`;
  const partitionNote = key.partition !== partition ? ` (partition ${key.partition}; ${place.region} is in ${partition})` : '';
  return `the key is in account ${key.account}, ${key.region}${partitionNote} but ${where}; a KMS key serves only its own account and Region`;
}

/** The KMS encryption blocks of the repository settings, with their paths: the base block and each override's. */
function kmsBlocks(config: KmsKeyConfig): { path: (string | number)[]; kmsKeyArn?: string | undefined }[] {
  const blocks: { path: (string | number)[]; kmsKeyArn?: string | undefined }[] = [];
  if (config.repositories.encryption?.type === 'KMS')
    blocks.push({ path: ['repositories', 'encryption'], kmsKeyArn: config.repositories.encryption.kmsKeyArn });
  config.repositories.overrides?.forEach((o, index) => {
    if (o.encryption?.type === 'KMS')
      blocks.push({ path: ['repositories', 'overrides', index, 'encryption'], kmsKeyArn: o.encryption.kmsKeyArn });
  });
  return blocks;
}

/**
 * Every KMS key that a stack would use outside its own partition, Region or account, and every
 * environment key that nothing uses. An environment's own key is reported at its own field; a
 * config-wide key at the config-wide field, naming the environment it does not fit.
 */
export function kmsKeyIssues(config: KmsKeyConfig): KmsKeyIssue[] {
  const issues: KmsKeyIssue[] = [];
  const blocks = kmsBlocks(config);
  for (const place of placesOf(config)) {
    const own = (field: 'kmsKeyArn' | 'secretsKmsKeyArn'): (string | number)[] => ['environments', place.index!, field];
    // Credential secrets: the environment's key, else the config-wide one.
    if (place.secretsKmsKeyArn !== undefined) {
      const problem = misfit(place.secretsKmsKeyArn, place);
      if (problem !== undefined) issues.push({ path: own('secretsKmsKeyArn'), message: problem });
    } else if (config.secretsKmsKeyArn !== undefined) {
      const problem = misfit(config.secretsKmsKeyArn, place);
      if (problem !== undefined) issues.push({ path: ['secretsKmsKeyArn'], message: `${problem}${hint(place, 'secretsKmsKeyArn')}` });
    }
    // Repositories: the environment's key replaces every config-wide repository key in its stack.
    if (place.kmsKeyArn !== undefined) {
      if (blocks.length === 0) {
        issues.push({
          path: own('kmsKeyArn'),
          message:
            "no repository is encrypted with KMS, so this key would go unused; set repositories.encryption: { type: KMS } (or an override's), or remove the key",
        });
      } else {
        const problem = misfit(place.kmsKeyArn, place);
        if (problem !== undefined) issues.push({ path: own('kmsKeyArn'), message: problem });
      }
    } else {
      for (const block of blocks) {
        if (block.kmsKeyArn === undefined) continue;
        const problem = misfit(block.kmsKeyArn, place);
        if (problem !== undefined) issues.push({ path: [...block.path, 'kmsKeyArn'], message: `${problem}${hint(place, 'kmsKeyArn')}` });
      }
    }
  }
  return issues;
}

function hint(place: Place, field: 'kmsKeyArn' | 'secretsKmsKeyArn'): string {
  return place.index === undefined ? '' : `; give that environment its own key in environments[${place.index}].${field}`;
}

/** The one stack a per-stack config is for. */
export interface KeyTarget {
  readonly name: string;
  readonly account: string;
  readonly region: string;
}

/**
 * The config as one stack sees it: its environment's `kmsKeyArn` in every KMS encryption block of
 * the repository settings, and its `secretsKmsKeyArn` for the credential secrets. Without
 * environment keys the config comes back unchanged. Applying it twice gives the same result.
 * @example
 * configForTarget(config, targets(config)[1]).repositories.encryption?.kmsKeyArn // environments[1].kmsKeyArn
 */
export function configForTarget<C extends KmsKeyConfig>(config: C, target: KeyTarget): C {
  const env = config.environments?.find((e) => e.name === target.name && e.account === target.account && e.region === target.region);
  if (env === undefined || (env.kmsKeyArn === undefined && env.secretsKmsKeyArn === undefined)) return config;
  const withKey = <E extends { type: 'AES256' | 'KMS'; kmsKeyArn?: string | undefined } | undefined>(encryption: E): E =>
    encryption?.type === 'KMS' && env.kmsKeyArn !== undefined ? { ...encryption, kmsKeyArn: env.kmsKeyArn } : encryption;
  const repositories = {
    ...config.repositories,
    ...(config.repositories.encryption !== undefined ? { encryption: withKey(config.repositories.encryption) } : {}),
    ...(config.repositories.overrides !== undefined
      ? {
          overrides: config.repositories.overrides.map((o) =>
            o.encryption !== undefined ? { ...o, encryption: withKey(o.encryption) } : o,
          ),
        }
      : {}),
  };
  return {
    ...config,
    repositories,
    ...(env.secretsKmsKeyArn !== undefined ? { secretsKmsKeyArn: env.secretsKmsKeyArn } : {}),
  };
}
