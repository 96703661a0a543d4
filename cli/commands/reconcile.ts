import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PtcError, primaryTarget, truncate } from '../../core';
import { describeWrite } from '../../engines/reconcile/plan';
import type { ReconcileOutcome } from '../../engines/reconcile/reconcile';
import { sweep, type SweepReport } from '../../engines/reconcile/sweep';
import { MetricTotals, silentLogger } from '../../engines/reconcile/telemetry';
import { readConfig, type CliIo } from '../io';
import type { RegisterCommand } from './types';

/** No AWS credentials, or credentials that cannot be used: said plainly instead of an SDK trace. */
export class AwsCredentialsError extends PtcError {
  constructor(reason: string) {
    super(`ptc reconcile needs AWS credentials for the target account (${truncate(reason, 500)})`);
  }
}

/** Listing the registry failed (access denied, an unknown region): said plainly instead of an SDK trace. */
export class RegistryListingError extends PtcError {
  constructor(
    /** The AWS error name, such as `AccessDeniedException`. */
    readonly errorName: string,
    reason: string,
  ) {
    super(
      `ptc reconcile could not list the repositories with ecr:DescribeRepositories (${truncate(errorName, 100)}: ${truncate(reason, 500)})`,
    );
  }
}

/** Whether an error came back from an AWS service (it carries the SDK's response metadata). */
const isServiceError = (err: unknown): err is Error => err instanceof Error && '$metadata' in err;

function printOutcome(io: CliIo, o: ReconcileOutcome): void {
  const verb = {
    configured: 'configured',
    planned: 'would change',
    ignored: 'ignored',
    compliant: 'compliant',
    refused: 'not configured',
    'not-found': 'gone',
    unmanaged: 'unmanaged',
  }[o.status];
  if (o.status === 'compliant' && o.kept.length === 0) return;
  if (o.status === 'not-found' || o.status === 'unmanaged') return;
  io.stdout(`${verb} ${o.repositoryName}${o.status === 'ignored' ? ' (ptc-autopilot:ignore=true)' : ''}\n`);
  for (const w of o.writes) io.stdout(`  - ${describeWrite(w)}\n`);
  for (const k of o.kept) io.stdout(`  = ${k}\n`);
  for (const r of o.refused) io.stdout(`  ! ${r.setting} not applied: ${r.reason}\n`);
}

function summary(r: SweepReport, dryRun: boolean): string {
  const changed = dryRun ? `${r.planned} would change (${r.writes} writes)` : `${r.configured} configured (${r.writes} writes)`;
  return `swept ${r.managed} repositories under the managed prefixes (${r.listed} listed): ${changed}, ${r.compliant} compliant, ${r.ignored} ignored, ${r.failedCount} failed\n`;
}

/**
 * `ptc reconcile [--config FILE] [--dry-run]`: runs the reconciler's sweep from a workstation with
 * the caller's AWS credentials; `--dry-run` reads everything and prints the writes it would make.
 */
export const registerReconcile: RegisterCommand = (program, io, state) => {
  program
    .command('reconcile')
    .description('sweep every repository under the managed prefixes and apply the desired state, with your AWS credentials')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option('--dry-run', 'read and print the writes that would be made, without making them')
    .option('-e, --environment <name>', 'the environment to sweep (default: the config account/region or the first environment)')
    .action(async (opts: { config?: string; dryRun?: boolean; environment?: string }) => {
      const config = readConfig(io, opts.config);
      const target = primaryTarget(config, opts.environment);
      const clientConfig = { region: target.region, retryMode: 'adaptive', maxAttempts: 5 } as const;
      const dryRun = opts.dryRun === true;
      const deps = {
        ecr: new ECRClient(clientConfig),
        events: new EventBridgeClient(clientConfig),
        config,
        partition: target.partition,
        log: silentLogger,
        metrics: new MetricTotals(),
        dryRun,
      };
      io.stdout(`${dryRun ? 'planning' : 'reconciling'} repositories in ${target.account} ${target.region} (environment ${target.name})\n`);
      let report: SweepReport;
      let refused = 0;
      const onOutcome = (o: ReconcileOutcome) => {
        refused += o.refused.length;
        printOutcome(io, o);
      };
      try {
        report = await sweep(deps, { concurrency: config.reconciler.concurrency, onOutcome });
      } catch (err) {
        if (err instanceof Error && err.name === 'CredentialsProviderError') throw new AwsCredentialsError(err.message);
        // The sweep records each repository's failure itself; what escapes it is the listing.
        if (isServiceError(err)) throw new RegistryListingError(err.name, err.message);
        throw err;
      }
      for (const f of report.failures)
        io.stderr(`failed ${truncate(f.repositoryName, 300)}: ${truncate(f.error, 100)}: ${truncate(f.message, 500)}\n`);
      io.stdout(summary(report, dryRun));
      if (report.failedCount > 0 || refused > 0) state.code = 1;
    });
};
