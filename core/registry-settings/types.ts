/**
 * The shapes of ECR's registry-wide settings as the API returns them, reduced to what the merge
 * needs. The Lambda converts SDK output into these at its edge; everything else is plain data.
 */

/** A replication repository filter (`PREFIX_MATCH` is the only documented type). */
export interface ReplicationFilter {
  readonly filter: string;
  readonly filterType: string;
}

/** A replication destination: a region and the registry (account) in it. */
export interface ReplicationDestination {
  readonly region: string;
  readonly registryId: string;
}

/** One registry replication rule. */
export interface ReplicationRule {
  readonly destinations: readonly ReplicationDestination[];
  readonly repositoryFilters?: readonly ReplicationFilter[];
}

/** The registry's replication configuration (`DescribeRegistry`). */
export interface ReplicationConfiguration {
  readonly rules: readonly ReplicationRule[];
}

/** A scanning repository filter (`WILDCARD` is the only documented type). */
export interface ScanningFilter {
  readonly filter: string;
  readonly filterType: string;
}

/** One registry scanning rule. */
export interface ScanningRule {
  readonly scanFrequency: string;
  readonly repositoryFilters: readonly ScanningFilter[];
}

/** The registry's scanning configuration (`GetRegistryScanningConfiguration`). */
export interface ScanningConfiguration {
  readonly scanType: string;
  readonly rules: readonly ScanningRule[];
}

/** Which lifecycle event of the custom resource a merge serves. */
export type MergeAction = 'Create' | 'Update' | 'Delete';

/** The outcome of a merge: what to write, and whether it differs from what is there. */
export interface MergeResult<T> {
  /** The whole configuration to write back. */
  readonly next: T;
  /** False when `next` equals the current configuration: nothing needs writing. */
  readonly changed: boolean;
  /** How many rules (replication) or filters (scanning) of `next` are ptc-autopilot's. */
  readonly ours: number;
  /** How many rules (replication) or filters (scanning) of `next` belong to someone else. */
  readonly foreign: number;
}
