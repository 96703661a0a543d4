import { DescribeRepositoriesCommand, ECRClient, ECRServiceException, ListTagsForResourceCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { runPool, sweep } from '../../engines/reconcile/sweep';
import { FakeRegistry, freshFakeEcr, REGION } from './fake-registry';
import { testDeps } from './helpers';

const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);
const ecr = new ECRClient({ region: REGION });
const events = new EventBridgeClient({ region: REGION });
let registry: FakeRegistry;

beforeEach(() => {
  registry = freshFakeEcr(ecrMock, eventsMock);
});

test('runPool never runs more than `concurrency` items at once and runs each exactly once', async () => {
  let running = 0;
  let peak = 0;
  const seen: number[] = [];
  await runPool(
    Array.from({ length: 25 }, (_, i) => i),
    3,
    async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      seen.push(i);
      running--;
    },
  );
  expect(peak).toBe(3);
  expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
});

test('the sweep reconciles at most `concurrency` repositories at once', async () => {
  for (let i = 0; i < 12; i++) registry.add(`k8s/image-${i}`);
  let inFlight = 0;
  let peak = 0;
  ecrMock.on(ListTagsForResourceCommand).callsFake(async (input) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    return registry.handle('ListTagsForResource', input);
  });
  const { deps } = testDeps(ecr, events);
  const report = await sweep(deps, { concurrency: 2, sleep: async () => {} });
  expect(report).toMatchObject({ managed: 12, configured: 12 });
  expect(peak).toBe(2);
});

test('pages through the whole registry with the page size asked for', async () => {
  for (let i = 0; i < 7; i++) registry.add(`ecr/image-${i}`);
  registry.add('other/thing');
  const { deps } = testDeps(ecr, events);
  const report = await sweep(deps, { concurrency: 4, pageSize: 3, sleep: async () => {} });
  expect(
    ecrMock
      .commandCalls(DescribeRepositoriesCommand)
      .filter((c) => c.args[0].input.repositoryNames === undefined)
      .map((c) => c.args[0].input.nextToken),
  ).toEqual([undefined, '3', '6']);
  expect(report).toMatchObject({ listed: 8, managed: 7, configured: 7, failedCount: 0 });
  expect(report.nextToken).toBeUndefined();
});

test('a throttled listing page is asked again rather than failing the sweep', async () => {
  registry.add('ecr/one');
  const throttled = new ECRServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });
  ecrMock
    .on(DescribeRepositoriesCommand, { maxResults: 1000 })
    .rejectsOnce(throttled)
    .callsFake((input) => registry.handle('DescribeRepositories', input));
  const delays: number[] = [];
  const { deps } = testDeps(ecr, events);
  const report = await sweep(deps, { concurrency: 1, retryDelayMs: 50, sleep: async (ms) => void delays.push(ms) });
  expect(report).toMatchObject({ configured: 1, failedCount: 0 });
  expect(delays).toEqual([50]);
});

test('stops before a new page when told to, and reports where to continue', async () => {
  for (let i = 0; i < 5; i++) registry.add(`ecr/image-${i}`);
  const { deps } = testDeps(ecr, events);
  const report = await sweep(deps, { concurrency: 2, pageSize: 2, shouldStop: () => true, sleep: async () => {} });
  expect(report).toMatchObject({ listed: 2, configured: 2, nextToken: '2' });
});
