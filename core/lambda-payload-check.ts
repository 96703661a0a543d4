/**
 * The Lambdas' side of `core/lambda-settings`: a small, hand-written structural check of the JSON
 * payload the CDK app put in a settings variable. The stack already validated the config with the
 * schema at synth, so this checks shapes only (every key known, every value of the type the code
 * reads, enumerations among their values), which is what keeps a hand-edited or truncated variable
 * from becoming a TypeError deep inside a Lambda. It imports no validator library, so the bundles
 * stay small; test/functions/settings-payload.test.ts keeps the key lists equal to the schema's.
 */
import { ConfigError } from './errors';
import { quote, truncate } from './quote';
import { UPSTREAM_NAMES, type UpstreamName } from './upstreams';
import type { PrewarmPayload, ReconcilerPayload, ValidationPayload } from './lambda-settings';
import type { PtcConfig, RepositorySettingsConfig, RuleConfig } from './config/schema';

/** The keys each object of a payload may hold, as the config schema defines them. */
export const PAYLOAD_KEYS = {
  reconciler: ['account', 'region', 'rules', 'repositories', 'reconciler'],
  validation: ['account', 'region', 'rules', 'secretsKmsKeyArn'],
  prewarm: ['account', 'region', 'rules', 'prewarm'],
  rule: ['prefix', 'upstream', 'credentials', 'registryUrl', 'upstreamAccount', 'upstreamRegion', 'customRoleArn', 'upstreamRepositoryPrefix'],
  credentials: ['secretName', 'secretArn'],
  repositories: ['lifecycle', 'pullAccounts', 'pullOrganizations', 'pullOrganizationalUnits', 'tags', 'scanOnPush', 'imageTagMutability', 'encryption', 'eviction', 'overrides'],
  override: ['prefix', 'lifecycle', 'pullAccounts', 'pullOrganizations', 'pullOrganizationalUnits', 'tags', 'scanOnPush', 'imageTagMutability', 'encryption', 'eviction'],
  lifecycle: ['untaggedExpireDays', 'keepLastTagged', 'archiveUnpulledDays', 'expireArchivedDays'],
  eviction: ['unpulledDays', 'mode', 'protect'],
  encryption: ['type', 'kmsKeyArn'],
  reconcilerBlock: ['sweepSchedule', 'concurrency'],
  prewarmBlock: ['schedule', 'images', 'manifest', 'platforms', 'concurrency'],
  manifest: ['s3', 'ssmParameter', 'kmsKeyArn'],
  s3: ['bucket', 'key'],
} as const satisfies Record<string, readonly string[]>;

type Obj = Record<string, unknown>;

/** Throws the one-line `config error at <path>: <problem>`. */
function fail(path: string, problem: string): never {
  throw new ConfigError([{ path, message: problem }]);
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${quote(value, 40)}`;
  return `${typeof value} ${String(value)}`;
}

/** `path.key` or `path[index]`; a key from the payload (a tag key) is escaped and capped, so the message stays one line. */
const at = (path: string, key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? truncate(key, 60) : `${path}.${truncate(key, 60)}`);

/** `required` when a value the code reads is absent. */
function present(value: unknown, path: string): void {
  if (value === undefined) fail(path, 'required');
}

/** A plain object holding only `keys`. */
function object(value: unknown, path: string, keys: readonly string[]): Obj {
  present(value, path);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, `must be an object, got ${kindOf(value)}`);
  const o = value as Obj;
  for (const key of Object.keys(o)) if (!keys.includes(key)) fail(path, `unknown key ${quote(key, 60)} (known keys: ${keys.join(', ')})`);
  return o;
}

function string(value: unknown, path: string): string {
  present(value, path);
  if (typeof value !== 'string') fail(path, `must be a string, got ${kindOf(value)}`);
  return value;
}

function optional<T>(o: Obj, key: string, path: string, read: (value: unknown, path: string) => T): void {
  if (o[key] !== undefined) read(o[key], at(path, key));
}

function list<T>(value: unknown, path: string, read: (item: unknown, path: string) => T, atLeastOne?: string): T[] {
  present(value, path);
  if (!Array.isArray(value)) fail(path, `must be a list, got ${kindOf(value)}`);
  if (atLeastOne !== undefined && value.length === 0) fail(path, atLeastOne);
  return value.map((item, index) => read(item, at(path, index)));
}

function oneOf<T extends string>(allowed: readonly T[]): (value: unknown, path: string) => T {
  return (value, path) => {
    present(value, path);
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) fail(path, `must be one of: ${allowed.join(', ')}; got ${kindOf(value)}`);
    return value as T;
  };
}

function integer(min: number): (value: unknown, path: string) => number {
  return (value, path) => {
    present(value, path);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(path, `must be a whole number of at least ${min}, got ${kindOf(value)}`);
    return value;
  };
}

function boolean(value: unknown, path: string): boolean {
  present(value, path);
  if (typeof value !== 'boolean') fail(path, `must be true or false, got ${kindOf(value)}`);
  return value;
}

function tags(value: unknown, path: string): Record<string, string> {
  present(value, path);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, `must be an object of tag values, got ${kindOf(value)}`);
  // JSON.parse keeps a "__proto__" key as an own property; the config schema refuses it, so must this.
  for (const [key, v] of Object.entries(value)) {
    if (key === '__proto__') fail(at(path, key), 'tag key "__proto__" is refused');
    string(v, at(path, key));
  }
  return value as Record<string, string>;
}

const upstream = oneOf<UpstreamName>(UPSTREAM_NAMES);

function rule(value: unknown, path: string): RuleConfig {
  const r = object(value, path, PAYLOAD_KEYS.rule);
  string(r.prefix, at(path, 'prefix'));
  upstream(r.upstream, at(path, 'upstream'));
  optional(r, 'credentials', path, (c, p) => {
    const creds = object(c, p, PAYLOAD_KEYS.credentials);
    for (const key of PAYLOAD_KEYS.credentials) optional(creds, key, p, string);
  });
  for (const key of ['registryUrl', 'upstreamAccount', 'upstreamRegion', 'customRoleArn', 'upstreamRepositoryPrefix'] as const) optional(r, key, path, string);
  // The fields the upstream's URL is built from (core/rules.ts upstreamRegistryUrl).
  if (r.upstream === 'azure-container-registry') string(r.registryUrl, at(path, 'registryUrl'));
  if (r.upstream === 'ecr') for (const key of ['upstreamAccount', 'upstreamRegion', 'customRoleArn'] as const) string(r[key], at(path, key));
  return r as RuleConfig;
}

function rules(value: unknown, path: string): RuleConfig[] {
  return list(value, path, rule, 'list at least one rule');
}

/** The keys the base `repositories` block shares with each override. */
function repositorySettings(o: Obj, path: string): void {
  optional(o, 'lifecycle', path, (l, p) => {
    const lifecycle = object(l, p, PAYLOAD_KEYS.lifecycle);
    for (const key of PAYLOAD_KEYS.lifecycle) optional(lifecycle, key, p, integer(1));
  });
  optional(o, 'pullAccounts', path, (v, p) => list(v, p, string));
  optional(o, 'pullOrganizations', path, (v, p) => list(v, p, string));
  optional(o, 'pullOrganizationalUnits', path, (v, p) => list(v, p, string));
  optional(o, 'tags', path, tags);
  optional(o, 'scanOnPush', path, boolean);
  optional(o, 'imageTagMutability', path, oneOf(['MUTABLE', 'IMMUTABLE'] as const));
  optional(o, 'encryption', path, (e, p) => {
    const encryption = object(e, p, PAYLOAD_KEYS.encryption);
    oneOf(['AES256', 'KMS'] as const)(encryption.type, at(p, 'type'));
    optional(encryption, 'kmsKeyArn', p, string);
  });
  optional(o, 'eviction', path, (e, p) => {
    const eviction = object(e, p, PAYLOAD_KEYS.eviction);
    optional(eviction, 'unpulledDays', p, integer(1));
    optional(eviction, 'mode', p, oneOf(['report', 'delete'] as const));
    optional(eviction, 'protect', p, (v, lp) => list(v, lp, string));
  });
}

function repositories(value: unknown, path: string): RepositorySettingsConfig {
  const o = object(value, path, PAYLOAD_KEYS.repositories);
  repositorySettings(o, path);
  optional(o, 'overrides', path, (v, p) =>
    list(v, p, (item, ip) => {
      const override = object(item, ip, PAYLOAD_KEYS.override);
      string(override.prefix, at(ip, 'prefix'));
      repositorySettings(override, ip);
    }),
  );
  return o as RepositorySettingsConfig;
}

function target(o: Obj): void {
  string(o.account, 'account');
  string(o.region, 'region');
}

/**
 * Checks the reconciler's payload (`reconcilerPayload`) read back from JSON.
 * @throws ConfigError naming the first field at fault: `config error at rules[0].upstream: ...`
 */
export function readReconcilerPayload(raw: unknown): ReconcilerPayload {
  const o = object(raw, '', PAYLOAD_KEYS.reconciler);
  target(o);
  rules(o.rules, 'rules');
  repositories(o.repositories, 'repositories');
  const r = object(o.reconciler, 'reconciler', PAYLOAD_KEYS.reconcilerBlock);
  string(r.sweepSchedule, 'reconciler.sweepSchedule');
  integer(1)(r.concurrency, 'reconciler.concurrency');
  return o as unknown as ReconcilerPayload;
}

/**
 * Checks rule validation's payload (`validationPayload`) read back from JSON.
 * @throws ConfigError naming the first field at fault
 */
export function readValidationPayload(raw: unknown): ValidationPayload {
  const o = object(raw, '', PAYLOAD_KEYS.validation);
  target(o);
  rules(o.rules, 'rules');
  optional(o, 'secretsKmsKeyArn', '', string);
  return o as unknown as ValidationPayload;
}

function prewarmBlock(value: unknown, path: string): PtcConfig['prewarm'] {
  const p = object(value, path, PAYLOAD_KEYS.prewarmBlock);
  string(p.schedule, at(path, 'schedule'));
  list(p.images, at(path, 'images'), string);
  optional(p, 'manifest', path, (m, mp) => {
    const manifest = object(m, mp, PAYLOAD_KEYS.manifest);
    optional(manifest, 's3', mp, (s, sp) => {
      const s3 = object(s, sp, PAYLOAD_KEYS.s3);
      string(s3.bucket, at(sp, 'bucket'));
      string(s3.key, at(sp, 'key'));
    });
    optional(manifest, 'ssmParameter', mp, string);
    optional(manifest, 'kmsKeyArn', mp, string);
  });
  list(p.platforms, at(path, 'platforms'), string, 'list at least one platform');
  integer(1)(p.concurrency, at(path, 'concurrency'));
  return p as PtcConfig['prewarm'];
}

/**
 * Checks prewarm's payload (`prewarmPayload`) read back from JSON.
 * @throws ConfigError naming the first field at fault
 */
export function readPrewarmPayload(raw: unknown): PrewarmPayload {
  const o = object(raw, '', PAYLOAD_KEYS.prewarm);
  target(o);
  rules(o.rules, 'rules');
  prewarmBlock(o.prewarm, 'prewarm');
  return o as unknown as PrewarmPayload;
}
