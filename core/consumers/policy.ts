/**
 * The identity policy a consumer account's node roles get: pull and first pull on the hub's cache
 * repositories under the managed prefixes, pull on its copy repositories, and an authorization token.
 *
 * A cross-account first pull needs both sides: this identity policy in the consumer account, and
 * the hub's registry policy (`ecr:CreateRepository`, `ecr:BatchImportUpstreamImage`) and
 * repository policy (the pull actions) naming the consumer (ECR user guide, "IAM permissions
 * required to sync an upstream registry with an Amazon ECR private registry",
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
 * `ecr:GetAuthorizationToken` has no resource-level permission (Service Authorization Reference),
 * so it is the one statement on `*`; the token it returns is for the Region the node asks
 * (the hub's), and works for every registry there the node's role may pull from.
 */
import { prefixRepositoryArn } from '../environments';
import type { RegistryLocation } from '../policy/node-policy';

/** What a consumer's node needs to create a cache repository and import an upstream image into it. */
export const CONSUMER_FIRST_PULL_ACTIONS = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'] as const;

/** What a consumer's node needs to pull an image that is cached. */
export const CONSUMER_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

/** One statement of the consumer node policy. */
export interface ConsumerPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string | string[];
}

/** An IAM policy document. */
export interface ConsumerPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ConsumerPolicyStatement[];
}

/** The hub repository ARNs a consumer may pull from: `repository/<prefix>/*` of every managed prefix. */
export function hubRepositoryArns(hub: RegistryLocation, prefixes: readonly string[]): string[] {
  return prefixes.map((p) => prefixRepositoryArn(hub, p));
}

/**
 * The consumer node policy document: first pull and pull under the rules' prefixes, pull only
 * under the `copies` prefixes (`PtcAutopilotHubCopiedPull`, absent without copies).
 * @example
 * consumerNodePolicyDocument({ partition: 'aws', region: 'eu-west-2', account: '111122223333' }, ['docker-hub'])
 *   .Statement[0].Resource // ['arn:aws:ecr:eu-west-2:111122223333:repository/docker-hub/*']
 */
export function consumerNodePolicyDocument(
  hub: RegistryLocation,
  prefixes: readonly string[],
  copyPrefixes: readonly string[] = [],
): ConsumerPolicyDocument {
  const resources = hubRepositoryArns(hub, prefixes);
  // Copy repositories (`copies`, docs/copy.md) are pushed by the hub's copy: consumers pull them, never create or import.
  const copied = hubRepositoryArns(hub, copyPrefixes);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'PtcAutopilotHubFirstPull', Effect: 'Allow', Action: [...CONSUMER_FIRST_PULL_ACTIONS], Resource: resources },
      { Sid: 'PtcAutopilotHubPull', Effect: 'Allow', Action: [...CONSUMER_PULL_ACTIONS], Resource: resources },
      ...(copied.length > 0
        ? [{ Sid: 'PtcAutopilotHubCopiedPull', Effect: 'Allow' as const, Action: [...CONSUMER_PULL_ACTIONS], Resource: copied }]
        : []),
      { Sid: 'PtcAutopilotRegistryAuthToken', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
    ],
  };
}
