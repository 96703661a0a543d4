/**
 * From what a repository has to the writes that give it what the config wants: a pure function,
 * shared by the Lambda, `ptc reconcile` and `ptc reconcile --dry-run`. A compliant repository
 * plans no write at all.
 */
import type { ManagedDesiredState } from '../../core/policy/desired-state';
import { diffRepositoryTags, mergeRepositoryPolicy, planLifecyclePolicy } from '../../core/policy/merge';

/** What the reconciler read about a repository. */
export interface RepositoryState {
  readonly repositoryName: string;
  readonly repositoryArn: string;
  readonly scanOnPush: boolean;
  /** As ECR reports it, `*_WITH_EXCLUSION` values included. */
  readonly imageTagMutability: string;
  /** Undefined when the repository has no lifecycle policy. */
  readonly lifecyclePolicyText?: string;
  /** Undefined when the repository has no repository policy. */
  readonly repositoryPolicyText?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** One ECR write, with exactly the input the command gets (besides the repository name or ARN). */
export type Write =
  | { readonly kind: 'PutLifecyclePolicy'; readonly lifecyclePolicyText: string }
  | { readonly kind: 'SetRepositoryPolicy'; readonly policyText: string }
  | { readonly kind: 'DeleteRepositoryPolicy' }
  | { readonly kind: 'PutImageScanningConfiguration'; readonly scanOnPush: boolean }
  | { readonly kind: 'PutImageTagMutability'; readonly imageTagMutability: 'MUTABLE' | 'IMMUTABLE' }
  | { readonly kind: 'UntagResource'; readonly tagKeys: readonly string[] }
  | { readonly kind: 'TagResource'; readonly tags: Readonly<Record<string, string>> };

/** The writes for one repository, and what was deliberately left alone. */
export interface RepositoryPlan {
  /** In the order they are applied; tags last, so the managed marker means "configured". */
  readonly writes: readonly Write[];
  /** Human-readable notes on settings someone else owns and that were kept as they are. */
  readonly kept: readonly string[];
}

/** One change as reported in the "Cache Repository Configured" event and by `ptc reconcile`. */
export interface ChangeSummary {
  readonly setting: 'lifecyclePolicy' | 'repositoryPolicy' | 'scanOnPush' | 'imageTagMutability' | 'tags';
  readonly action: 'put' | 'set' | 'delete' | 'tag' | 'untag';
  /** The new value of a scalar setting. */
  readonly value?: boolean | string;
  /** The tag keys written or removed. */
  readonly keys?: readonly string[];
}

/**
 * Plans the writes for one repository.
 * @example
 * planRepository(state, desiredStateForPrefix(config, 'k8s')).writes.length // 0 when compliant
 */
export function planRepository(state: RepositoryState, desired: ManagedDesiredState): RepositoryPlan {
  const writes: Write[] = [];
  const kept: string[] = [];

  const lifecycle = planLifecyclePolicy(state.lifecyclePolicyText, desired.lifecyclePolicy);
  if (lifecycle.action === 'put') writes.push({ kind: 'PutLifecyclePolicy', lifecyclePolicyText: lifecycle.policyText });
  if (lifecycle.action === 'keep-foreign') kept.push(`lifecycle policy kept: ${lifecycle.reason}`);

  const policy = mergeRepositoryPolicy(state.repositoryPolicyText, desired.repositoryPolicyStatements);
  if (policy.action === 'set') writes.push({ kind: 'SetRepositoryPolicy', policyText: policy.policyText! });
  if (policy.action === 'delete') writes.push({ kind: 'DeleteRepositoryPolicy' });

  if (state.scanOnPush !== desired.scanOnPush) writes.push({ kind: 'PutImageScanningConfiguration', scanOnPush: desired.scanOnPush });

  if (state.imageTagMutability.endsWith('_WITH_EXCLUSION')) {
    kept.push(`image tag mutability kept: ${state.imageTagMutability} has exclusion filters set outside ptc-autopilot`);
  } else if (state.imageTagMutability !== desired.imageTagMutability) {
    writes.push({ kind: 'PutImageTagMutability', imageTagMutability: desired.imageTagMutability });
  }

  const tags = diffRepositoryTags(state.tags, desired.tags);
  if (tags.remove.length > 0) writes.push({ kind: 'UntagResource', tagKeys: tags.remove });
  if (Object.keys(tags.set).length > 0) writes.push({ kind: 'TagResource', tags: tags.set });
  for (const key of tags.conflicts) kept.push(`tag "${key}" kept: set by someone else to "${state.tags[key]}" (desired "${desired.tags[key]}")`);

  return { writes, kept };
}

/** Summarises a write for events and the CLI (never the policy texts themselves). */
export function summarizeWrite(write: Write): ChangeSummary {
  switch (write.kind) {
    case 'PutLifecyclePolicy':
      return { setting: 'lifecyclePolicy', action: 'put' };
    case 'SetRepositoryPolicy':
      return { setting: 'repositoryPolicy', action: 'set' };
    case 'DeleteRepositoryPolicy':
      return { setting: 'repositoryPolicy', action: 'delete' };
    case 'PutImageScanningConfiguration':
      return { setting: 'scanOnPush', action: 'set', value: write.scanOnPush };
    case 'PutImageTagMutability':
      return { setting: 'imageTagMutability', action: 'set', value: write.imageTagMutability };
    case 'UntagResource':
      return { setting: 'tags', action: 'untag', keys: [...write.tagKeys] };
    case 'TagResource':
      return { setting: 'tags', action: 'tag', keys: Object.keys(write.tags).sort() };
  }
}

/** One line per write, such as `tags: tag team, ptc-autopilot:managed`, for `ptc reconcile`. */
export function describeWrite(write: Write): string {
  const s = summarizeWrite(write);
  if (s.keys !== undefined) return `${s.setting}: ${s.action} ${s.keys.join(', ')}`;
  if (s.value !== undefined) return `${s.setting}: ${s.action} ${String(s.value)}`;
  return `${s.setting}: ${s.action}`;
}
