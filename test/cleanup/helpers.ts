import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
  type DescribeImagesCommandOutput,
  type DescribeRepositoriesCommandOutput,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import type { AwsClientStub } from 'aws-sdk-client-mock';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cleanup');
const DATE_FIELDS = new Set(['createdAt', 'imagePushedAt', 'lastRecordedPullTime']);

/** Reads a fixture shaped like the ECR API's JSON, turning epoch-second timestamps into Dates as the SDK does. */
export function ecrFixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'), (key, value) =>
    DATE_FIELDS.has(key) && typeof value === 'number' ? new Date(value * 1000) : value,
  ) as T;
}

/** "Now" for the fixtures: 2024-09-01T00:00:00Z. */
export const NOW = new Date('2024-09-01T00:00:00Z');

/** Wires the mock to serve the fixture registry: two pages of repositories, paged images, tags. */
export function serveRegistry(ecrMock: AwsClientStub<ECRClient>, ignored: readonly string[] = []): void {
  const page1 = ecrFixture<DescribeRepositoriesCommandOutput>('describe-repositories.page1.json');
  const page2 = ecrFixture<DescribeRepositoriesCommandOutput>('describe-repositories.page2.json');
  const images = ecrFixture<Record<string, DescribeImagesCommandOutput[]>>('describe-images.by-repository.json');
  ecrMock
    .on(DescribeRepositoriesCommand)
    .callsFake((input: { nextToken?: string }) => (input.nextToken === page1.nextToken ? page2 : page1));
  ecrMock.on(DescribeImagesCommand).callsFake((input: { repositoryName: string; nextToken?: string }) => {
    const pages = images[input.repositoryName];
    if (pages === undefined) throw new Error(`test asked for images of ${input.repositoryName}`);
    return input.nextToken === undefined ? pages[0] : pages.find((_, i) => pages[i - 1]?.nextToken === input.nextToken);
  });
  ecrMock.on(ListTagsForResourceCommand).callsFake((input: { resourceArn: string }) => ({
    tags: [
      { Key: 'ptc-autopilot:managed', Value: 'true' },
      ...(ignored.some((name) => input.resourceArn.endsWith(`:repository/${name}`))
        ? [{ Key: 'ptc-autopilot:ignore', Value: 'true' }]
        : []),
    ],
  }));
}
