/**
 * Named errors of the prewarm Lambda. Messages name the field at fault. The settings variable's
 * error, `PrewarmSettingsError`, lives with its contract in core/lambda-contracts/errors.ts.
 */
import { PtcError } from '../../core/errors';

/** An on-demand invocation whose payload is not `{}` or `{"images": ["ref", ...]}`. */
export class PrewarmRequestError extends PtcError {}

/** GetAuthorizationToken answered without a usable token. */
export class AuthorizationTokenError extends PtcError {}
