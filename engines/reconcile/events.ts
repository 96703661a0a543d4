/**
 * What woke the reconciler: an EventBridge event (CloudTrail CreateRepository, ECR Pull Through
 * Cache Action, ECR Image Action PUSH, the sweep schedule or a sweep continuation) or a direct
 * invocation. Anything else is dropped with a reason, never retried.
 */
import { managedPrefixFor, type ManagedScope } from '../../core/policy/managed-prefixes';
import { quote, truncate } from '../../core/quote';
import { isRepositoryName } from './errors';

/** The `source` of every event ptc-autopilot puts on the default bus. */
export const EVENT_SOURCE = 'ptc-autopilot';
/** The detail-type of the event put after a repository was changed. */
export const CONFIGURED_DETAIL_TYPE = 'Cache Repository Configured';
/** The detail-type of the event a sweep puts to carry on where it stopped (Lambda's 15-minute limit). */
export const SWEEP_CONTINUED_DETAIL_TYPE = 'Cache Repository Sweep Continued';

/** What triggered a repository reconcile. */
export type RepositoryTriggerSource = 'cloudtrail' | 'pull-through-cache' | 'image-push' | 'invoke';
/** What triggered a sweep. */
export type SweepTriggerSource = 'schedule' | 'invoke' | 'continuation';

/** The work an event asks for. */
export type Trigger =
  | { readonly kind: 'repository'; readonly repositoryName: string; readonly prefix: string; readonly source: RepositoryTriggerSource }
  | {
      readonly kind: 'sweep';
      readonly source: SweepTriggerSource;
      /** Where a continued sweep picks up. */
      readonly nextToken?: string;
      /** Repositories the previous invocation could not reconcile, tried first. */
      readonly retry?: readonly string[];
    }
  /** Malformed or irrelevant: logged with the reason, counted, dropped. */
  | { readonly kind: 'drop'; readonly reason: string; readonly repositoryName?: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const drop = (reason: string, repositoryName?: string): Trigger => ({
  kind: 'drop',
  reason,
  ...(repositoryName === undefined ? {} : { repositoryName }),
});

/** Checks a repository name from `field` and that it lies under a managed prefix. */
function repositoryTrigger(config: ManagedScope, name: unknown, field: string, source: RepositoryTriggerSource): Trigger {
  if (typeof name !== 'string') return drop(`${field} is missing or not a string`);
  if (!isRepositoryName(name)) return drop(`${field} ${quote(name, 300)} is not an ECR repository name`);
  const managed = managedPrefixFor(config, name);
  if (managed === undefined) return drop(`repository "${name}" is not under a managed prefix`, name);
  return { kind: 'repository', repositoryName: name, prefix: managed.prefix, source };
}

function fromCloudTrail(config: ManagedScope, detail: Json): Trigger {
  if (detail.eventSource !== 'ecr.amazonaws.com' || detail.eventName !== 'CreateRepository') {
    return drop(
      `CloudTrail event ${truncate(String(detail.eventSource))} ${truncate(String(detail.eventName))} is not ECR CreateRepository`,
    );
  }
  if (detail.errorCode !== undefined)
    return drop(
      `CreateRepository failed (${truncate(typeof detail.errorCode === 'string' ? detail.errorCode : JSON.stringify(detail.errorCode))}); nothing was created`,
    );
  const request = isObject(detail.requestParameters) ? detail.requestParameters : {};
  const response =
    isObject(detail.responseElements) && isObject(detail.responseElements.repository) ? detail.responseElements.repository : {};
  const name = request.repositoryName ?? response.repositoryName;
  return repositoryTrigger(config, name, 'detail.requestParameters.repositoryName', 'cloudtrail');
}

function fromImageAction(config: ManagedScope, detail: Json): Trigger {
  if (detail['action-type'] !== 'PUSH' || detail.result !== 'SUCCESS') {
    return drop(`ECR Image Action ${truncate(String(detail['action-type']))}/${truncate(String(detail.result))} is not a successful push`);
  }
  return repositoryTrigger(config, detail['repository-name'], 'detail.repository-name', 'image-push');
}

function fromInvocation(config: ManagedScope, event: Json): Trigger {
  if (event.sweep === true) return { kind: 'sweep', source: 'invoke' };
  if ('repositoryName' in event) return repositoryTrigger(config, event.repositoryName, 'repositoryName', 'invoke');
  return drop('not an event the reconciler handles (expected an ECR or scheduled event, {"sweep": true} or {"repositoryName": "..."})');
}

/**
 * Classifies an incoming event.
 * @example
 * parseTrigger({ 'detail-type': 'ECR Pull Through Cache Action', source: 'aws.ecr', detail: { 'repository-name': 'k8s/pause', ... } }, config)
 * // { kind: 'repository', repositoryName: 'k8s/pause', prefix: 'k8s', source: 'pull-through-cache' }
 */
export function parseTrigger(event: unknown, config: ManagedScope): Trigger {
  if (!isObject(event))
    return drop(`event is ${Array.isArray(event) ? 'an array' : event === null ? 'null' : typeof event}, not an object`);
  const detailType = event['detail-type'];
  if (detailType === undefined) return fromInvocation(config, event);
  if (typeof detailType !== 'string') return drop('detail-type is not a string');
  const source = event.source;
  const detail = event.detail;
  if (detailType === 'Scheduled Event' && source === 'aws.events') return { kind: 'sweep', source: 'schedule' };
  if (!isObject(detail)) return drop(`${quote(detailType)} event has no detail object`);
  if (source === EVENT_SOURCE && detailType === SWEEP_CONTINUED_DETAIL_TYPE) {
    if (typeof detail.nextToken !== 'string' || detail.nextToken === '') return drop('sweep continuation without detail.nextToken');
    const retry = detail.retry ?? [];
    if (!Array.isArray(retry) || !retry.every((n) => typeof n === 'string' && isRepositoryName(n))) {
      return drop('sweep continuation detail.retry is not a list of repository names');
    }
    return {
      kind: 'sweep',
      source: 'continuation',
      nextToken: detail.nextToken,
      ...(retry.length > 0 ? { retry: retry as string[] } : {}),
    };
  }
  if (source !== 'aws.ecr') return drop(`event from source ${quote(String(source))} (${truncate(detailType)}) is not handled`);
  switch (detailType) {
    case 'AWS API Call via CloudTrail':
      return fromCloudTrail(config, detail);
    case 'ECR Pull Through Cache Action':
      return repositoryTrigger(config, detail['repository-name'], 'detail.repository-name', 'pull-through-cache');
    case 'ECR Image Action':
      return fromImageAction(config, detail);
    default:
      return drop(`ECR event ${quote(detailType)} is not handled`);
  }
}
