/**
 * `PullThroughCache`: the L3 construct teams embed in their own CDK apps. Given a parsed config and
 * one target account/region, it deploys everything ptc-autopilot manages there.
 */
import { Construct } from 'constructs';
import { prefixRepositoryArn, type PtcConfig, type Target } from '../../core';
import { AlarmTopic } from './alarm-topic';
import { CacheRules } from './cache-rules';
import { CreationTemplates } from './creation-templates';
import { NodePolicy } from './node-policy';

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

  constructor(scope: Construct, id: string, props: PullThroughCacheProps) {
    super(scope, id);
    const { config, target } = props;
    this.prefixes = config.rules.map((r) => r.prefix);
    this.repositoryArns = this.prefixes.map((p) => prefixRepositoryArn(target, p));

    this.rules = new CacheRules(this, 'Rules', { rules: config.rules, secretsKmsKeyArn: config.secretsKmsKeyArn });
    this.templates = new CreationTemplates(this, 'Templates', { config, target });
    this.nodePolicy = new NodePolicy(this, 'NodePolicy', { target, prefixes: this.prefixes, nodeRoleArns: config.nodeRoleArns });
    this.alarms = new AlarmTopic(this, 'Alarms', { email: config.validation.alarmEmail });
  }
}
