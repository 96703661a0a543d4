/**
 * `PullThroughCache`: the L3 construct teams embed in their own CDK apps. Given a parsed config and
 * one target account/region, it deploys everything ptc-autopilot manages there.
 */
import { Construct } from 'constructs';
import { configForTarget, nodePolicyScope, prefixRepositoryArn, receivesReplication, type PtcConfig, type Target } from '../../core';
import { AlarmTopic } from './alarm-topic';
import { CacheActionMetrics } from './cache-actions';
import { CacheRules } from './cache-rules';
import { CreationTemplates } from './creation-templates';
import { MirrorNodeConfig } from './node-config';
import { NodePolicy } from './node-policy';
import { RegistrySettings, needsRegistrySettings } from './registry-settings';
import { RepositoryReconciler } from './repository-reconciler';
import { RuleValidation } from './rule-validation';
import { Prewarm, needsPrewarm } from './prewarm';
import { ImageEviction, needsEviction } from './image-eviction';
import { ImageCopy, needsImageCopy } from './image-copy';
import { PtcDashboard } from './dashboard';

/** Properties of `PullThroughCache`. */
export interface PullThroughCacheProps {
  /** The parsed configuration (`loadConfig` / `parseConfig`). */
  readonly config: PtcConfig;
  /** The account and region this construct deploys to (one of `targets(config)`). */
  readonly target: Target;
}

/**
 * Pull through cache rules, credential secrets, repository creation templates, the node policy,
 * and the automation that keeps cache repositories configured and the rules healthy.
 *
 * @example
 * const config = loadConfig('ptc.yaml');
 * for (const target of targets(config)) {
 *   const stack = new Stack(app, target.stackName, { env: { account: target.account, region: target.region } });
 *   new PullThroughCache(stack, 'Cache', { config, target });
 * }
 */
export class PullThroughCache extends Construct {
  /** The managed repository prefixes. */
  readonly prefixes: readonly string[];
  /** Repository ARN patterns (`.../repository/<prefix>/*`) of the managed prefixes. */
  readonly repositoryArns: readonly string[];
  readonly rules: CacheRules;
  readonly templates: CreationTemplates;
  readonly nodePolicy: NodePolicy;
  /** Every alarm of this construct notifies this topic. */
  readonly alarms: AlarmTopic;
  /** Replication, scanning and registry policy, merged into the registry's own; absent when none is configured. */
  readonly registrySettings?: RegistrySettings;
  /** Configures new cache repositories and sweeps for drift (its `function` feeds the dashboard). */
  readonly reconciler: RepositoryReconciler;
  /** Validates the rules on a schedule and counts failed syncs, with an alarm per rule. */
  readonly validation: RuleValidation;
  /** Prewarms the critical images; absent when the config lists none. */
  readonly prewarm?: Prewarm;
  /** Copies the images of `copies` on their schedules; absent without copies (docs/copy.md). */
  readonly imageCopy?: ImageCopy;
  /** Evicts what nobody pulls; absent when no prefix has `repositories.eviction` (docs/eviction.md). */
  readonly eviction?: ImageEviction;
  /** The pull through cache action events as metrics, with the upstream rate-limit alarm. */
  readonly cacheActions: CacheActionMetrics;
  /** Rule validity, sync failures, prewarm results, reconciler changes and failures, alarms. */
  readonly dashboard: PtcDashboard;
  /** Mirror mode: the node config of this registry (SSM parameters, `userData()` for launch templates). */
  readonly nodeConfig: MirrorNodeConfig;

  constructor(scope: Construct, id: string, props: PullThroughCacheProps) {
    super(scope, id);
    const { target } = props;
    // Every construct below sees this stack's own KMS keys (environments[].kmsKeyArn, secretsKmsKeyArn).
    const config = configForTarget(props.config, target);
    this.prefixes = config.rules.map((r) => r.prefix);
    this.repositoryArns = this.prefixes.map((p) => prefixRepositoryArn(target, p));

    this.rules = new CacheRules(this, 'Rules', { rules: config.rules, secretsKmsKeyArn: config.secretsKmsKeyArn });
    // Repositories that arrive by replication get the same settings as cache repositories.
    const appliedFor = receivesReplication(config, target) ? { appliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION'] as const } : {};
    this.templates = new CreationTemplates(this, 'Templates', { config, target, ...appliedFor, copies: true });
    // One ptc-autopilot policy per node role: the first stack of the account attaches its policy, which covers the account's every Region.
    const nodeScope = nodePolicyScope(config, target);
    this.nodePolicy = new NodePolicy(this, 'NodePolicy', {
      target,
      prefixes: this.prefixes,
      copyPrefixes: config.copies.map((c) => c.prefix),
      nodeRoleArns: nodeScope.attachTo,
      covers: nodeScope.covers,
    });
    this.nodeConfig = new MirrorNodeConfig(this, 'NodeConfig', { config, target });
    this.alarms = new AlarmTopic(this, 'Alarms', { email: config.validation.alarmEmail });
    if (needsRegistrySettings(config, target)) this.registrySettings = new RegistrySettings(this, 'RegistrySettings', { config, target });
    this.reconciler = new RepositoryReconciler(this, 'Reconciler', { config, target, alarmTopic: this.alarms.topic });
    this.validation = new RuleValidation(this, 'Validation', {
      config,
      target,
      secrets: this.rules.secrets,
      alarmTopic: this.alarms.topic,
    });
    if (needsPrewarm(config)) this.prewarm = new Prewarm(this, 'Prewarm', { config, target, alarmTopic: this.alarms.topic });
    if (needsImageCopy(config)) this.imageCopy = new ImageCopy(this, 'Copy', { config, target, alarmTopic: this.alarms.topic });
    // The prewarm and copy pulls are ours, not use: they must not keep an image from eviction.
    const ourPullers = [this.prewarm, this.imageCopy].flatMap((c) => (c ? [c.function.role!] : []));
    if (needsEviction(config))
      this.eviction = new ImageEviction(this, 'Eviction', {
        config,
        target,
        alarmTopic: this.alarms.topic,
        ...(ourPullers.length > 0 ? { excludedPullers: ourPullers } : {}),
      });
    this.cacheActions = new CacheActionMetrics(this, 'CacheActions', { prefixes: this.prefixes, alarmTopic: this.alarms.topic });
    this.dashboard = new PtcDashboard(this, 'Dashboard', {
      prefixes: this.prefixes,
      prewarm: this.prewarm !== undefined,
      ...(this.eviction ? { evictionPrefixes: this.eviction.prefixes } : {}),
      ...(this.imageCopy ? { copyPrefixes: this.imageCopy.prefixes } : {}),
      dashboardName: `${target.stackName}-${target.region}`,
      alarms: [
        ...this.validation.ruleAlarms.values(),
        ...this.validation.syncFailureAlarms.values(),
        ...(this.prewarm ? [this.prewarm.failureAlarm, this.prewarm.errorAlarm] : []),
        this.reconciler.deadLetterAlarm,
        ...(this.eviction ? [this.eviction.deadLetterAlarm, this.eviction.errorAlarm] : []),
        ...(this.imageCopy ? [this.imageCopy.failureAlarm, this.imageCopy.errorAlarm, this.imageCopy.deadLetterAlarm] : []),
        this.cacheActions.rateLimitAlarm,
      ],
    });
  }
}
