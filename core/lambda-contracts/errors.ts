/**
 * The named errors of the Lambdas' settings variables, beside the encoders and decoders that
 * throw them (core/lambda-contracts/<function>/settings.ts): the CDK app throws them at synth when
 * a payload does not fit, the Lambda at cold start when the variable is unusable. Each message
 * names the variable at fault.
 */
import { PtcError } from '../errors';
import { truncate } from '../quote';

/** The reconciler Lambda's environment does not carry a usable configuration. */
export class ReconcilerSettingsError extends PtcError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    reason: string,
  ) {
    super(`environment variable ${variable}: ${truncate(reason, 1000)}`);
  }
}

/** The prewarm Lambda's environment does not carry usable prewarm settings. */
export class PrewarmSettingsError extends PtcError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    reason: string,
  ) {
    super(`environment variable ${variable}: ${reason}`);
  }
}

/** The rule validation Lambda's environment does not carry usable rules. */
export class ValidationSettingsError extends PtcError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    reason: string,
  ) {
    super(`environment variable ${variable}: ${reason}`);
  }
}

/** The eviction Lambda's environment does not carry usable settings. */
export class EvictSettingsError extends PtcError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    reason: string,
  ) {
    super(`environment variable ${variable}: ${reason}`);
  }
}

/** The copy-images Lambda's environment does not carry usable settings. */
export class CopySettingsError extends PtcError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    reason: string,
  ) {
    super(`environment variable ${variable}: ${reason}`);
  }
}
