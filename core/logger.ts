/**
 * The logger that business code takes as an argument, as a shape only: the engines (engines/) and
 * the Lambdas' logic log through it; each Lambda handler wraps Powertools Logger into one
 * (functions/shared/runtime.ts, `powertoolsLog`), the CLI passes a silent one, tests a recorder.
 */

/** Structured keys of one log line (`repositoryName`, `prefix`, `upstream`, ...). Never a secret. */
export type LogAttributes = Record<string, unknown>;

/** The logger a function's or an engine's logic takes as an argument. */
export interface FunctionLogger {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}
