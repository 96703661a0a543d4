/**
 * Reconciles one repository: read, compare with the desired state from `core/policy`, write only
 * the difference, then tell the bus what changed. A compliant repository costs reads only.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { PtcConfig } from '../../core/config/schema';
import { desiredState, IGNORE_TAG_KEY, optedOut } from '../../core/policy/desired-state';
import type { ManagedScope } from '../../core/policy/managed-prefixes';
import { applyWrites, describeRepository, isRepositoryNotFound, readPolicies, readTags, type RepositoryListing } from './ecr-io';
import { errorName } from './errors';
import { planRepository, summarizeWrite, type RefusedSetting, type Write } from './plan';
import { publishConfigured } from './publish';
import type { Counters, ReconcilerLogger } from './telemetry';

/** Everything reconciling needs; the handler and the CLI build it once. */
export interface ReconcileDeps {
  readonly ecr: ECRClient;
  readonly events: EventBridgeClient;
  /** The rules, the `copies` prefixes and the repository settings: what decides each managed repository's desired state. */
  readonly config: Pick<PtcConfig, 'repositories'> & ManagedScope;
  /** The AWS partition, for the ARNs in repository policies. */
  readonly partition: string;
  readonly log: ReconcilerLogger;
  readonly metrics: Counters;
  /** Read and plan only: write nothing, publish nothing. @default false */
  readonly dryRun?: boolean;
}

/** How a reconcile ended. */
export type ReconcileStatus =
  /** Writes were applied. */
  | 'configured'
  /** Nothing to write. */
  | 'compliant'
  /** Dry run: `writes` would be applied. */
  | 'planned'
  /** The repository carries `ptc-autopilot:ignore=true`. */
  | 'ignored'
  /** Every write it needed was refused (see `refused`); nothing was applied. */
  | 'refused'
  /** The repository does not exist (any more). */
  | 'not-found'
  /** The repository is under no managed prefix. */
  | 'unmanaged';

/** The result of reconciling one repository. */
export interface ReconcileOutcome {
  readonly repositoryName: string;
  readonly prefix?: string;
  readonly status: ReconcileStatus;
  /** Applied (`configured`) or planned (`planned`) writes. */
  readonly writes: readonly Write[];
  /** Notes on settings someone else owns, kept as they are. */
  readonly kept: readonly string[];
  /** Settings that could not be applied (the others were); empty when all went through. */
  readonly refused: readonly RefusedSetting[];
}

const outcome = (
  repositoryName: string,
  status: ReconcileStatus,
  prefix?: string,
  writes: readonly Write[] = [],
  kept: readonly string[] = [],
  refused: readonly RefusedSetting[] = [],
): ReconcileOutcome => ({
  repositoryName,
  ...(prefix === undefined ? {} : { prefix }),
  status,
  writes,
  kept,
  refused,
});

/**
 * Reconciles one repository. `listing` skips DescribeRepositories when the sweep already has it.
 * RepositoryNotFoundException ends as `not-found`; any other error is thrown (after the SDK's own
 * retries) so that Lambda retries the event and the DLQ catches it.
 */
export async function reconcileRepository(
  deps: ReconcileDeps,
  repositoryName: string,
  listing?: RepositoryListing,
): Promise<ReconcileOutcome> {
  const { ecr, log, metrics } = deps;
  const desired = desiredState(deps.config, repositoryName, deps.partition);
  if (!desired.managed) {
    log.debug('repository is under no managed prefix', { repositoryName });
    return outcome(repositoryName, 'unmanaged');
  }
  const { prefix } = desired;
  try {
    const found = listing ?? (await describeRepository(ecr, repositoryName));
    if (found?.repositoryArn === undefined) {
      log.info('repository not found; nothing to do', { repositoryName, prefix });
      return outcome(repositoryName, 'not-found', prefix);
    }
    const tags = await readTags(ecr, found.repositoryArn);
    if (optedOut(tags)) {
      log.info(`repository opted out with ${IGNORE_TAG_KEY}=true; left alone`, { repositoryName, prefix });
      return outcome(repositoryName, 'ignored', prefix);
    }
    const state = await readPolicies(ecr, { ...found, repositoryName, repositoryArn: found.repositoryArn }, tags);
    const plan = planRepository(state, desired);
    if (plan.kept.length > 0) log.warn('kept settings ptc-autopilot does not own', { repositoryName, prefix, kept: plan.kept });
    if (plan.writes.length === 0 && plan.refused.length === 0) {
      metrics.count('ReposCompliant');
      log.debug('repository compliant', { repositoryName, prefix });
      return outcome(repositoryName, 'compliant', prefix, [], plan.kept);
    }
    if (deps.dryRun) return outcome(repositoryName, 'planned', prefix, plan.writes, plan.kept, plan.refused);

    const { applied, refused: refusedByEcr } = await applyWrites(ecr, state, plan.writes, {
      plannedFrom: state.repositoryPolicyText,
      owned: desired.repositoryPolicyStatements,
    });
    const refused = [...plan.refused, ...refusedByEcr];
    if (refused.length > 0) {
      metrics.count('SettingsRefused', refused.length);
      log.error('settings not applied; the others were', { repositoryName, prefix, refused });
    }
    if (applied.length === 0) return outcome(repositoryName, 'refused', prefix, [], plan.kept, refused);
    metrics.count('ReposConfigured');
    metrics.count('ChangesApplied', applied.length);
    const changes = applied.map(summarizeWrite);
    log.info('repository configured', { repository: repositoryName, repositoryName, prefix, changes });
    try {
      await publishConfigured(deps.events, state.repositoryArn, { repository: repositoryName, repositoryName, prefix, changes });
    } catch (err) {
      // The writes are done and a retry would find nothing to change, so it would not publish either.
      metrics.count('Failures');
      log.error('repository configured, but the event was not published', {
        repositoryName,
        prefix,
        error: errorName(err),
        reason: (err as Error).message,
      });
    }
    return outcome(repositoryName, 'configured', prefix, applied, plan.kept, refused);
  } catch (err) {
    if (isRepositoryNotFound(err)) {
      log.info('repository deleted while being reconciled; not retried', { repositoryName, prefix });
      return outcome(repositoryName, 'not-found', prefix);
    }
    throw err;
  }
}
