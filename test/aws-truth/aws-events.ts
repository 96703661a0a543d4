/**
 * AWS's documented sample events (test/fixtures/aws-events, verbatim; SOURCE.md gives each address)
 * and the two ways the harness varies them: a repository name under a managed prefix, and the
 * CloudTrail record in the EventBridge envelope the EventBridge User Guide documents.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export type AwsEvent = Record<string, unknown> & { source: string; 'detail-type': string; detail: Record<string, unknown> };

const DIR = path.join(__dirname, '..', 'fixtures', 'aws-events');

/** One documented sample, parsed afresh. */
export function awsSample(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Record<string, unknown>;
}

/**
 * The documented CreateRepository CloudTrail record as EventBridge delivers it ("AWS API Call via
 * CloudTrail", source `aws.ecr`; envelope fields from the record's own time, Region and account).
 */
export function cloudTrailCreateRepository(): AwsEvent {
  const record = awsSample('cloudtrail-record-ecr-create-repository.json');
  return {
    version: '0',
    id: '36eb8523-97d0-4518-b33d-ee3579ff19f0',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecr',
    account: String(record.recipientAccountId),
    time: String(record.eventTime),
    region: String(record.awsRegion),
    resources: [],
    detail: record,
  };
}

/** Every documented sample the harness drives, by name. */
export function documentedEvents(): Record<string, AwsEvent> {
  return {
    'ECR Image Action (push)': awsSample('ecr-image-action-push.json') as AwsEvent,
    'ECR Image Action (delete)': awsSample('ecr-image-action-delete.json') as AwsEvent,
    'ECR Image Scan': awsSample('ecr-image-scan-basic.json') as AwsEvent,
    'ECR Scan Resource Change': awsSample('ecr-scan-resource-change.json') as AwsEvent,
    'ECR Pull Through Cache Action': awsSample('ecr-pull-through-cache-action.json') as AwsEvent,
    'AWS API Call via CloudTrail (CreateRepository)': cloudTrailCreateRepository(),
    'Scheduled Event': awsSample('scheduled-event.json') as AwsEvent,
  };
}

/**
 * The event with its repository renamed to `name` wherever the sample names it (`repository-name`,
 * CloudTrail request and response, PTC prefix), everything else as documented.
 */
export function withRepository(event: AwsEvent, name: string, prefix?: string): AwsEvent {
  const copy = JSON.parse(JSON.stringify(event)) as AwsEvent;
  const d = copy.detail;
  if (typeof d['repository-name'] === 'string') d['repository-name'] = name;
  if (typeof d['ecr-repository-prefix'] === 'string' && prefix !== undefined) d['ecr-repository-prefix'] = prefix;
  const request = d.requestParameters as Record<string, unknown> | undefined;
  if (request && typeof request.repositoryName === 'string') request.repositoryName = name;
  const repository = (d.responseElements as { repository?: Record<string, unknown> } | undefined)?.repository;
  if (repository && typeof repository.repositoryName === 'string') repository.repositoryName = name;
  return copy;
}
