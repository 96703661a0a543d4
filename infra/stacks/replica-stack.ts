/**
 * Replica stacks: the creation templates (and, for another account, the registry policy statement)
 * of a replication destination that no environment of the config deploys, so that the repositories
 * replication creates there get the same lifecycle, repository policy, tags, tag mutability and
 * encryption as the cache repositories they copy (core/config/replication-templates.ts).
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { replicaConfig, replicaDestinations, targets, type PtcConfig, type ReplicaDestination } from '../../core';
import { CreationTemplates } from '../constructs/creation-templates';
import { RegistrySettings, needsRegistrySettings } from '../constructs/registry-settings';

/** Properties of `PtcReplicaStack`. */
export interface PtcReplicaStackProps extends StackProps {
  /** The whole parsed config; the stack derives the replica's own with `replicaConfig`. */
  readonly config: PtcConfig;
  /** The destination, from `replicaDestinations(config)`. */
  readonly replica: ReplicaDestination;
}

/**
 * One destination registry's templates: `AWS::ECR::RepositoryCreationTemplate` per replicated prefix,
 * applied for `REPLICATION` only (nothing pulls through a cache there), built by the same
 * `CreationTemplates` construct as an environment's; and the `RegistrySettings` custom resource with
 * only the registry policy statement when source accounts replicate in from another account (it
 * merges our statement into the registry's policy and keeps every other one, which
 * `AWS::ECR::RegistryPolicy` would replace).
 */
export class PtcReplicaStack extends Stack {
  readonly templates: CreationTemplates;
  /** Absent when every source is in the destination's account (no registry policy needed). */
  readonly registrySettings?: RegistrySettings;

  constructor(scope: Construct, id: string, props: PtcReplicaStackProps) {
    const { target } = props.replica;
    super(scope, id, {
      ...props,
      env: { account: target.account, region: target.region },
      description: `ptc-autopilot: creation templates for repositories replicated to ${target.account} in ${target.region}`,
    });
    const config = replicaConfig(props.config, props.replica);
    this.templates = new CreationTemplates(this, 'Templates', { config, target, appliedFor: ['REPLICATION'] });
    // No pull-through cache rule exists in a replica registry: its policy lets the sources replicate in, and grants no first pulls.
    if (needsRegistrySettings(config, target, { firstPull: false }))
      this.registrySettings = new RegistrySettings(this, 'RegistrySettings', { config, target, firstPull: false });
  }
}

/**
 * Adds a replica stack per destination that needs one, each a dependency of the stacks replicating
 * into it (so `cdk deploy` creates the templates before replication can create repositories).
 */
export function addReplicaStacks(app: Construct, config: PtcConfig): PtcReplicaStack[] {
  return replicaDestinations(config).map((replica) => {
    const stack = new PtcReplicaStack(app, replica.target.stackName, { config, replica });
    const sourceStacks = new Set(
      targets(config)
        .filter((t) => replica.sources.includes(t.name))
        .map((t) => t.stackName),
    );
    for (const child of app.node.children) {
      if (child instanceof Stack && sourceStacks.has(child.stackName))
        child.addStackDependency(stack, 'its replication creates repositories there, which need the creation templates first');
    }
    return stack;
  });
}
