/**
 * Named error classes shared by the CDK app, the Lambdas and the `ptc` CLI.
 *
 * Every error that reaches a user names the field path or the reference that caused it,
 * so the CLI can print `message` alone, without a stack trace.
 */

/** Base class: an error whose message is fit to print to a user as is. */
export class PtcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem in a configuration file, located by its field path (`rules[1].upstream`). */
export interface ConfigIssue {
  /** Field path such as `rules[1].upstream`; empty for the document root. */
  readonly path: string;
  /** What is wrong, in plain words. */
  readonly message: string;
}

/**
 * The configuration file is invalid. `message` lists every issue as
 * `config error at <path>: <message>`, one per line.
 */
export class ConfigError extends PtcError {
  /** Every problem found, in document order. */
  readonly issues: readonly ConfigIssue[];
  /** The file the configuration came from, when it came from a file. */
  readonly file?: string;

  constructor(issues: readonly ConfigIssue[], file?: string) {
    super(issues.map(formatConfigIssue).join('\n'));
    this.issues = issues;
    this.file = file;
  }
}

/** Formats one issue the way users see it: `config error at rules[1].upstream: ...`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  return issue.path === '' ? `config error: ${issue.message}` : `config error at ${issue.path}: ${issue.message}`;
}

/** An image reference that does not follow the OCI distribution reference grammar. */
export class InvalidReferenceError extends PtcError {
  /** The reference as the user wrote it. */
  readonly reference: string;
  /** Why it is invalid. */
  readonly reason: string;

  constructor(reference: string, reason: string) {
    super(`invalid image reference "${reference}": ${reason}`);
    this.reference = reference;
    this.reason = reason;
  }
}
