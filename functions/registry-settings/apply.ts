/**
 * The three registry settings a custom resource can manage, each as read, merge, write-if-changed.
 * Business functions: they take the ECR client and parsed properties, and hold no state.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import {
  mergeRegistryPolicy,
  mergeReplication,
  mergeScanning,
  registryPolicyIntentOf,
  replicationIntentOf,
  scanningIntentOf,
  type MergeAction,
  type RegistryPolicyProperties,
  type ReplicationProperties,
  type ScanningProperties,
} from '../../core/registry-settings/functions';
import { readRegistryPolicy, readReplication, readScanning, writeRegistryPolicy, writeReplication, writeScanning } from './ecr-state';

/** What an apply did, for logs and the custom resource's `Data`. */
export interface ApplyOutcome {
  /** Whether ECR was written to. */
  readonly changed: boolean;
  /** Rules (replication), filters (scanning) or statements (policy) of ptc-autopilot after the change. */
  readonly ours: number;
  /** The same count for everything ptc-autopilot does not own, all kept. */
  readonly foreign: number;
  /** Scanning only: the registry's scan type before this change. */
  readonly scanTypeBefore?: string;
}

/** Adds, updates or removes ptc-autopilot's replication rules, keeping every other rule. */
export async function applyReplication(
  ecr: ECRClient,
  action: MergeAction,
  props: ReplicationProperties,
  old?: ReplicationProperties,
): Promise<ApplyOutcome> {
  const current = await readReplication(ecr);
  const merge = mergeReplication(current, {
    action,
    intent: replicationIntentOf(props),
    ...(old !== undefined ? { previous: replicationIntentOf(old) } : {}),
  });
  if (merge.changed) await writeReplication(ecr, merge.next);
  return { changed: merge.changed, ours: merge.ours, foreign: merge.foreign };
}

/** Adds, updates or removes ptc-autopilot's scanning filters, keeping every other filter. */
export async function applyScanning(
  ecr: ECRClient,
  action: MergeAction,
  props: ScanningProperties,
  options: { old?: ScanningProperties; originalScanType?: string } = {},
): Promise<ApplyOutcome> {
  const current = await readScanning(ecr);
  const merge = mergeScanning(current, {
    action,
    intent: scanningIntentOf(props),
    ...(options.old !== undefined ? { previous: scanningIntentOf(options.old) } : {}),
    ...(options.originalScanType !== undefined ? { originalScanType: options.originalScanType } : {}),
  });
  if (merge.changed) await writeScanning(ecr, merge.next);
  return { changed: merge.changed, ours: merge.ours, foreign: merge.foreign, scanTypeBefore: current.scanType };
}

/** Adds, updates or removes ptc-autopilot's registry policy statements (replication, first pull), keeping every other statement. */
export async function applyRegistryPolicy(ecr: ECRClient, action: MergeAction, props: RegistryPolicyProperties): Promise<ApplyOutcome> {
  const current = await readRegistryPolicy(ecr);
  const merge = mergeRegistryPolicy(current, { action, intent: registryPolicyIntentOf(props) });
  if (merge.changed) await writeRegistryPolicy(ecr, merge.policyText);
  return { changed: merge.changed, ours: merge.ours, foreign: merge.foreign };
}
