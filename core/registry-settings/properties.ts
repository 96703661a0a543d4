/**
 * The contract between the `RegistrySettings` construct and the `registry-settings` Lambda: the
 * custom resource properties of each kind, built from intents at synth time and parsed (never
 * trusted) by the Lambda. CloudFormation passes every leaf as a string, so every leaf here is one.
 */
import { z } from 'zod';
import { formatPath } from '../config/parse';
import { PtcError } from '../errors';
import type { Target } from '../environments';
import type { RegistryPolicyIntent } from './registry-policy';
import type { ReplicationIntent } from './replication';
import type { ScanningIntent } from './scanning';

const account = z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit account ID' });
const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be a region such as "eu-west-2"' });
const prefix = z.string().min(2).max(30);
const base = { ServiceToken: z.string().optional(), RegistryId: account, Region: regionName };

const replicationProps = z.object({
  ...base,
  Kind: z.literal('Replication'),
  Rules: z.array(
    z.object({
      Prefixes: z.array(prefix).min(1),
      Destinations: z.array(z.object({ Region: regionName, RegistryId: account })).min(1),
    }),
  ),
});

const scanningProps = z.object({
  ...base,
  Kind: z.literal('Scanning'),
  Prefixes: z.array(prefix),
  ScanType: z.enum(['BASIC', 'ENHANCED']),
  ScanFrequency: z.enum(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL']),
});

const registryPolicyProps = z.object({
  ...base,
  Kind: z.literal('RegistryPolicy'),
  Partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']),
  SourceAccounts: z.array(account),
  RepositoryArns: z.array(z.string().regex(/^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/.+$/, { error: 'must be an ECR repository ARN' })),
});

const properties = z.discriminatedUnion('Kind', [replicationProps, scanningProps, registryPolicyProps], {
  error: 'Kind must be "Replication", "Scanning" or "RegistryPolicy"',
});

/** Properties of the replication custom resource. */
export type ReplicationProperties = z.output<typeof replicationProps>;
/** Properties of the scanning custom resource. */
export type ScanningProperties = z.output<typeof scanningProps>;
/** Properties of the registry policy custom resource. */
export type RegistryPolicyProperties = z.output<typeof registryPolicyProps>;
/** Properties of any registry settings custom resource. */
export type RegistrySettingsProperties = z.output<typeof properties>;

/** Custom resource properties the Lambda cannot use; the message names the property. */
export class InvalidResourcePropertiesError extends PtcError {}

/**
 * Parses `ResourceProperties` or `OldResourceProperties` of an event.
 * @throws InvalidResourcePropertiesError naming the first bad property, such as `OldResourceProperties.Rules[0].Prefixes`.
 */
export function parseResourceProperties(input: unknown, field = 'ResourceProperties'): RegistrySettingsProperties {
  const result = properties.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = formatPath(issue.path);
  throw new InvalidResourcePropertiesError(`custom resource property ${field}${path === '' ? '' : path.startsWith('[') ? path : `.${path}`}: ${issue.message}`);
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
  return { Kind: 'Scanning', RegistryId: target.account, Region: target.region, Prefixes: [...intent.prefixes], ScanType: intent.scanType, ScanFrequency: intent.frequency };
}

/** Properties for the registry policy custom resource of a target. */
export function registryPolicyProperties(intent: RegistryPolicyIntent, target: Pick<Target, 'account' | 'region' | 'partition'>): RegistryPolicyProperties {
  return {
    Kind: 'RegistryPolicy',
    RegistryId: target.account,
    Region: target.region,
    Partition: target.partition as RegistryPolicyProperties['Partition'],
    SourceAccounts: [...intent.sourceAccounts],
    RepositoryArns: [...intent.repositoryArns],
  };
}

/** The replication intent carried by replication properties. */
export function replicationIntentOf(props: ReplicationProperties): ReplicationIntent {
  return {
    rules: props.Rules.map((r) => ({ prefixes: r.Prefixes, destinations: r.Destinations.map((d) => ({ region: d.Region, registryId: d.RegistryId })) })),
  };
}

/** The scanning intent carried by scanning properties. */
export function scanningIntentOf(props: ScanningProperties): ScanningIntent {
  return { prefixes: props.Prefixes, scanType: props.ScanType, frequency: props.ScanFrequency };
}

/** The registry policy intent carried by registry policy properties. */
export function registryPolicyIntentOf(props: RegistryPolicyProperties): RegistryPolicyIntent {
  return { sourceAccounts: props.SourceAccounts, repositoryArns: props.RepositoryArns, partition: props.Partition };
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
