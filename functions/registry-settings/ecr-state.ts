/**
 * Reads the registry's current settings and converts the SDK's shapes (where every member may be
 * undefined) into the plain shapes the merge works on, and back.
 */
import {
  DeleteRegistryPolicyCommand,
  DescribeRegistryCommand,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  PutRegistryPolicyCommand,
  PutRegistryScanningConfigurationCommand,
  PutReplicationConfigurationCommand,
  RegistryPolicyNotFoundException,
  type ECRClient,
  type ScanFrequency,
  type ScanType,
} from '@aws-sdk/client-ecr';
import type { ReplicationConfiguration, ScanningConfiguration } from '../../core/registry-settings/functions';

/** The registry's replication configuration (empty when none was ever set). */
export async function readReplication(ecr: ECRClient): Promise<ReplicationConfiguration> {
  const out = await ecr.send(new DescribeRegistryCommand({}));
  return {
    rules: (out.replicationConfiguration?.rules ?? []).map((rule) => ({
      destinations: (rule.destinations ?? []).map((d) => ({ region: d.region ?? '', registryId: d.registryId ?? '' })),
      ...(rule.repositoryFilters !== undefined
        ? { repositoryFilters: rule.repositoryFilters.map((f) => ({ filter: f.filter ?? '', filterType: f.filterType ?? '' })) }
        : {}),
    })),
  };
}

/** Writes a whole replication configuration. */
export async function writeReplication(ecr: ECRClient, configuration: ReplicationConfiguration): Promise<void> {
  await ecr.send(
    new PutReplicationConfigurationCommand({
      replicationConfiguration: {
        rules: configuration.rules.map((rule) => ({
          destinations: rule.destinations.map((d) => ({ region: d.region, registryId: d.registryId })),
          ...(rule.repositoryFilters !== undefined
            ? { repositoryFilters: rule.repositoryFilters.map((f) => ({ filter: f.filter, filterType: f.filterType as 'PREFIX_MATCH' })) }
            : {}),
        })),
      },
    }),
  );
}

/** The registry's scanning configuration (`BASIC` with no rules when none was ever set). */
export async function readScanning(ecr: ECRClient): Promise<ScanningConfiguration> {
  const out = await ecr.send(new GetRegistryScanningConfigurationCommand({}));
  const config = out.scanningConfiguration;
  return {
    scanType: config?.scanType ?? 'BASIC',
    rules: (config?.rules ?? []).map((r) => ({
      scanFrequency: r.scanFrequency ?? 'MANUAL',
      repositoryFilters: (r.repositoryFilters ?? []).map((f) => ({ filter: f.filter ?? '', filterType: f.filterType ?? '' })),
    })),
  };
}

/** Writes a whole scanning configuration. */
export async function writeScanning(ecr: ECRClient, configuration: ScanningConfiguration): Promise<void> {
  await ecr.send(
    new PutRegistryScanningConfigurationCommand({
      scanType: configuration.scanType as ScanType,
      rules: configuration.rules.map((r) => ({
        scanFrequency: r.scanFrequency as ScanFrequency,
        repositoryFilters: r.repositoryFilters.map((f) => ({ filter: f.filter, filterType: f.filterType as 'WILDCARD' })),
      })),
    }),
  );
}

/** The registry permissions policy text, or undefined when the registry has none. */
export async function readRegistryPolicy(ecr: ECRClient): Promise<string | undefined> {
  try {
    const out = await ecr.send(new GetRegistryPolicyCommand({}));
    return out.policyText;
  } catch (err) {
    // The one expected failure: no policy yet. Anything else is a real failure and propagates.
    if (err instanceof RegistryPolicyNotFoundException) return undefined;
    throw err;
  }
}

/** Writes the registry permissions policy, or deletes it when `policyText` is undefined. */
export async function writeRegistryPolicy(ecr: ECRClient, policyText: string | undefined): Promise<void> {
  if (policyText === undefined) await ecr.send(new DeleteRegistryPolicyCommand({}));
  else await ecr.send(new PutRegistryPolicyCommand({ policyText }));
}
