/**
 * The ptc-autopilot CloudWatch dashboard: rule validity and sync failures per prefix, prewarm
 * results, first pulls and upstream failures by code (`cache-actions.ts`), the repository reconciler's changes and failures, and the state of every alarm. Metrics
 * are referenced by name (`functionMetric`: namespace `PtcAutopilot`, dimension `service` = the function folder), so
 * the dashboard draws exactly what the Lambdas publish.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { cacheActionWidgets } from './cache-actions';
import { evictionWidgets } from './image-eviction';
import { imageCopyWidgets } from './image-copy';
import { prewarmMetric } from './prewarm';
import { functionMetric } from './ptc-function';
import { RECONCILER_FUNCTION_DIR } from './repository-reconciler';
import { ruleMetric } from './rule-validation';

/** Properties of `PtcDashboard`. */
export interface PtcDashboardProps {
  /** The managed prefixes (one line each on the rule widgets). */
  readonly prefixes: readonly string[];
  /** Draw the prewarm widget. @default true */
  readonly prewarm?: boolean;
  /**
   * Alarms shown in the status widgets: any alarm (the rule, sync, prewarm and reconciler alarms,
   * or your own), at most 100 per widget as CloudWatch allows, so a long list gets several.
   * @default none
   */
  readonly alarms?: readonly cloudwatch.IAlarm[];
  /** Prefixes with eviction on: draws stored, evictable and evicted bytes per prefix. @default none */
  readonly evictionPrefixes?: readonly string[];
  /** Copy prefixes (`copies`): draws the copy-images results and bytes per prefix. @default none */
  readonly copyPrefixes?: readonly string[];
  /** Dashboard name. @default a name CloudFormation generates */
  readonly dashboardName?: string;
}

/** The most alarms one CloudWatch alarm status widget shows. */
export const ALARMS_PER_WIDGET = 100;

/** A reconciler metric by name, summed. */
export function reconcilerMetric(
  name: 'ReposConfigured' | 'ChangesApplied' | 'Failures',
  period: Duration = Duration.hours(1),
): cloudwatch.Metric {
  return functionMetric(RECONCILER_FUNCTION_DIR, name, { period });
}

/**
 * One dashboard per stack, so whoever is paged sees rule validity, sync failures, prewarm
 * results, the reconciler and the alarm states in one place.
 * @example
 * new PtcDashboard(this, 'Dashboard', { prefixes: ['docker-hub'], alarms: [ruleAlarm, reconciler.deadLetterAlarm] });
 */
export class PtcDashboard extends Construct {
  /** The CloudWatch dashboard. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PtcDashboardProps) {
    super(scope, id);
    const hour = Duration.hours(1);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# ptc-autopilot\nRule validity is 1 when the last validation passed; a gap means validation did not run. Details are in the logs of the validate-rules, prewarm and reconcile-repository functions.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Rule validity (1 = valid)',
        left: props.prefixes.map((p) => ruleMetric('RuleValid', p, { statistic: 'Minimum', period: hour, label: p })),
        leftYAxis: { min: 0, max: 1 },
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Pull through cache sync failures',
        left: props.prefixes.map((p) => ruleMetric('SyncFailures', p, { statistic: 'Sum', period: hour, label: p })),
        leftYAxis: { min: 0 },
        width: 12,
      }),
    );
    const row: cloudwatch.IWidget[] = [];
    if (props.prewarm ?? true) {
      row.push(
        new cloudwatch.GraphWidget({
          title: 'Prewarm results (images per run)',
          left: [
            prewarmMetric('ImagesOk', { label: 'ok' }),
            prewarmMetric('ImagesMissing', { label: 'missing' }),
            prewarmMetric('ImagesDenied', { label: 'denied' }),
            prewarmMetric('ImagesFailed', { label: 'failed' }),
          ],
          stacked: true,
          leftYAxis: { min: 0 },
          width: 12,
        }),
      );
    }
    row.push(
      new cloudwatch.GraphWidget({
        title: 'Repository reconciler',
        left: [reconcilerMetric('ChangesApplied'), reconcilerMetric('ReposConfigured')],
        right: [reconcilerMetric('Failures')],
        leftYAxis: { min: 0 },
        rightYAxis: { min: 0 },
        width: 12,
      }),
    );
    this.dashboard.addWidgets(...row);
    this.dashboard.addWidgets(...cacheActionWidgets(props.prefixes));
    if (props.evictionPrefixes !== undefined && props.evictionPrefixes.length > 0)
      this.dashboard.addWidgets(...evictionWidgets(props.evictionPrefixes));
    if (props.copyPrefixes !== undefined && props.copyPrefixes.length > 0)
      this.dashboard.addWidgets(...imageCopyWidgets(props.copyPrefixes));
    const alarms = props.alarms ?? [];
    const widgets = Math.ceil(alarms.length / ALARMS_PER_WIDGET);
    for (let i = 0; i < widgets; i++) {
      const part = alarms.slice(i * ALARMS_PER_WIDGET, (i + 1) * ALARMS_PER_WIDGET);
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: widgets === 1 ? 'Alarms' : `Alarms (${i + 1} of ${widgets})`,
          alarms: part,
          width: 24,
          // About six tiles fit a row of the full-width widget.
          height: Math.min(12, 2 + Math.ceil(part.length / 6)),
        }),
      );
    }
  }
}
