/**
 * The reconciler part of `ptc plan`: what invokes the reconciler, and which trigger depends on a
 * CloudTrail trail that ptc-autopilot does not create.
 *
 * "To record events with one of the CloudTrail detail-type values, you must enable a CloudTrail trail
 * with logging" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html).
 * ECR sends its own events (image push, pull through cache action) to EventBridge directly,
 * "on a best effort basis" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html).
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';

/** One trigger of the reconciler. */
export interface PlannedTrigger {
  /** What happens. */
  on: string;
  /** The EventBridge event (source / detail-type) or schedule. */
  event: string;
  /** Whether the event exists only when a CloudTrail trail logs this Region's management events. */
  needsCloudTrail: boolean;
}

/** The reconciler's triggers in one target. */
export function planReconcilerTriggers(config: PtcConfig, _target: Target): PlannedTrigger[] {
  return [
    { on: 'a repository is created', event: 'aws.ecr / AWS API Call via CloudTrail, eventName CreateRepository', needsCloudTrail: true },
    { on: 'a pull through cache action (first pull, sync)', event: 'aws.ecr / ECR Pull Through Cache Action', needsCloudTrail: false },
    { on: 'a successful push', event: 'aws.ecr / ECR Image Action, action-type PUSH', needsCloudTrail: false },
    { on: 'the drift sweep', event: `schedule ${config.reconciler.sweepSchedule}`, needsCloudTrail: false },
  ];
}

/** The plan lines of the reconciler's triggers. */
export function renderReconcilerTriggers(triggers: readonly PlannedTrigger[], region: string): string[] {
  const direct = triggers.filter((t) => !t.needsCloudTrail);
  const viaTrail = triggers.filter((t) => t.needsCloudTrail);
  const lines = [`  reconciler runs on: ${direct.map((t) => `${t.on} (${t.event})`).join('; ')}`];
  for (const t of viaTrail) {
    lines.push(
      `    and on ${t.on} (${t.event}) only if a CloudTrail trail logs management write events in ${region}: ptc-autopilot creates none.`,
      `    Without a trail, new repositories are configured on their first pull through cache event or push, and by the sweep at the latest.`,
    );
  }
  return lines;
}
