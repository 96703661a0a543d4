/**
 * Named errors of the repository reconciler. Each message names the field or value at fault, so
 * the Lambda log and the `ptc` CLI can show it without a stack trace. The settings variable's error,
 * `ReconcilerSettingsError`, lives with its contract in core/lambda-contracts/errors.ts.
 */
import { PtcError } from '../../core/errors';
import { quote, truncate } from '../../core/quote';

/** A repository name that ECR would reject, from an event, an invocation or the command line. */
export class InvalidRepositoryNameError extends PtcError {
  constructor(
    /** The name as given. */
    readonly repositoryName: string,
    /** Where it came from, such as `detail.repository-name`. */
    readonly field: string,
  ) {
    super(`${field}: ${quote(repositoryName)} is not an ECR repository name (2-256 lowercase letters, digits, ".", "_", "-" and "/")`);
  }
}

/** EventBridge refused the "Cache Repository Configured" or sweep continuation event. */
export class EventNotPublishedError extends PtcError {
  constructor(
    /** The detail-type of the event. */
    readonly detailType: string,
    reason: string,
  ) {
    super(`could not put the "${detailType}" event: ${truncate(reason, 500)}`);
  }
}

/** A sweep ended with repositories it could not reconcile; thrown so Lambda retries it and the DLQ alarm fires if it keeps failing. */
export class SweepIncompleteError extends PtcError {
  constructor(
    /** How many repositories failed. */
    readonly failedCount: number,
    /** Some of their names. */
    readonly repositoryNames: readonly string[],
  ) {
    super(
      `sweep could not reconcile ${failedCount} repositories (${repositoryNames.slice(0, 5).join(', ')}${failedCount > 5 ? ', ...' : ''}); see the log`,
    );
  }
}

/**
 * A repository got every setting but some: thrown after the others were applied, so that Lambda
 * retries the event (which finds the rest compliant) and the DLQ alarm fires if it stays refused.
 */
export class SettingsRefusedError extends PtcError {
  constructor(
    readonly repositoryName: string,
    /** Each refused setting and why. */
    readonly refused: readonly { readonly setting: string; readonly reason: string }[],
  ) {
    super(
      `${truncate(repositoryName, 256)}: ${refused.map((r) => `${r.setting} not applied (${r.reason})`).join('; ')}; the other settings were applied`,
    );
  }
}

/**
 * The repository policy kept changing under us (another writer) for every round of a guarded
 * write. Transient: the event's retry or the sweep's next round tries again from a fresh read.
 */
export class RepositoryPolicyContendedError extends PtcError {
  constructor(
    readonly repositoryName: string,
    /** Rounds tried. */
    readonly rounds: number,
  ) {
    super(
      `${truncate(repositoryName, 256)}: the repository policy changed under every one of ${rounds} guarded writes (another writer); retried later`,
    );
  }
}

const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Whether ECR accepts a repository name (its documented pattern and 2 to 256 characters). */
export function isRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME.test(name);
}

/** Returns the name when ECR accepts it; throws `InvalidRepositoryNameError` naming `field` otherwise. */
export function checkRepositoryName(name: string, field: string): string {
  if (!isRepositoryName(name)) throw new InvalidRepositoryNameError(name, field);
  return name;
}

// Moved to core/aws-errors.ts, where engines/ can reach them too; re-exported for the reconciler's modules.
export { errorName, isTransientError } from '../../core/aws-errors';
