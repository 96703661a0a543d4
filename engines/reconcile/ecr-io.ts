/**
 * The reconciler's conversation with ECR: the reads that establish a repository's current state
 * and the writes of a plan. Every call goes through the client it is given (adaptive retry in the
 * Lambda), so tests and benchmarks can watch each command.
 */
import {
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type ECRClient,
  type Repository,
} from '@aws-sdk/client-ecr';
import { truncate } from '../../core/quote';
import { errorName, isTransientError } from './errors';
import { summarizeWrite, type RefusedSetting, type RepositoryState, type Write } from './plan';
import { writePolicyGuarded, type PolicyContext } from './policy-write';

/** The repository attributes the reconciler reads from DescribeRepositories. */
export type RepositoryListing = Pick<
  Repository,
  'repositoryName' | 'repositoryArn' | 'imageTagMutability' | 'imageTagMutabilityExclusionFilters' | 'imageScanningConfiguration'
>;

/** Whether an error is ECR's "this repository does not exist". */
export function isRepositoryNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'RepositoryNotFoundException';
}

/** Describes one repository; undefined when it does not exist (deleted since the event). */
export async function describeRepository(ecr: ECRClient, repositoryName: string): Promise<RepositoryListing | undefined> {
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
    return out.repositories?.[0];
  } catch (err) {
    if (isRepositoryNotFound(err)) return undefined;
    throw err;
  }
}

/** The repository's tags as a map. */
export async function readTags(ecr: ECRClient, repositoryArn: string): Promise<Record<string, string>> {
  const out = await ecr.send(new ListTagsForResourceCommand({ resourceArn: repositoryArn }));
  return Object.fromEntries((out.tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

async function readLifecyclePolicy(ecr: ECRClient, repositoryName: string): Promise<string | undefined> {
  try {
    return (await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }))).lifecyclePolicyText;
  } catch (err) {
    if (err instanceof Error && err.name === 'LifecyclePolicyNotFoundException') return undefined;
    throw err;
  }
}

async function readRepositoryPolicy(ecr: ECRClient, repositoryName: string): Promise<string | undefined> {
  try {
    return (await ecr.send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText;
  } catch (err) {
    if (err instanceof Error && err.name === 'RepositoryPolicyNotFoundException') return undefined;
    throw err;
  }
}

/** Reads the lifecycle and repository policies (in parallel) and assembles the state. */
export async function readPolicies(
  ecr: ECRClient,
  listing: RepositoryListing & { repositoryName: string; repositoryArn: string },
  tags: Record<string, string>,
): Promise<RepositoryState> {
  const [lifecyclePolicyText, repositoryPolicyText] = await Promise.all([
    readLifecyclePolicy(ecr, listing.repositoryName),
    readRepositoryPolicy(ecr, listing.repositoryName),
  ]);
  return {
    repositoryName: listing.repositoryName,
    repositoryArn: listing.repositoryArn,
    scanOnPush: listing.imageScanningConfiguration?.scanOnPush ?? false,
    imageTagMutability: listing.imageTagMutability ?? 'MUTABLE',
    imageTagMutabilityExclusionFilters: (listing.imageTagMutabilityExclusionFilters ?? []).map((f) => f.filter ?? ''),
    lifecyclePolicyText,
    repositoryPolicyText,
    tags,
  };
}

/** What `applyWrites` did: the writes ECR took, and the ones it refused. */
export interface AppliedWrites {
  readonly applied: readonly Write[];
  readonly refused: readonly RefusedSetting[];
}

/**
 * Applies writes one by one, in order. The settings are independent, so a write ECR refuses for
 * good (a policy it finds invalid or too large, access denied for one action, too many tags) is
 * recorded and the next ones are applied regardless. A transient failure (throttling, 5xx,
 * network) or the repository's deletion stops and throws: the retry redoes what is left.
 */
export async function applyWrites(
  ecr: ECRClient,
  state: Pick<RepositoryState, 'repositoryName' | 'repositoryArn'>,
  writes: readonly Write[],
  policy?: PolicyContext,
): Promise<AppliedWrites> {
  const applied: Write[] = [];
  const refused: RefusedSetting[] = [];
  for (const write of writes) {
    try {
      if (policy !== undefined && (write.kind === 'SetRepositoryPolicy' || write.kind === 'DeleteRepositoryPolicy')) {
        // Read-modify-write of a document others write too: guarded (policy-write.ts).
        const result = await writePolicyGuarded(ecr, state.repositoryName, write, policy, (w) => applyWrite(ecr, state, w));
        if (result.kind === 'written') applied.push(result.write);
        if (result.kind === 'refused') refused.push({ setting: 'repositoryPolicy', reason: result.reason });
        continue;
      }
      await applyWrite(ecr, state, write);
      applied.push(write);
    } catch (err) {
      if (isTransientError(err) || isRepositoryNotFound(err)) throw err;
      refused.push({
        setting: summarizeWrite(write).setting,
        reason: `ECR refused ${write.kind}: ${truncate(errorName(err), 100)}: ${truncate(err instanceof Error ? err.message : String(err), 300)}`,
      });
    }
  }
  return { applied, refused };
}

async function applyWrite(ecr: ECRClient, state: Pick<RepositoryState, 'repositoryName' | 'repositoryArn'>, write: Write): Promise<void> {
  const { repositoryName, repositoryArn } = state;
  switch (write.kind) {
    case 'PutLifecyclePolicy':
      await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: write.lifecyclePolicyText }));
      break;
    case 'SetRepositoryPolicy':
      await ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: write.policyText }));
      break;
    case 'DeleteRepositoryPolicy':
      await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName }));
      break;
    case 'PutImageScanningConfiguration':
      await ecr.send(
        new PutImageScanningConfigurationCommand({ repositoryName, imageScanningConfiguration: { scanOnPush: write.scanOnPush } }),
      );
      break;
    case 'PutImageTagMutability':
      await ecr.send(
        new PutImageTagMutabilityCommand({
          repositoryName,
          imageTagMutability: write.imageTagMutability,
          ...(write.imageTagMutabilityExclusionFilters !== undefined
            ? {
                imageTagMutabilityExclusionFilters: write.imageTagMutabilityExclusionFilters.map((filter) => ({
                  filterType: 'WILDCARD',
                  filter,
                })),
              }
            : {}),
        }),
      );
      break;
    case 'UntagResource':
      await ecr.send(new UntagResourceCommand({ resourceArn: repositoryArn, tagKeys: [...write.tagKeys] }));
      break;
    case 'TagResource':
      await ecr.send(
        new TagResourceCommand({ resourceArn: repositoryArn, tags: Object.entries(write.tags).map(([Key, Value]) => ({ Key, Value })) }),
      );
      break;
  }
}
