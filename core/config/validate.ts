/**
 * The configuration's checks across fields: one part of the config read against another (rule
 * prefixes against overrides, secrets against the stacks that use them, limits that depend on
 * several keys). This layer sits above the shape (`./schema`) and may import any domain module;
 * no domain module imports it. `parseConfig` and `parseConfigText` parse with `configSchema`.
 */
import * as z from 'zod/mini';
import { suggestName } from '../upstreams';
import { deployRegionProblem } from '../regions';
import { quote } from '../quote';
import { registrySettingsIssues } from '../registry-settings/limits';
import { prewarmKeyIssues } from '../policy/prewarm-key';
import { copyIssues, copyOverrideIssues } from './copies-checks';
import { seedIssues } from './seed-checks';
import { evictionIssues } from './eviction-schema';
import { consumerIssues } from '../consumers/validate';
import { kmsKeyIssues } from './kms-keys';
import { prewarmImageIssues } from './prewarm-images';
import { deployLimitIssues } from './deploy-limits';
import { replicaIssues } from './replication-templates';
import { MAX_CONFIG_TAGS } from './shape/repositories';
import { configShape, type PtcConfig } from './schema';

/** The raw shape of the configuration file. */
type ConfigBeforeChecks = {
  account?: string | undefined;
  region?: string | undefined;
  environments?: readonly { account: string; region: string }[] | undefined;
  rules: readonly { prefix: string; credentials?: { secretName?: string | undefined; secretArn?: string | undefined } | undefined }[];
  repositories: {
    tags?: Record<string, string> | undefined;
    overrides?: readonly { prefix: string; tags?: Record<string, string> | undefined }[] | undefined;
  };
};

/**
 * Secrets CloudFormation and ECR can use: one secret per name (two rules cannot create the same
 * secret), and an imported secret in the account and Region of every stack that uses it (ECR
 * requires the secret beside the rule).
 */
function credentialIssues(config: ConfigBeforeChecks, ctx: z.core.$RefinementCtx): void {
  const named = new Map<string, number>();
  const places =
    config.environments?.map((e) => ({ account: e.account, region: e.region })) ??
    (config.account !== undefined && config.region !== undefined ? [{ account: config.account, region: config.region }] : []);
  config.rules.forEach((rule, index) => {
    const name = rule.credentials?.secretName;
    if (name !== undefined) {
      const first = named.get(name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'credentials', 'secretName'],
          message: `${quote(name)} is already the secret of rules[${first}]; give each rule its own secret, or import the shared one with secretArn`,
        });
      } else {
        named.set(name, index);
      }
    }
    const arn = rule.credentials?.secretArn;
    if (arn !== undefined && /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:/.test(arn)) {
      const [, , , region, account] = arn.split(':');
      const elsewhere = places.find((p) => p.account !== account || p.region !== region);
      if (elsewhere !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'credentials', 'secretArn'],
          message: `the secret is in account ${account}, ${region} but the rule deploys to ${elsewhere.account}, ${elsewhere.region}; ECR needs the secret in the rule's account and Region (use secretName to create one per environment)`,
        });
      }
    }
  });
}

/** ECR's 50-tag limit on what a repository actually gets: the base tags merged with its override. */
function mergedTagIssues(config: ConfigBeforeChecks, ctx: z.core.$RefinementCtx): void {
  const base = config.repositories.tags ?? {};
  config.repositories.overrides?.forEach((o, index) => {
    const count = Object.keys({ ...base, ...o.tags }).length;
    if (o.tags !== undefined && count > MAX_CONFIG_TAGS) {
      ctx.addIssue({
        code: 'custom',
        path: ['repositories', 'overrides', index, 'tags'],
        message: `repositories under ${quote(o.prefix)} would get ${count} tags with the base tags merged in; at most ${MAX_CONFIG_TAGS} (ECR allows 50 and ptc-autopilot uses 2)`,
      });
    }
  });
}

/** Rule prefixes, overrides, environments and every domain module's checks of the whole config. */
function crossFieldIssues(config: PtcConfig, ctx: z.core.$RefinementCtx): void {
  const seen = new Map<string, number>();
  config.rules.forEach((r, index) => {
    const first = seen.get(r.prefix);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', index, 'prefix'],
        message: `duplicate prefix ${quote(r.prefix)} (already used by rules[${first}])`,
      });
    } else {
      seen.set(r.prefix, index);
    }
  });
  // Each prefix's ancestors (a, a/b for a/b/c) looked up by name: linear in the rules, never rule against rule.
  config.rules.forEach((r, index) => {
    const parts = r.prefix.split('/');
    for (let n = 1; n < parts.length; n++) {
      const other = parts.slice(0, n).join('/');
      const otherIndex = seen.get(other);
      if (otherIndex !== undefined && otherIndex !== index) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'prefix'],
          message: `prefix ${quote(r.prefix)} lies inside the namespace of rules[${otherIndex}] ("${other}/")`,
        });
      }
    }
  });
  // An override may name a rule's prefix or a copies entry's (copy repositories get the same settings, docs/copy.md).
  const copied = config.copies.map((c) => c.prefix);
  const prefixes = [...seen.keys(), ...copied];
  const overridden = new Map<string, number>();
  config.repositories.overrides?.forEach((o, index) => {
    if (!prefixes.includes(o.prefix)) {
      const hint = suggestName(o.prefix, prefixes);
      const what = copied.length > 0 ? 'no rule or copies entry' : 'no rule';
      ctx.addIssue({
        code: 'custom',
        path: ['repositories', 'overrides', index, 'prefix'],
        message: `${what} has prefix ${quote(o.prefix)}${hint === undefined ? `; ${copied.length > 0 ? 'managed' : 'rule'} prefixes are: ${prefixes.join(', ')}` : `; did you mean ${quote(hint)}?`}`,
      });
    } else if (copied.includes(o.prefix)) {
      for (const issue of copyOverrideIssues(o))
        ctx.addIssue({ code: 'custom', path: ['repositories', 'overrides', index, ...issue.path], message: issue.message });
    }
    const first = overridden.get(o.prefix);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['repositories', 'overrides', index, 'prefix'],
        message: `prefix ${quote(o.prefix)} already has an override at repositories.overrides[${first}]`,
      });
    } else {
      overridden.set(o.prefix, index);
    }
  });
  if (config.environments === undefined) {
    if (config.account === undefined) ctx.addIssue({ code: 'custom', path: ['account'], message: 'required (or list "environments")' });
    if (config.region === undefined) ctx.addIssue({ code: 'custom', path: ['region'], message: 'required (or list "environments")' });
  } else {
    // Top-level account/region beside environments pick the CLI's default registry: it must be one that a stack deploys.
    const envs = config.environments;
    const listed = envs.map((e) => `${e.name}: ${e.account}/${e.region}`).join(', ');
    if (
      config.account !== undefined &&
      !envs.some((e) => e.account === config.account && (config.region === undefined || e.region === config.region))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['account'],
        message: `${config.account}${config.region ? ` in ${config.region}` : ''} is none of the environments (${listed}); make it one of them, or remove it`,
      });
    } else if (
      config.region !== undefined &&
      !envs.some((e) => e.region === config.region && (config.account === undefined || e.account === config.account))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['region'],
        message: `${config.region} is none of the environments' regions (${listed}); make it one of them, or remove it`,
      });
    }
    const names = new Set<string>();
    const targets = new Set<string>();
    config.environments.forEach((env, index) => {
      if (names.has(env.name))
        ctx.addIssue({ code: 'custom', path: ['environments', index, 'name'], message: `duplicate environment name ${quote(env.name)}` });
      names.add(env.name);
      const target = `${env.account}/${env.region}`;
      if (targets.has(target))
        ctx.addIssue({
          code: 'custom',
          path: ['environments', index],
          message: `account ${env.account} in ${env.region} is already listed; one stack per account and region`,
        });
      targets.add(target);
    });
  }
  // Partitions and Regions where the stack's resource types exist (core/regions).
  const deployRegions =
    config.environments?.map((e, i) => ({ path: ['environments', i, 'region'], name: `environment "${e.name}": `, region: e.region })) ??
    (config.region !== undefined ? [{ path: ['region'], name: '', region: config.region }] : []);
  for (const { path, name, region } of deployRegions) {
    const problem = deployRegionProblem(region);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path, message: `${name}${problem}` });
  }
  credentialIssues(config, ctx);
  mergedTagIssues(config, ctx);
  for (const issue of kmsKeyIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of prewarmImageIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of deployLimitIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of registrySettingsIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of prewarmKeyIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  // A copies entry's external list is read like prewarm's (copy-images, docs/copy.md): the same key check, at its own path.
  (config.copies ?? []).forEach((entry, index) => {
    for (const issue of prewarmKeyIssues({ ...config, prewarm: { manifest: entry.manifest } }))
      ctx.addIssue({ code: 'custom', path: ['copies', index, 'manifest', ...issue.path.slice(2)], message: issue.message });
  });
  for (const issue of replicaIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of consumerIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of evictionIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of copyIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  for (const issue of seedIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  if (config.replication !== undefined) {
    config.replication.destinations.forEach((d, index) => {
      const envRegions = config.environments?.map((e) => e.region) ?? (config.region ? [config.region] : []);
      if (d.account === undefined && envRegions.length === 1 && envRegions[0] === d.region) {
        ctx.addIssue({
          code: 'custom',
          path: ['replication', 'destinations', index, 'region'],
          message: `${quote(d.region)} is the source region; replicate to another region or account`,
        });
      }
    });
  }
}

/**
 * The configuration schema: the shape (`configShape`) and every check across its fields.
 * `parseConfig` and `parseConfigText` parse with it.
 */
export const configSchema = configShape.check(z.superRefine(crossFieldIssues));

// Issues without a message of their own (a string where a list belongs) read as zod's English
// messages. Only here, above the shape: the Lambdas' payload checks word their own (core/lambda-payload-check.ts).
z.config(z.locales.en());
