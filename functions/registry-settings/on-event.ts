/**
 * The custom resource `onEvent` logic for the `custom_resources.Provider` framework: parse the
 * CloudFormation event, apply the change to the right registry setting, and return the physical
 * resource id and `Data`. The framework sends the response to CloudFormation.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  InvalidResourcePropertiesError,
  PHYSICAL_ID_PREFIX,
  originalScanTypeOf,
  parseResourceProperties,
  physicalResourceId,
  type RegistrySettingsProperties,
} from '../../core/registry-settings/functions';
import { applyRegistryPolicy, applyReplication, applyScanning, type ApplyOutcome } from './apply';
import { REQUEST_TYPES, UnknownRequestTypeError } from './errors';

/**
 * The physical id the `custom_resources.Provider` framework answers a failed Create with
 * (aws-cdk-lib custom-resources/lib/provider-framework/runtime/cfn-response, 2.276.0). The framework
 * itself swallows the Delete that carries it, so nothing we write under this id is ever removed.
 */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** What the Provider framework expects back from `onEvent`. */
export interface OnEventResult {
  PhysicalResourceId: string;
  Data: { Changed: string; Owned: string; Foreign: string };
}

/** The logger the business logic writes to (Powertools Logger in the Lambda). */
export interface RegistrySettingsLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
}

/** Dependencies of `onEvent`, built once per container by the handler. */
export interface OnEventDeps {
  readonly ecr: ECRClient;
  readonly log?: RegistrySettingsLog;
}

/**
 * Handles one Create, Update or Delete of a registry settings custom resource.
 *
 * An Update whose physical id is not one we issued (the framework's `CREATE_FAILED_MARKER` after a
 * failed Create kept with `--no-rollback`, then deployed again) is applied as a Create and answered
 * with our own physical id: CloudFormation then deletes the old id (the framework ignores the
 * marker's Delete) and the stack's own Delete later removes what this Update wrote.
 *
 * @throws UnknownRequestTypeError for a RequestType other than Create, Update or Delete, before
 *   any read or write.
 * @throws InvalidResourcePropertiesError, RegistryConflictError, RegistryLimitError: bad input;
 *   the framework reports the message to CloudFormation and the stack operation fails with it.
 */
export async function onEvent(received: CloudFormationCustomResourceEvent, deps: OnEventDeps): Promise<OnEventResult> {
  const requestType: unknown = (received as { RequestType?: unknown }).RequestType;
  if (!(REQUEST_TYPES as readonly unknown[]).includes(requestType)) throw new UnknownRequestTypeError(requestType);
  let event = received;
  if (event.RequestType === 'Update' && !event.PhysicalResourceId.startsWith(PHYSICAL_ID_PREFIX)) {
    deps.log?.warn('update of a resource ptc-autopilot never created (a failed Create); applied as a Create under a new physical id', {
      logicalResourceId: event.LogicalResourceId,
      physicalResourceId: event.PhysicalResourceId,
    });
    const { PhysicalResourceId: _failed, OldResourceProperties: _old, ...rest } = event;
    event = { ...rest, RequestType: 'Create' };
  }
  if (event.RequestType === 'Delete' && !event.PhysicalResourceId.startsWith(PHYSICAL_ID_PREFIX)) {
    // Not an id we issued (for example a Create that failed, perhaps on its properties, before we
    // answered): nothing of ours exists, and the properties need not even parse for the rollback to succeed.
    deps.log?.info('delete of a resource ptc-autopilot never created; nothing to remove', {
      action: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      physicalResourceId: event.PhysicalResourceId,
    });
    return result(event.PhysicalResourceId, { changed: false, ours: 0, foreign: 0 });
  }
  const props = parseResourceProperties(event.ResourceProperties);
  const base = { kind: props.Kind, action: event.RequestType, logicalResourceId: event.LogicalResourceId };
  const old = event.RequestType === 'Update' ? previousProperties(event.OldResourceProperties, props.Kind, deps.log) : undefined;
  const outcome = await apply(deps.ecr, event, props, old);
  deps.log?.info('registry settings applied', { ...base, changed: outcome.changed, owned: outcome.ours, foreign: outcome.foreign });

  const physicalId =
    event.RequestType === 'Create'
      ? physicalResourceId(props, props.Kind === 'Scanning' ? outcome.scanTypeBefore : undefined)
      : event.PhysicalResourceId;
  return result(physicalId, outcome);
}

async function apply(
  ecr: ECRClient,
  event: CloudFormationCustomResourceEvent,
  props: RegistrySettingsProperties,
  old: RegistrySettingsProperties | undefined,
): Promise<ApplyOutcome> {
  const action = event.RequestType;
  switch (props.Kind) {
    case 'Replication':
      return applyReplication(ecr, action, props, old?.Kind === 'Replication' ? old : undefined);
    case 'Scanning': {
      const originalScanType = event.RequestType === 'Delete' ? originalScanTypeOf(event.PhysicalResourceId) : undefined;
      return applyScanning(ecr, action, props, {
        ...(old?.Kind === 'Scanning' ? { old } : {}),
        ...(originalScanType !== undefined ? { originalScanType } : {}),
      });
    }
    case 'RegistryPolicy':
      return applyRegistryPolicy(ecr, action, props);
  }
}

/**
 * The old properties of an Update. Unreadable old properties (say, from another version) only
 * mean prefixes dropped from the config cannot be told apart; the update itself still applies.
 */
function previousProperties(input: unknown, kind: string, log?: RegistrySettingsLog): RegistrySettingsProperties | undefined {
  try {
    const old = parseResourceProperties(input, 'OldResourceProperties');
    return old.Kind === kind ? old : undefined;
  } catch (err) {
    if (!(err instanceof InvalidResourcePropertiesError)) throw err;
    log?.warn('old resource properties unreadable; prefixes removed from the config may stay in ECR', { reason: err.message });
    return undefined;
  }
}

function result(physicalId: string, outcome: ApplyOutcome): OnEventResult {
  return {
    PhysicalResourceId: physicalId,
    Data: { Changed: String(outcome.changed), Owned: String(outcome.ours), Foreign: String(outcome.foreign) },
  };
}
