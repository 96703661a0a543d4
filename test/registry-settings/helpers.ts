import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { OnEventResult } from '../../functions/registry-settings/on-event';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'registry-settings');

/** Reads a JSON fixture of test/fixtures/registry-settings. */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;
}

/** Reads a CloudFormation custom resource event fixture. */
export function eventFixture(name: string): CloudFormationCustomResourceEvent {
  return fixture<CloudFormationCustomResourceEvent>(name);
}

/**
 * The success response the `custom_resources.Provider` framework sends to CloudFormation for an
 * `onEvent` result, with the fields the CloudFormation docs list (Reason aside, which the
 * framework sets to the status).
 */
export function successResponse(event: CloudFormationCustomResourceEvent, result: OnEventResult) {
  return {
    Status: 'SUCCESS',
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    StackId: event.StackId,
    PhysicalResourceId: result.PhysicalResourceId,
    Data: result.Data,
  };
}
