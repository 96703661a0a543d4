/**
 * Named errors of the prewarm Lambda. Messages name the variable or field at fault.
 */
import { PtcError } from '../../core/errors';

/** The Lambda's environment does not carry usable prewarm settings. */
export class PrewarmSettingsError extends PtcError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    reason: string,
  ) {
    super(`environment variable ${variable}: ${reason}`);
  }
}

/** An on-demand invocation whose payload is not `{}` or `{"images": ["ref", ...]}`. */
export class PrewarmRequestError extends PtcError {}

/** GetAuthorizationToken answered without a usable token. */
export class AuthorizationTokenError extends PtcError {}
