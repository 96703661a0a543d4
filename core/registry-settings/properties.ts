/**
 * The contract between the `RegistrySettings` construct and the `registry-settings` Lambda: the
 * custom resource properties of each kind, built from intents at synth time and parsed (never
 * trusted) by the Lambda. CloudFormation passes every leaf as a string, so every leaf here is one.
 */
import * as z from 'zod/mini';
import { formatPath } from '../config/format-path';
import { PtcError } from '../errors';
import type { Target } from '../environments';
import { organizationalUnitPathProblem } from '../config/organizational-unit-path';
import { payloadIssueMessage } from '../payload-messages';
import type { FirstPullGroup, FirstPullIntent, RegistryPolicyIntent } from './registry-policy';
import type { ReplicationIntent } from './replication';
import type { ScanningIntent } from './scanning';

const matching = (pattern: RegExp, error: string) => z.string().check(z.regex(pattern, { error }));
const account = matching(/^\d{12}$/, 'must be a 12-digit account ID');
const regionName = matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region such as "eu-west-2"');
const prefix = z.string().check(z.minLength(2), z.maxLength(30));
const base = { ServiceToken: z.optional(z.string()), RegistryId: account, Region: regionName };
const repositoryArn = matching(/^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/.+$/, 'must be an ECR repository ARN');
const nonEmpty = <T extends z.ZodMiniType>(item: T) => z.array(item).check(z.minLength(1));

// Unknown keys are dropped (z.object), so properties a newer construct adds do not break an older Lambda.
const replicationProps = z.object({
  ...base,
  Kind: z.literal('Replication'),
  Rules: z.array(z.object({ Prefixes: nonEmpty(prefix), Destinations: nonEmpty(z.object({ Region: regionName, RegistryId: account })) })),
});

const scanningProps = z.object({
  ...base,
  Kind: z.literal('Scanning'),
  Prefixes: z.array(prefix),
  ScanType: z.enum(['BASIC', 'ENHANCED']),
  ScanFrequency: z.enum(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL']),
});

const group = <T extends z.ZodMiniType<string>>(principal: T) =>
  z.array(z.object({ Principals: nonEmpty(principal), RepositoryArns: nonEmpty(repositoryArn) }));
const organization = matching(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations ID such as "o-a1b2c3d4e5"');
const organizationalUnitPath = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = organizationalUnitPathProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

const registryPolicyProps = z.object({
  ...base,
  Kind: z.literal('RegistryPolicy'),
  Partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']),
  SourceAccounts: z.array(account),
  RepositoryArns: z.array(repositoryArn),
  // Absent in the properties of versions before first-pull grants (old properties of an Update).
  FirstPull: z.optional(
    z.object({ Accounts: group(account), Organizations: group(organization), OrganizationalUnitPaths: group(organizationalUnitPath) }),
  ),
});

/** Properties of the replication custom resource. */
export type ReplicationProperties = z.output<typeof replicationProps>;
/** Properties of the scanning custom resource. */
export type ScanningProperties = z.output<typeof scanningProps>;
/** Properties of the registry policy custom resource. */
export type RegistryPolicyProperties = z.output<typeof registryPolicyProps>;
/** Properties of any registry settings custom resource. */
export type RegistrySettingsProperties = ReplicationProperties | ScanningProperties | RegistryPolicyProperties;

/** Custom resource properties the Lambda cannot use; the message names the property. */
export class InvalidResourcePropertiesError extends PtcError {}

const BY_KIND: Record<string, z.ZodMiniType<RegistrySettingsProperties>> = {
  Replication: replicationProps,
  Scanning: scanningProps,
  RegistryPolicy: registryPolicyProps,
};

/**
 * Parses `ResourceProperties` or `OldResourceProperties` of an event.
 * @throws InvalidResourcePropertiesError naming the first bad property, such as `OldResourceProperties.Rules[0].Prefixes`.
 */
export function parseResourceProperties(input: unknown, field = 'ResourceProperties'): RegistrySettingsProperties {
  const problem = (path: readonly PropertyKey[], message: string) => {
    const at = formatPath(path);
    return new InvalidResourcePropertiesError(
      `custom resource property ${field}${at === '' ? '' : at.startsWith('[') ? at : `.${at}`}: ${message}`,
    );
  };
  const kindMessage = 'Kind must be "Replication", "Scanning" or "RegistryPolicy"';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw problem([], kindMessage);
  const kind = (input as { Kind?: unknown }).Kind;
  const check = typeof kind === 'string' && Object.hasOwn(BY_KIND, kind) ? BY_KIND[kind]! : undefined;
  if (check === undefined) throw problem(['Kind'], kindMessage);
  const result = check.safeParse(input, { error: payloadIssueMessage });
  if (!result.success) {
    const first = result.error.issues[0]!;
    throw problem(first.path, first.message);
  }
  return result.data;
}

type Registry = Pick<Target, 'account' | 'region'>;

/** Properties for the replication custom resource of a target. */
export function replicationProperties(intent: ReplicationIntent, target: Registry): ReplicationProperties {
  return {
    Kind: 'Replication',
    RegistryId: target.account,
    Region: target.region,
    Rules: intent.rules.map((r) => ({
      Prefixes: [...r.prefixes],
      Destinations: r.destinations.map((d) => ({ Region: d.region, RegistryId: d.registryId })),
    })),
  };
}

/** Properties for the scanning custom resource of a target. */
export function scanningProperties(intent: ScanningIntent, target: Registry): ScanningProperties {
  return {
    Kind: 'Scanning',
    RegistryId: target.account,
    Region: target.region,
    Prefixes: [...intent.prefixes],
    ScanType: intent.scanType,
    ScanFrequency: intent.frequency,
  };
}

/** Properties for the registry policy custom resource of a target. */
export function registryPolicyProperties(
  intent: RegistryPolicyIntent,
  target: Pick<Target, 'account' | 'region' | 'partition'>,
): RegistryPolicyProperties {
  return {
    Kind: 'RegistryPolicy',
    RegistryId: target.account,
    Region: target.region,
    Partition: target.partition as RegistryPolicyProperties['Partition'],
    SourceAccounts: [...intent.sourceAccounts],
    RepositoryArns: [...intent.repositoryArns],
    ...(intent.firstPull !== undefined ? { FirstPull: firstPullProperties(intent.firstPull) } : {}),
  };
}

const groupProperties = (groups: readonly FirstPullGroup[]) =>
  groups.map((g) => ({ Principals: [...g.principals], RepositoryArns: [...g.repositoryArns] }));
const groupIntent = (groups: readonly { Principals: string[]; RepositoryArns: string[] }[]): FirstPullGroup[] =>
  groups.map((g) => ({ principals: g.Principals, repositoryArns: g.RepositoryArns }));

function firstPullProperties(intent: FirstPullIntent): NonNullable<RegistryPolicyProperties['FirstPull']> {
  return {
    Accounts: groupProperties(intent.accounts),
    Organizations: groupProperties(intent.organizations),
    OrganizationalUnitPaths: groupProperties(intent.organizationalUnitPaths),
  };
}

/** The replication intent carried by replication properties. */
export function replicationIntentOf(props: ReplicationProperties): ReplicationIntent {
  return {
    rules: props.Rules.map((r) => ({
      prefixes: r.Prefixes,
      destinations: r.Destinations.map((d) => ({ region: d.Region, registryId: d.RegistryId })),
    })),
  };
}

/** The scanning intent carried by scanning properties. */
export function scanningIntentOf(props: ScanningProperties): ScanningIntent {
  return { prefixes: props.Prefixes, scanType: props.ScanType, frequency: props.ScanFrequency };
}

/** The registry policy intent carried by registry policy properties. */
export function registryPolicyIntentOf(props: RegistryPolicyProperties): RegistryPolicyIntent {
  const first = props.FirstPull;
  return {
    sourceAccounts: props.SourceAccounts,
    repositoryArns: props.RepositoryArns,
    partition: props.Partition,
    ...(first !== undefined
      ? {
          firstPull: {
            accounts: groupIntent(first.Accounts),
            organizations: groupIntent(first.Organizations),
            organizationalUnitPaths: groupIntent(first.OrganizationalUnitPaths),
          },
        }
      : {}),
  };
}

/** Every physical resource id ptc-autopilot issues starts with this. */
export const PHYSICAL_ID_PREFIX = 'ptc-autopilot:';

/**
 * The physical resource id of a registry settings resource: one per kind and registry, stable for
 * the resource's life (CloudFormation deletes the old resource when an Update returns a new id).
 * The scanning id also records the scan type the registry had before we first wrote it.
 * @example
 * physicalResourceId(props, 'BASIC') // 'ptc-autopilot:scanning:111122223333:eu-west-2:original-scan-type=BASIC'
 */
export function physicalResourceId(props: RegistrySettingsProperties, originalScanType?: string): string {
  const id = `${PHYSICAL_ID_PREFIX}${props.Kind === 'RegistryPolicy' ? 'registry-policy' : props.Kind.toLowerCase()}:${props.RegistryId}:${props.Region}`;
  return originalScanType === undefined ? id : `${id}:original-scan-type=${originalScanType}`;
}

/** The original scan type recorded in a scanning physical resource id, if any. */
export function originalScanTypeOf(physicalId: string): string | undefined {
  return /:original-scan-type=(BASIC|ENHANCED)$/.exec(physicalId)?.[1];
}
