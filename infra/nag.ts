/**
 * cdk-nag acknowledgements. Every one carries a written reason; IAM wildcard findings are
 * acknowledged one resource at a time, never as a blanket rule.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One acknowledged cdk-nag finding. */
export interface NagAcknowledgement {
  /** Rule id, such as `AwsSolutions-SMG4`. */
  readonly id: string;
  /** Why the finding is acceptable here. */
  readonly reason: string;
  /** Narrow the acknowledgement to these findings (`Resource::arn:...`, `Action::s3:*`). @default every finding of the rule */
  readonly appliesTo?: readonly string[];
}

/** Acknowledges cdk-nag findings on a construct and everything below it. */
export function acknowledgeNag(scope: IConstruct, acknowledgements: readonly NagAcknowledgement[]): void {
  const validations = Validations.of(scope);
  for (const ack of acknowledgements) {
    // cdk-nag matches the bare rule id (it strips the `Annotation::` prefix CDK stores it under).
    const ids = ack.appliesTo === undefined ? [ack.id] : ack.appliesTo.map((finding) => `${ack.id}[${finding}]`);
    for (const id of ids) validations.acknowledge({ id, reason: ack.reason });
  }
}
