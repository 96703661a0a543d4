/**
 * One copy-images run: the entries the event names (core/lambda-contracts/copy-images/schedule-event.ts),
 * their listed images plus those of their `manifest` lists, ECR's token for the target (Basic
 * `AWS:<token>` from GetAuthorizationToken), each upstream's credentials from its entry's secret, and
 * the copy engine (engines/copy) image by image. Images are started only while the invocation has
 * more than `stopStartingMs` left; the rest are reported as left for the next scheduled run, which
 * resumes (what is in the target is not sent again). Any failed image ends the invocation with
 * `CopyIncompleteError` after the report, so Lambda retries and the DLQ and alarms see it.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CopyConfig } from '../../core/config/copies-schema';
import { copyJobs, type CopyJob } from '../../core/copy/jobs';
import { PtcError } from '../../core/errors';
import type { CopyMetricName } from '../../core/lambda-contracts/copy-images/metric-names';
import { entriesOfEvent } from '../../core/lambda-contracts/copy-images/schedule-event';
import type { CopyPayload } from '../../core/lambda-contracts/copy-images/settings';
import { mapLimit } from '../../core/prewarm/limits';
import { sdkErrorText } from '../../core/prewarm/image-list';
import { ecrRegistryHost } from '../../core/upstreams';
import { copyImage, CopyCredentialsError, ecrCredentials, RegistrySession, upstreamSessions, type CopyStatus } from '../../engines/copy';
import type { FunctionLogger } from '../shared/runtime';
import { externalImages, type ImageListClients } from '../../engines/copy/image-lists';

/** Some images failed; thrown after the report so Lambda retries and the DLQ and alarms see it. */
export class CopyIncompleteError extends PtcError {
  constructor(readonly failedCount: number) {
    super(`${failedCount} images could not be copied; the copy-images log names each and why`);
  }
}

/** GetAuthorizationToken failed or answered without a usable token: nothing can be pushed. */
export class TargetLoginError extends PtcError {}

/** What happened to one image in a run: the engine's statuses, or `left` (not started before the timeout's margin). */
export interface ImageOutcome {
  readonly image: string;
  readonly prefix: string;
  readonly status: CopyStatus | 'left';
  readonly reason?: string;
  readonly target?: string;
  readonly digest?: string;
  readonly notes: readonly string[];
  readonly bytes: number;
}

/** Where a run publishes a figure: per prefix, or the run's total (`prefix` undefined). */
export type CopyMetricSink = (prefix: string | undefined, name: CopyMetricName, value: number) => void;

/** The target registry, when it is not this account's ECR endpoint (tests: a local registry). */
export interface TargetOverride {
  readonly baseUrl: string;
  readonly host: string;
  readonly ca?: string;
}

/** What a run needs; the handler builds the clients once per container. */
export interface CopyRunDeps extends ImageListClients {
  readonly ecr: Pick<ECRClient, 'send'>;
  /** Reads the entries' secrets; needed when an entry names one. */
  readonly secrets?: Pick<SecretsManagerClient, 'send'>;
  readonly config: CopyPayload;
  readonly log: FunctionLogger;
  readonly metric: CopyMetricSink;
  /** Milliseconds left in the invocation (`context.getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  /** No image is started with less than this left. @default STOP_STARTING_MS */
  readonly stopStartingMs?: number;
  /** Images copied at once. @default 4 */
  readonly concurrency?: number;
  /** @default the ECR registry of `config.account` in `config.region` */
  readonly target?: TargetOverride;
  /** Extra certificate authorities of the upstreams (PEM). @default none */
  readonly upstreamCa?: string;
}

/**
 * No image is started when less than this is left of the invocation (the function's timeout is 15
 * minutes): an image in flight then has 5 minutes to finish, a multi-GiB layer included.
 */
export const STOP_STARTING_MS = 5 * 60_000;

/** What a run returns (and logs). */
export interface CopyRunReport {
  readonly prefixes: readonly string[];
  readonly outcomes: readonly ImageOutcome[];
  readonly counts: Readonly<Record<ImageOutcome['status'], number>> & { readonly bytes: number };
}

const STATUS_METRIC = { copied: 'ImagesCopied', unchanged: 'ImagesUnchanged', failed: 'ImagesFailed', left: 'ImagesLeft' } as const;

/** One upstream session per entry, or why the entry's images cannot be copied (its secret). */
async function entrySessions(
  entries: readonly CopyConfig[],
  deps: CopyRunDeps,
): Promise<{ sessions: Map<string, RegistrySession>; refused: Map<string, string> }> {
  const sessions = new Map<string, RegistrySession>();
  const refused = new Map<string, string>();
  for (const entry of entries) {
    try {
      const one = await upstreamSessions([entry], {
        ...(deps.secrets ? { secrets: async () => deps.secrets! } : {}),
        ...(deps.upstreamCa ? { ca: deps.upstreamCa } : {}),
      });
      for (const [host, s] of one) sessions.set(host, s);
    } catch (err) {
      // Never the SDK's or parser's raw text of a secret: our own error, or the SDK error's name and message.
      refused.set(entry.upstream, err instanceof CopyCredentialsError ? err.message : `credentials unavailable: ${sdkErrorText(err)}`);
    }
  }
  return { sessions, refused };
}

async function targetSession(deps: CopyRunDeps): Promise<{ session: RegistrySession; host: string }> {
  let credentials;
  try {
    credentials = await ecrCredentials(deps.ecr);
  } catch (err) {
    throw new TargetLoginError(`GetAuthorizationToken: ${err instanceof CopyCredentialsError ? err.message : sdkErrorText(err)}`);
  }
  const host = deps.target?.host ?? ecrRegistryHost(deps.config.account, deps.config.region);
  const session = new RegistrySession({
    baseUrl: deps.target?.baseUrl ?? `https://${host}`,
    credentials,
    ...(deps.target?.ca ? { ca: deps.target.ca } : {}),
  });
  return { session, host };
}

function logOutcome(log: FunctionLogger, o: ImageOutcome, upstream?: string): void {
  const attributes = {
    image: o.image,
    prefix: o.prefix,
    ...(upstream ? { upstream } : {}),
    ...(o.target ? { target: o.target } : {}),
    status: o.status,
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.digest ? { digest: o.digest } : {}),
    ...(o.notes.length > 0 ? { notes: o.notes } : {}),
    bytes: o.bytes,
  };
  if (o.status === 'failed') log.error('image not copied', attributes);
  else if (o.status === 'copied') log.info('image copied', attributes);
  else if (o.status === 'unchanged') log.info('image unchanged', attributes);
}

/** Publishes each status count and the bytes per prefix and in total, zeros included. */
export function publishCopyTotals(prefixes: readonly string[], outcomes: readonly ImageOutcome[], metric: CopyMetricSink): void {
  for (const prefix of [...prefixes, undefined]) {
    const mine = outcomes.filter((o) => prefix === undefined || o.prefix === prefix);
    for (const [status, name] of Object.entries(STATUS_METRIC)) metric(prefix, name, mine.filter((o) => o.status === status).length);
    metric(
      prefix,
      'BytesCopied',
      mine.reduce((n, o) => n + o.bytes, 0),
    );
  }
}

/**
 * Runs one invocation.
 * @throws CopyRequestError for a payload that is neither `{}` nor `{"prefixes": [...]}` (the handler logs and drops it)
 * @throws TargetLoginError when ECR's token cannot be had (nothing is copied; Lambda retries)
 * @throws CopyIncompleteError after the report when any image failed
 */
export async function runCopy(event: unknown, deps: CopyRunDeps): Promise<CopyRunReport> {
  const { log } = deps;
  const entries = entriesOfEvent(event, deps.config.copies);
  const prefixes = entries.map((e) => e.prefix);
  const external = await externalImages(entries, deps);
  const { jobs, rejected } = copyJobs({ copies: entries }, external.images);
  const outcomes: ImageOutcome[] = [
    ...external.problems.map((p) => ({
      image: p.image,
      prefix: p.prefix,
      status: 'failed' as const,
      reason: p.reason,
      notes: [],
      bytes: 0,
    })),
    // The config's images were validated at synth, and the external ones above: nothing lands here but a bug.
    ...rejected.map((r) => ({ image: r.image, prefix: '', status: 'failed' as const, reason: r.reason, notes: [], bytes: 0 })),
  ];
  const prefixOf = (job: CopyJob) => entries[job.entryIndex]!.prefix;
  if (jobs.length > 0) {
    const target = await targetSession(deps);
    const { sessions, refused } = await entrySessions(entries, deps);
    const stopAt = deps.stopStartingMs ?? STOP_STARTING_MS;
    try {
      const results = await mapLimit(jobs, deps.concurrency ?? 4, async (job): Promise<ImageOutcome> => {
        const prefix = prefixOf(job);
        const why = refused.get(job.upstream);
        if (why !== undefined) return { image: job.image, prefix, status: 'failed', reason: why, notes: [], bytes: 0 };
        if (deps.remainingMs() < stopAt) return { image: job.image, prefix, status: 'left', notes: [], bytes: 0 };
        const r = await copyImage(job, { target: target.session, targetHost: target.host, source: (host) => sessions.get(host)! });
        const outcome: ImageOutcome = {
          image: r.image,
          prefix,
          status: r.status,
          target: r.target,
          ...(r.reason !== undefined ? { reason: r.reason } : {}),
          ...(r.digest !== undefined ? { digest: r.digest } : {}),
          notes: r.notes,
          bytes: r.bytes,
        };
        logOutcome(log, outcome, job.upstream);
        return outcome;
      });
      outcomes.push(...results);
    } finally {
      target.session.close();
      for (const s of sessions.values()) s.close();
    }
  }
  for (const o of outcomes) if (o.status === 'failed' && o.target === undefined) logOutcome(log, o);
  const left = outcomes.filter((o) => o.status === 'left');
  if (left.length > 0)
    log.warn('copy run stopped starting images before the timeout; the next scheduled run copies the rest', {
      left: left.length,
      images: left.slice(0, 50).map((o) => o.image),
    });
  publishCopyTotals(prefixes, outcomes, deps.metric);
  const count = (s: ImageOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const counts = {
    copied: count('copied'),
    unchanged: count('unchanged'),
    failed: count('failed'),
    left: count('left'),
    bytes: outcomes.reduce((n, o) => n + o.bytes, 0),
  };
  log.info('copy run finished', { prefixes, images: outcomes.length, ...counts });
  if (counts.failed > 0) throw new CopyIncompleteError(counts.failed);
  return { prefixes, outcomes, counts };
}
