/**
 * Named errors of the registry settings merge. Both are "bad input" for a deploy: CloudFormation
 * shows the message as the reason the custom resource failed, so each one says what to change.
 */
import { PtcError } from '../errors';

/**
 * The merged registry configuration would break one of ECR's documented limits (rules per
 * configuration, destinations, filters per rule). Nothing was written.
 */
export class RegistryLimitError extends PtcError {
  /** The config field the limit applies to, such as `replication.destinations`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/**
 * The registry already holds a setting shaped like one ptc-autopilot manages but different from
 * the one it wants, or a registry-wide setting that other rules depend on. ptc-autopilot does not
 * overwrite what it cannot prove it created; nothing was written.
 */
export class RegistryConflictError extends PtcError {
  /** The config field whose desired value conflicts, such as `scanning.type`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}
