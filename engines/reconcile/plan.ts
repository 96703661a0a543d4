/**
 * From what a repository has to the writes that give it what the config wants: a pure function,
 * shared by the Lambda, `ptc reconcile` and `ptc reconcile --dry-run`. A compliant repository
 * plans no write at all.
 */
import type { ManagedDesiredState } from '../../core/policy/desired-state';
import type { ImageTagMutability } from '../../core/policy/types';
import { diffRepositoryTags, mergeRepositoryPolicy, planLifecyclePolicy } from '../../core/policy/merge';

/** What the reconciler read about a repository. */
export interface RepositoryState {
  readonly repositoryName: string;
  readonly repositoryArn: string;
  readonly scanOnPush: boolean;
  /** As ECR reports it, `*_WITH_EXCLUSION` values included. */
  readonly imageTagMutability: string;
  /** The `filter` of each exclusion filter ECR reports (all `WILDCARD`); absent or empty without exclusions. */
  readonly imageTagMutabilityExclusionFilters?: readonly string[];
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
  | {
      readonly kind: 'PutImageTagMutability';
      readonly imageTagMutability: ImageTagMutability;
      /** The `WILDCARD` patterns, sent only with a `*_WITH_EXCLUSION` value. */
      readonly imageTagMutabilityExclusionFilters?: readonly string[];
    }
  | { readonly kind: 'UntagResource'; readonly tagKeys: readonly string[] }
  | { readonly kind: 'TagResource'; readonly tags: Readonly<Record<string, string>> };

/**
 * The most characters ECR accepts in a repository policy (SetRepositoryPolicy `policyText`,
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html).
 */
export const REPOSITORY_POLICY_MAX_CHARS = 10_240;

/** A setting the reconciler could not apply, and why; the other settings are applied regardless. */
export interface RefusedSetting {
  readonly setting: ChangeSummary['setting'];
  readonly reason: string;
}

/** The writes for one repository, and what was deliberately left alone. */
export interface RepositoryPlan {
  /** In the order they are applied; tags last, so the managed marker means "configured". */
  readonly writes: readonly Write[];
  /** Human-readable notes on settings someone else owns and that were kept as they are. */
  readonly kept: readonly string[];
  /** Settings that cannot be applied as ECR stands (a policy over its size limit); never truncated. */
  readonly refused: readonly RefusedSetting[];
}

/** Characters as ECR's length constraints count them (code points, not UTF-16 units). */
const characters = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/**
 * Why a merged repository policy cannot be written, or undefined when it fits: ECR refuses a policy
 * over `REPOSITORY_POLICY_MAX_CHARS`, and cutting anyone's statement to fit is never an option.
 */
export function oversizedPolicyReason(policyText: string, ownStatements: readonly unknown[]): string | undefined {
  const length = characters(policyText);
  if (length <= REPOSITORY_POLICY_MAX_CHARS) return undefined;
  const ours = ownStatements.reduce<number>((n, s) => n + characters(JSON.stringify(s)), 0);
  return `the policy with our statements would be ${length} characters and ECR allows ${REPOSITORY_POLICY_MAX_CHARS} (our statements take ${ours}); not written, and no statement was cut to fit: shorten the statements already there or the config's pullAccounts/pullOrganizations`;
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

  const refused: RefusedSetting[] = [];
  const policy = mergeRepositoryPolicy(state.repositoryPolicyText, desired.repositoryPolicyStatements);
  const oversized = policy.action === 'set' ? oversizedPolicyReason(policy.policyText!, desired.repositoryPolicyStatements) : undefined;
  if (oversized !== undefined) refused.push({ setting: 'repositoryPolicy', reason: oversized });
  else if (policy.action === 'set') writes.push({ kind: 'SetRepositoryPolicy', policyText: policy.policyText! });
  if (policy.action === 'delete') writes.push({ kind: 'DeleteRepositoryPolicy' });

  if (state.scanOnPush !== desired.scanOnPush) writes.push({ kind: 'PutImageScanningConfiguration', scanOnPush: desired.scanOnPush });

  const mutability = planTagMutability(state, desired);
  if (mutability.kept !== undefined) kept.push(mutability.kept);
  if (mutability.write !== undefined) writes.push(mutability.write);

  const tags = diffRepositoryTags(state.tags, desired.tags);
  if (tags.remove.length > 0) writes.push({ kind: 'UntagResource', tagKeys: tags.remove });
  if (Object.keys(tags.set).length > 0) writes.push({ kind: 'TagResource', tags: tags.set });
  for (const key of tags.conflicts)
    kept.push(`tag "${key}" kept: set by someone else to "${state.tags[key]}" (desired "${desired.tags[key]}")`);

  return { writes, kept, refused };
}

/** The same patterns, whatever their order and repetitions (ECR's order is not ours to enforce). */
function samePatterns(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * The tag mutability write, if any. A config with exclusion filters owns them: a different value or
 * a different set of patterns is drift. A config without any keeps exclusion filters it finds (set
 * outside ptc-autopilot, or by an earlier config): overwriting them could make tags immutable that
 * someone relies on moving.
 */
function planTagMutability(state: RepositoryState, desired: ManagedDesiredState): { write?: Write; kept?: string } {
  const stateFilters = state.imageTagMutabilityExclusionFilters ?? [];
  if (desired.imageTagMutability.endsWith('_WITH_EXCLUSION')) {
    if (state.imageTagMutability === desired.imageTagMutability && samePatterns(stateFilters, desired.imageTagMutabilityExclusionFilters))
      return {};
    return {
      write: {
        kind: 'PutImageTagMutability',
        imageTagMutability: desired.imageTagMutability,
        imageTagMutabilityExclusionFilters: [...desired.imageTagMutabilityExclusionFilters],
      },
    };
  }
  if (state.imageTagMutability.endsWith('_WITH_EXCLUSION')) {
    return {
      kept: `image tag mutability kept: ${state.imageTagMutability} with exclusion filters ${stateFilters.join(', ') || '(none listed)'} set outside the config; set imageTagMutabilityExclusionFilters to manage them`,
    };
  }
  if (state.imageTagMutability !== desired.imageTagMutability)
    return { write: { kind: 'PutImageTagMutability', imageTagMutability: desired.imageTagMutability } };
  return {};
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
      return {
        setting: 'imageTagMutability',
        action: 'set',
        value:
          write.imageTagMutabilityExclusionFilters === undefined
            ? write.imageTagMutability
            : `${write.imageTagMutability} except ${write.imageTagMutabilityExclusionFilters.join(', ')}`,
      };
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
