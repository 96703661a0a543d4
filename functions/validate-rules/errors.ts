/**
 * Named errors of the rule validation Lambda. Messages name the variable or rule at fault.
 */
import { PtcError } from '../../core/errors';

/** The Lambda's environment does not carry usable rules. */
export class ValidationSettingsError extends PtcError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    reason: string,
  ) {
    super(`environment variable ${variable}: ${reason}`);
  }
}

/**
 * Some rules could not be checked for a passing reason (throttling, an AWS service error) or a
 * failure event could not be put. Thrown after every other rule was checked and reported, so
 * Lambda retries the invocation.
 */
export class ValidationIncompleteError extends PtcError {
  constructor(readonly problems: readonly string[]) {
    super(`rule validation incomplete: ${problems.join('; ')}`);
  }
}
