/**
 * Limits a deploy would hit, predicted from the config alone so that `validate-config` and
 * `cdk synth` refuse the config with one line instead of failing later:
 * - Lambda's 4 KB of environment variables per function, which Lambda measures as the JSON of the
 *   variables ("String measured: {...}"), and ptc-autopilot's own 3,584-character cap on one
 *   settings variable (`ENV_VALUE_LIMIT`);
 * - CloudFormation's 500 resources per stack.
 * The infra tests check that the predicted variables and resource counts equal the synthesized ones.
 */
import { packJson, ENV_VALUE_LIMIT } from '../env-value';
import { targets, type Target } from '../environments';
import { registryPolicyIntent, replicationIntent, scanningIntent } from '../registry-settings/intent';
import { configForTarget } from './kms-keys';
import { predictedReplicaResourceCount, replicaDestinations } from './replication-templates';
import { secretsKmsKeyFor } from '../policy/secrets-key-policy';
import {
  COPY_SETTINGS_VARIABLE,
  copyPayload,
  PREWARM_SETTINGS_VARIABLE,
  RECONCILER_CONFIG_VARIABLE,
  RECONCILER_PARTITION_VARIABLE,
  VALIDATION_RULES_VARIABLE,
  prewarmPayload,
  reconcilerPayload,
  validationPayload,
} from '../lambda-settings';
import { PUBLISHED_NODE_CONFIG_FORMATS } from '../node-config/formats';
import type { PtcConfig } from './schema';
import { evictionEnabled as hasEviction } from '../eviction/settings';
import { EVICT_SETTINGS_VARIABLE, evictPayload } from '../eviction/payload';
import { policySizeIssues } from '../policy/policy-size';
import { copySchedules } from '../lambda-contracts/copy-images/schedule-event';

/** Lambda: "4 KB, the total size of all environment variables" of one function. */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;
/** CloudFormation: resources declared in one stack. */
export const STACK_RESOURCE_LIMIT = 500;

/** Variables every ptc-autopilot Lambda gets (infra/constructs/ptc-function.ts). */
function baseVariables(service: string): Record<string, string> {
  return { POWERTOOLS_SERVICE_NAME: service, POWERTOOLS_METRICS_NAMESPACE: 'PtcAutopilot', NODE_OPTIONS: '--enable-source-maps' };
}

/** One Lambda's predicted environment, and the config path to blame when it is too large. */
export interface PredictedEnvironment {
  /** The function's folder under `functions/`. */
  readonly service: string;
  readonly variables: Readonly<Record<string, string>>;
  /** The settings variable that grows with the config, if any. */
  readonly settingsVariable?: string;
  readonly blame: (string | number)[];
  readonly shorten: string;
}

/** Whether the stack gets the prewarm Lambda (infra/constructs/prewarm.ts `needsPrewarm`). */
function hasPrewarm(config: PtcConfig): boolean {
  const m = config.prewarm.manifest;
  return config.prewarm.images.length > 0 || m?.s3 !== undefined || m?.ssmParameter !== undefined;
}

/** How many registry-settings custom resources the stack gets (infra/constructs/registry-settings.ts). */
function registrySettingCount(config: PtcConfig, target: Target): number {
  return [replicationIntent(config, target), scanningIntent(config), registryPolicyIntent(config, target)].filter((i) => i !== undefined)
    .length;
}

const sizeOf = (value: unknown): number => JSON.stringify(value ?? null).length;

/** The environment variables of every ptc-autopilot Lambda of one stack, as the constructs set them. */
export function predictedLambdaEnvironments(config: PtcConfig, target: Target): PredictedEnvironment[] {
  const c = configForTarget(config, target);
  const out: PredictedEnvironment[] = [];
  const reconciler = packJson(reconcilerPayload(c, target));
  out.push({
    service: 'reconcile-repository',
    variables: {
      ...baseVariables('reconcile-repository'),
      [RECONCILER_CONFIG_VARIABLE]: reconciler,
      [RECONCILER_PARTITION_VARIABLE]: target.partition,
    },
    settingsVariable: RECONCILER_CONFIG_VARIABLE,
    blame: sizeOf(c.repositories) > sizeOf(c.rules) ? ['repositories'] : ['rules'],
    shorten: 'shorten tags, account lists or overrides',
  });
  out.push({
    service: 'validate-rules',
    variables: {
      ...baseVariables('validate-rules'),
      [VALIDATION_RULES_VARIABLE]: packJson(validationPayload(c.rules, target, secretsKmsKeyFor(c, target))),
    },
    settingsVariable: VALIDATION_RULES_VARIABLE,
    blame: ['rules'],
    shorten: 'use fewer rules',
  });
  if (hasPrewarm(c)) {
    out.push({
      service: 'prewarm',
      variables: { ...baseVariables('prewarm'), [PREWARM_SETTINGS_VARIABLE]: packJson(prewarmPayload(c, target)) },
      settingsVariable: PREWARM_SETTINGS_VARIABLE,
      blame: sizeOf(c.prewarm.images) > sizeOf(c.rules) ? ['prewarm', 'images'] : ['rules'],
      shorten: 'move the images to prewarm.manifest (an S3 object or SSM parameter)',
    });
  }
  if (registrySettingCount(c, target) > 0) {
    out.push({ service: 'registry-settings', variables: baseVariables('registry-settings'), blame: [], shorten: '' });
  }
  if (hasEviction(c)) {
    out.push({
      service: 'evict-images',
      variables: { ...baseVariables('evict-images'), [EVICT_SETTINGS_VARIABLE]: packJson(evictPayload(c, target)) },
      settingsVariable: EVICT_SETTINGS_VARIABLE,
      blame: sizeOf(c.prewarm.images) > sizeOf(c.rules) ? ['prewarm', 'images'] : ['rules'],
      shorten:
        sizeOf(c.prewarm.images) <= sizeOf(c.rules) && c.rules.some((r) => (r.seeds?.length ?? 0) > 0)
          ? 'list fewer rules[N].seeds (the eviction Lambda pins each one), or move the prewarm images to prewarm.manifest'
          : 'move the prewarm images to prewarm.manifest (an S3 object or SSM parameter)',
    });
  }
  if (c.copies.length > 0) {
    out.push({
      service: 'copy-images',
      variables: { ...baseVariables('copy-images'), [COPY_SETTINGS_VARIABLE]: packJson(copyPayload(c, target)) },
      settingsVariable: COPY_SETTINGS_VARIABLE,
      blame: ['copies'],
      shorten: 'move images to copies[N].manifest (an S3 object or SSM parameter)',
    });
  }
  return out;
}

/**
 * The CloudFormation resources of one stack as the app declares them, counted construct by construct:
 * - always 41: 3 roles and their 3 policies (creation templates, reconciler, validation), the node
 *   managed policy, the alarm topic with its KMS key and topic policy, the reconciler's DLQ and queue
 *   policy, 2 functions with their log groups and invoke configs, 7 EventBridge rules and their 7
 *   Lambda permissions, the DLQ alarm and the dashboard; and the pull through cache action metrics:
 *   their rule, log group and its resource policy, 3 metric filters and the rate-limit alarm;
 * - 4 per rule: the rule, its creation template, its RuleValid alarm and its sync-failure alarm;
 * - 1 per created credential secret, 1 for the alarm email subscription;
 * - 9 for prewarm, and 8 for the registry-settings function and provider plus 1 per setting it manages;
 * - 14 for eviction: its function, role, policy, log group, invoke config, DLQ and queue policy, schedule
 *   and permission, the pass-continuation rule and permission, pull-time update exclusion, and 2 alarms;
 *   1 more with prewarm (its role's exclusion);
 * - with copies, 1 creation template per entry, and 10 for copy-images (its function, role, policy, log group,
 *   invoke config, DLQ and queue policy, 3 alarms) plus a rule and a permission per distinct schedule,
 *   and 1 more with eviction (its role's pull-time update exclusion).
 * `AWS::CDK::Metadata`, which the CDK CLI may add, is not counted (`deployLimitIssues` allows for it).
 * The infra test compares this with the synthesized templates of configs using every feature.
 */
export function predictedResourceCount(config: PtcConfig, target: Target): number {
  const c = configForTarget(config, target);
  const secrets = c.rules.filter((r) => r.credentials?.secretName !== undefined).length;
  const settings = registrySettingCount(c, target);
  // One SSM parameter per published node config format (mirror mode), in every stack.
  return (
    41 +
    PUBLISHED_NODE_CONFIG_FORMATS.length +
    4 * c.rules.length +
    secrets +
    (c.validation.alarmEmail !== undefined ? 1 : 0) +
    (hasPrewarm(c) ? 9 : 0) +
    (settings > 0 ? 8 + settings : 0) +
    (hasEviction(c) ? 14 + (hasPrewarm(c) ? 1 : 0) : 0) +
    (c.copies.length > 0 ? c.copies.length + 10 + 2 * copySchedules(c.copies).length + (hasEviction(c) ? 1 : 0) : 0)
  );
}

/** One problem, located by its zod-style path. */
export interface DeployLimitIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Every Lambda environment over Lambda's 4 KB (or a settings variable over `ENV_VALUE_LIMIT`) and
 * every stack over CloudFormation's resource limit, per environment. Linear in the config's size.
 */
export function deployLimitIssues(config: PtcConfig, resourceLimit: number = STACK_RESOURCE_LIMIT): DeployLimitIssue[] {
  const issues: DeployLimitIssue[] = [];
  const all = targets(config);
  for (const target of all) {
    const stack = all.length > 1 ? ` of environment "${target.name}"` : '';
    for (const fn of predictedLambdaEnvironments(config, target)) {
      const total = Buffer.byteLength(JSON.stringify(fn.variables), 'utf8');
      const settings = fn.settingsVariable === undefined ? 0 : fn.variables[fn.settingsVariable]!.length;
      if (total > LAMBDA_ENVIRONMENT_LIMIT || settings > ENV_VALUE_LIMIT) {
        issues.push({
          path: fn.blame,
          message: `the ${fn.service} Lambda${stack} would get ${total} bytes of environment variables (its settings ${settings} characters, compressed when long); Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT} in all and ptc-autopilot puts at most ${ENV_VALUE_LIMIT} in one variable: ${fn.shorten}`,
        });
      }
    }
    // One more for the AWS::CDK::Metadata resource the CDK CLI may add.
    const count = predictedResourceCount(config, target) + 1;
    if (count > resourceLimit) {
      issues.push({
        path: ['rules'],
        message: `the stack${stack} would hold ${count} CloudFormation resources; a stack holds at most ${resourceLimit}: use fewer rules, or split them across configs`,
      });
    }
  }
  // Replica stacks (creation templates for destinations no environment deploys): see replication-templates.ts.
  for (const replica of replicaDestinations(config)) {
    const count = predictedReplicaResourceCount(replica) + 1;
    if (count > resourceLimit) {
      issues.push({
        path: ['replication', 'destinations', replica.index],
        message: `the replica stack ${replica.target.stackName} would hold ${count} CloudFormation resources; a stack holds at most ${resourceLimit}: list fewer "prefixes" for this destination`,
      });
    }
  }
  // ECR's 10,240 characters of a repository policy and of the registry policy (core/policy/policy-size.ts).
  issues.push(...policySizeIssues(config));
  return issues;
}
