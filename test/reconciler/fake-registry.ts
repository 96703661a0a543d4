/**
 * An in-memory ECR registry for tests and benchmarks: the reconciler's read and write operations,
 * with responses shaped like the ECR API reference. `installEcrMock` serves it through
 * aws-sdk-client-mock; `bench/reconciler.bench.ts` serves it over HTTP on 127.0.0.1.
 */
import {
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  InvalidParameterException,
  LifecyclePolicyNotFoundException,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { AwsStub } from 'aws-sdk-client-mock';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-2';

/** One repository's state. */
export interface FakeRepository {
  name: string;
  scanOnPush: boolean;
  imageTagMutability: string;
  /** As ECR holds them: `{ filterType, filter }`; absent without exclusions. */
  imageTagMutabilityExclusionFilters?: { filterType: string; filter: string }[];
  lifecyclePolicyText?: string;
  policyText?: string;
  tags: Record<string, string>;
}

/** An error as the fake registry raises it: the ECR error name and message. */
export class FakeEcrError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const arnOf = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const nameOfArn = (arn: string) => arn.slice(arn.indexOf(':repository/') + ':repository/'.length);

/** The in-memory registry. Repositories list in insertion order, like a stable DescribeRepositories. */
export class FakeRegistry {
  readonly repositories = new Map<string, FakeRepository>();
  /** Calls per operation name. */
  readonly calls = new Map<string, number>();

  add(name: string, state: Partial<Omit<FakeRepository, 'name'>> = {}): FakeRepository {
    const repo: FakeRepository = { name, scanOnPush: false, imageTagMutability: 'MUTABLE', tags: {}, ...state };
    this.repositories.set(name, repo);
    return repo;
  }

  get(name: string): FakeRepository {
    const repo = this.repositories.get(name);
    if (repo === undefined)
      throw new FakeEcrError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT}'`,
      );
    return repo;
  }

  /** Total calls, and how many were writes. */
  totals(): { calls: number; writes: number } {
    let calls = 0;
    let writes = 0;
    for (const [op, n] of this.calls) {
      calls += n;
      if (!/^(Describe|Get|List)/.test(op)) writes += n;
    }
    return { calls, writes };
  }

  /** Called before every operation is served: tests put another writer's changes there. */
  beforeCall?: (operation: string, input: Record<string, any>) => void;

  /** Runs one ECR operation with its JSON input and returns its JSON output (API reference shapes). */
  handle(operation: string, input: Record<string, any>): Record<string, unknown> {
    this.beforeCall?.(operation, input);
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    switch (operation) {
      case 'DescribeRepositories': {
        const describe = (r: FakeRepository) => ({
          repositoryArn: arnOf(r.name),
          registryId: ACCOUNT,
          repositoryName: r.name,
          repositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${r.name}`,
          createdAt: 1700000000,
          imageTagMutability: r.imageTagMutability,
          ...(r.imageTagMutabilityExclusionFilters !== undefined
            ? { imageTagMutabilityExclusionFilters: r.imageTagMutabilityExclusionFilters }
            : {}),
          imageScanningConfiguration: { scanOnPush: r.scanOnPush },
          encryptionConfiguration: { encryptionType: 'AES256' },
        });
        if (input.repositoryNames !== undefined)
          return { repositories: (input.repositoryNames as string[]).map((n) => describe(this.get(n))) };
        const all = [...this.repositories.values()];
        const start = input.nextToken !== undefined ? Number(input.nextToken) : 0;
        const size = input.maxResults ?? 100;
        const page = all.slice(start, start + size).map(describe);
        return start + size < all.length ? { repositories: page, nextToken: String(start + size) } : { repositories: page };
      }
      case 'ListTagsForResource':
        return { tags: Object.entries(this.get(nameOfArn(input.resourceArn)).tags).map(([Key, Value]) => ({ Key, Value })) };
      case 'GetLifecyclePolicy': {
        const repo = this.get(input.repositoryName);
        if (repo.lifecyclePolicyText === undefined)
          throw new FakeEcrError('LifecyclePolicyNotFoundException', 'Lifecycle policy does not exist for the repository');
        return {
          registryId: ACCOUNT,
          repositoryName: repo.name,
          lifecyclePolicyText: repo.lifecyclePolicyText,
          lastEvaluatedAt: 1700000000,
        };
      }
      case 'GetRepositoryPolicy': {
        const repo = this.get(input.repositoryName);
        if (repo.policyText === undefined)
          throw new FakeEcrError('RepositoryPolicyNotFoundException', 'Repository policy does not exist for the repository');
        return { registryId: ACCOUNT, repositoryName: repo.name, policyText: repo.policyText };
      }
      case 'PutLifecyclePolicy': {
        const repo = this.get(input.repositoryName);
        repo.lifecyclePolicyText = input.lifecyclePolicyText;
        return { registryId: ACCOUNT, repositoryName: repo.name, lifecyclePolicyText: repo.lifecyclePolicyText };
      }
      case 'SetRepositoryPolicy': {
        const repo = this.get(input.repositoryName);
        // The API reference's constraint on policyText (maximum length 10240); the error name and wording are ours (invented).
        if ([...String(input.policyText)].length > 10_240) {
          throw new FakeEcrError(
            'InvalidParameterException',
            "Invalid parameter at 'policyText' failed to satisfy constraint: 'Member must have length less than or equal to 10240'",
          );
        }
        repo.policyText = input.policyText;
        return { registryId: ACCOUNT, repositoryName: repo.name, policyText: repo.policyText };
      }
      case 'DeleteRepositoryPolicy': {
        const repo = this.get(input.repositoryName);
        if (repo.policyText === undefined)
          throw new FakeEcrError('RepositoryPolicyNotFoundException', 'Repository policy does not exist for the repository');
        const policyText = repo.policyText;
        delete repo.policyText;
        return { registryId: ACCOUNT, repositoryName: repo.name, policyText };
      }
      case 'PutImageScanningConfiguration': {
        const repo = this.get(input.repositoryName);
        repo.scanOnPush = input.imageScanningConfiguration.scanOnPush;
        return { registryId: ACCOUNT, repositoryName: repo.name, imageScanningConfiguration: { scanOnPush: repo.scanOnPush } };
      }
      case 'PutImageTagMutability': {
        const repo = this.get(input.repositoryName);
        repo.imageTagMutability = input.imageTagMutability;
        repo.imageTagMutabilityExclusionFilters = input.imageTagMutabilityExclusionFilters;
        return {
          registryId: ACCOUNT,
          repositoryName: repo.name,
          imageTagMutability: repo.imageTagMutability,
          imageTagMutabilityExclusionFilters: repo.imageTagMutabilityExclusionFilters,
        };
      }
      case 'TagResource': {
        const repo = this.get(nameOfArn(input.resourceArn));
        for (const t of input.tags as { Key: string; Value: string }[]) repo.tags[t.Key] = t.Value;
        if (Object.keys(repo.tags).length > 50)
          throw new FakeEcrError('TooManyTagsException', 'The list of tags on the repository is over the limit.');
        return {};
      }
      case 'UntagResource': {
        const repo = this.get(nameOfArn(input.resourceArn));
        for (const key of input.tagKeys as string[]) delete repo.tags[key];
        return {};
      }
      default:
        throw new FakeEcrError('UnknownOperationException', `the fake registry does not implement ${operation}`);
    }
  }
}

const SDK_ERRORS: Record<string, new (opts: { message: string; $metadata: object }) => Error> = {
  RepositoryNotFoundException,
  LifecyclePolicyNotFoundException,
  RepositoryPolicyNotFoundException,
  InvalidParameterException,
};

/** Serves the registry through an aws-sdk-client-mock stub, raising the SDK's own exception classes. */
export function installEcrMock(mock: AwsStub<any, any, ECRClient['config']>, registry: FakeRegistry): void {
  const commands = {
    DescribeRepositories: DescribeRepositoriesCommand,
    ListTagsForResource: ListTagsForResourceCommand,
    GetLifecyclePolicy: GetLifecyclePolicyCommand,
    GetRepositoryPolicy: GetRepositoryPolicyCommand,
    PutLifecyclePolicy: PutLifecyclePolicyCommand,
    SetRepositoryPolicy: SetRepositoryPolicyCommand,
    DeleteRepositoryPolicy: DeleteRepositoryPolicyCommand,
    PutImageScanningConfiguration: PutImageScanningConfigurationCommand,
    PutImageTagMutability: PutImageTagMutabilityCommand,
    TagResource: TagResourceCommand,
    UntagResource: UntagResourceCommand,
  } as const;
  for (const [operation, command] of Object.entries(commands)) {
    // typescript-eslint reads the cast as unneeded, but tsc cannot pick one of AwsStub.on's
    // overloads for a union of command classes without it.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    mock.on(command as any).callsFake(async (input: Record<string, any>) => {
      try {
        return registry.handle(operation, input);
      } catch (err) {
        if (err instanceof FakeEcrError && SDK_ERRORS[err.code])
          throw new SDK_ERRORS[err.code]!({ message: err.message, $metadata: { httpStatusCode: 400 } });
        throw err;
      }
    });
  }
}

/**
 * The usual set-up before each reconciler test: both mocks reset, ECR served by a new empty
 * registry, and EventBridge accepting every PutEvents with `eventId`. Returns the new registry.
 */
export function freshFakeEcr(
  ecrMock: AwsStub<any, any, ECRClient['config']>,
  eventsMock: AwsStub<any, any, EventBridgeClient['config']>,
  eventId = 'e-1',
): FakeRegistry {
  ecrMock.reset();
  eventsMock.reset();
  const registry = new FakeRegistry();
  installEcrMock(ecrMock, registry);
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: eventId }] });
  return registry;
}
