/**
 * Named errors of the rule validation Lambda. Messages name the rule at fault. The settings
 * variable's error, `ValidationSettingsError`, lives with its contract in core/lambda-contracts/errors.ts.
 */
import { PtcError } from '../../core/errors';

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
