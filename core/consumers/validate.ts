/**
 * The checks of `consumers` that need the rest of the config (environments, rules): each one a
 * deploy that would fail, or a consumer that would silently get nothing, refused with its path.
 * No renderer is loaded here (the schema is bundled into Lambdas); the size of the StackSet's
 * template body is checked where the config is read from YAML (`consumerTemplateIssues`).
 */
import type { PtcConfig } from '../config/schema';
import { partitionOf } from '../regions';
import { targets } from '../environments';
import { quote } from '../quote';
import { CONSUMERS_ADMIN_STACK_NAME, consumerStackName, hubEnvironmentFor, roleNameOf } from './resolve';

/** One problem, located by its zod-style path. */
export interface ConsumerIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

type Config = Pick<PtcConfig, 'consumers' | 'environments' | 'account' | 'region' | 'rules'>;

function regionIssues(
  regions: readonly string[] | undefined,
  hubPartition: string | undefined,
  base: (string | number)[],
): ConsumerIssue[] {
  const out: ConsumerIssue[] = [];
  const seen = new Set<string>();
  (regions ?? []).forEach((r, i) => {
    if (seen.has(r)) out.push({ path: [...base, 'regions', i], message: `${quote(r)} is listed twice` });
    seen.add(r);
    const partition = partitionOf(r);
    if (hubPartition !== undefined && partition !== hubPartition) {
      out.push({
        path: [...base, 'regions', i],
        message: `${r} is in partition ${partition} but the hub is in ${hubPartition}; nodes cannot pull across partitions`,
      });
    }
  });
  return out;
}

function ouIssues(paths: readonly string[]): ConsumerIssue[] {
  const out: ConsumerIssue[] = [];
  const orgs = new Set(paths.map((p) => p.split('/')[0]));
  paths.forEach((p, i) => {
    const at = ['consumers', 'organizationalUnits', i];
    const first = paths.indexOf(p);
    if (first !== i) {
      out.push({ path: at, message: `${quote(p)} is already organizationalUnits[${first}]` });
      return;
    }
    const parent = paths.findIndex((q, j) => j !== i && p.startsWith(q) && p !== q);
    if (parent !== -1)
      out.push({
        path: at,
        message: `${quote(p)} lies inside organizationalUnits[${parent}] (${quote(paths[parent]!)}), whose StackSet deployment already covers its accounts; remove it`,
      });
  });
  if (orgs.size > 1)
    out.push({
      path: ['consumers', 'organizationalUnits'],
      message: `the OU paths name ${orgs.size} organizations (${[...orgs].join(', ')}); a StackSet deploys within one organization`,
    });
  return out;
}

/** Every problem of `consumers` against the rest of the config, in document order. */
export function consumerIssues(config: Config): ConsumerIssue[] {
  const c = config.consumers;
  if (c === undefined) return [];
  if (config.environments === undefined && (config.account === undefined || config.region === undefined)) return []; // reported as required
  const all = targets(config as PtcConfig);
  const hubAccounts = new Map(all.map((t) => [t.account, t.name]));
  const stackNames = new Set(all.map((t) => t.stackName));
  const out: ConsumerIssue[] = [];
  const names = new Map<string, string>();
  const accounts = new Map<string, string>();
  const where = (i: number): (string | number)[] => (c.form === 'list' ? ['consumers', i] : ['consumers', 'accounts', i]);
  const shown = (path: (string | number)[]): string =>
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('')
      .slice(1);
  c.accounts.forEach((a, i) => {
    const base = where(i);
    const firstName = names.get(a.name);
    if (firstName !== undefined)
      out.push({ path: [...base, 'name'], message: `duplicate consumer name ${quote(a.name)} (already ${firstName})` });
    else names.set(a.name, shown(base));
    if (stackNames.has(consumerStackName(a.name)))
      out.push({
        path: [...base, 'name'],
        message: `the stack ${consumerStackName(a.name)} is already an environment's stack; rename the consumer`,
      });
    const hubEnv = hubAccounts.get(a.account);
    if (hubEnv !== undefined) {
      out.push({
        path: [...base, 'account'],
        message: `${a.account} is the hub account itself (environment ${quote(hubEnv)}); its nodes use the hub's own node policy: list its roles in "nodeRoleArns"`,
      });
    }
    const firstAccount = accounts.get(a.account);
    if (firstAccount !== undefined)
      out.push({
        path: [...base, 'account'],
        message: `account ${a.account} is already the consumer ${firstAccount}; one consumer per account (list every Region in its "regions")`,
      });
    else accounts.set(a.account, shown(base));
    const hub = hubEnvironmentFor(config as PtcConfig, a);
    if (typeof hub === 'string') out.push({ path: a.environment !== undefined ? [...base, 'environment'] : base, message: hub });
    const partition = typeof hub === 'string' ? undefined : hub.partition;
    out.push(...regionIssues(a.regions, partition, base));
    const roles = new Set<string>();
    (a.nodeRoleArns ?? []).forEach((arn, j) => {
      const [, rolePartition, , , roleAccount] = arn.split(':');
      const at = [...base, 'nodeRoleArns', j];
      if (roleAccount !== a.account)
        out.push({
          path: at,
          message: `${quote(arn)} is a role of account ${roleAccount}, not of this consumer's account ${a.account}; the consumer's stack can attach a policy only to its own account's roles`,
        });
      else if (partition !== undefined && rolePartition !== partition)
        out.push({ path: at, message: `${quote(arn)} is in partition ${rolePartition} but the hub is in ${partition}` });
      if (roles.has(arn)) out.push({ path: at, message: `${quote(arn)} is listed twice` });
      roles.add(arn);
    });
  });
  const o = c.organization;
  if (o !== undefined) {
    const firstName = names.get(o.name);
    if (firstName !== undefined)
      out.push({
        path: ['consumers', 'name'],
        message: `the organization consumers are named ${quote(o.name)}, as ${firstName} already is; give the block another "name"`,
      });
    for (const name of [consumerStackName(o.name), CONSUMERS_ADMIN_STACK_NAME]) {
      if (stackNames.has(name))
        out.push({ path: ['consumers', 'name'], message: `the stack ${name} is already an environment's stack; rename one of them` });
    }
    const hub = hubEnvironmentFor(config as PtcConfig, o);
    if (typeof hub === 'string')
      out.push({ path: o.environment !== undefined ? ['consumers', 'environment'] : ['consumers'], message: hub });
    out.push(...regionIssues(o.regions, typeof hub === 'string' ? undefined : hub.partition, ['consumers']));
    out.push(...ouIssues(o.organizationalUnits));
    const roleNames = new Map<string, number>();
    o.nodeRoleNames.forEach((entry, i) => {
      const first = roleNames.get(roleNameOf(entry));
      if (first !== undefined)
        out.push({
          path: ['consumers', 'nodeRoleNames', i],
          message: `role ${quote(roleNameOf(entry))} is already nodeRoleNames[${first}] (a role name is unique in an account, whatever its path)`,
        });
      else roleNames.set(roleNameOf(entry), i);
    });
  }
  return out;
}
