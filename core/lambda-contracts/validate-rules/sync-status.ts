/**
 * The `sync-status` of ECR's "ECR Pull Through Cache Action" event that means success, in a module
 * of its own so the CDK construct that matches failures (and the package's type declarations) can
 * name it without the Lambda's Powertools-typed telemetry.
 */

/** The one `sync-status` AWS documents; every other value is a failed sync. */
export const SYNC_SUCCESS = 'SUCCESS';
