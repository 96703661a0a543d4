import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  ECRClient,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ecr';
import { parseConfig } from '../../core';
import { NO_PINS, type ImageRecord, type PinnedImages } from '../../core/eviction';
import { evict, type RepositoryResult } from '../../engines/evict';
import { fakeEcr, REGISTRY, arnOf, type FakeRepository } from './fake-ecr';
import { daysAgo, index, manifest, NOW, signature } from './fixtures';

const config = (mode: 'report' | 'delete' = 'delete', protect: string[] = []) =>
  parseConfig({
    account: REGISTRY,
    region: 'eu-west-2',
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      { prefix: 'k8s', upstream: 'k8s' },
    ],
    repositories: { eviction: { unpulledDays: 90, mode, protect } },
  });

const ecr = new ECRClient({ region: 'eu-west-2' });
const noSleep = { sleep: async () => undefined };

function repo(images: ImageRecord[], children: [ImageRecord, ImageRecord[]][] = [], tags?: Record<string, string>): FakeRepository {
  return { images, children: new Map(children.map(([i, c]) => [i.imageDigest, c.map((x) => x.imageDigest)])), ...(tags ? { tags } : {}) };
}

async function run(
  state: Map<string, FakeRepository>,
  opts: { mode?: 'report' | 'delete'; protect?: string[]; pins?: PinnedImages; dryRun?: boolean } = {},
  fake = fakeEcr(state),
) {
  const results: RepositoryResult[] = [];
  const report = await evict({
    ecr,
    config: config(opts.mode, opts.protect),
    pins: opts.pins ?? NO_PINS,
    now: NOW,
    registryId: REGISTRY,
    readManifests: true,
    dryRun: opts.dryRun ?? false,
    retry: noSleep,
    onRepository: (r) => results.push(r),
  });
  return {
    report,
    results,
    fake,
    deletes: fake.commandCalls(BatchDeleteImageCommand).map((c) => c.args[0].input.imageIds!.map((i) => i.imageDigest)),
  };
}

afterEach(() => jest.restoreAllMocks());

describe('evict, against a fake ECR', () => {
  test('keeps a multi-arch tag pulled yesterday only by its arm64 child whole, and writes nothing', async () => {
    const amd64 = manifest('amd64');
    const arm64 = manifest('arm64', { lastRecordedPullTime: daysAgo(1) });
    const idx = index('idx', [amd64, arm64], { imageTags: ['1.27'] });
    const state = new Map([['docker-hub/library/nginx', repo([idx, amd64, arm64], [[idx, [amd64, arm64]]])]]);
    const { deletes, results, fake } = await run(state);
    expect(deletes).toEqual([]);
    expect(results[0]!.plan.groups.map((g) => [g.tags, g.action])).toEqual([[['1.27'], 'keep']]);
    expect(fake).toHaveReceivedCommandWith(BatchGetImageCommand, {
      registryId: REGISTRY,
      repositoryName: 'docker-hub/library/nginx',
      imageIds: [{ imageDigest: idx.imageDigest }],
      acceptedMediaTypes: ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'],
    });
  });

  test('deletes an index unpulled for 100 days with all its children and its signature, by digest, signature and index first', async () => {
    const amd64 = manifest('amd64', { lastRecordedPullTime: daysAgo(100) });
    const arm64 = manifest('arm64');
    const idx = index('idx', [amd64, arm64], { imageTags: ['1.25'], lastRecordedPullTime: daysAgo(100) });
    const sig = signature('sig', idx);
    const state = new Map([['docker-hub/library/nginx', repo([idx, amd64, arm64, sig], [[idx, [amd64, arm64]]])]]);
    const { deletes, report } = await run(state);
    expect(deletes).toEqual([[sig.imageDigest], [idx.imageDigest], [amd64.imageDigest, arm64.imageDigest]]);
    expect(state.get('docker-hub/library/nginx')!.images).toEqual([]);
    expect(report.prefixes).toEqual([
      expect.objectContaining({ prefix: 'docker-hub', mode: 'delete', evictedImages: 4, evictedBytes: 60_001_500, failedImages: 0 }),
    ]);
  });

  test('keeps a child shared by two indexes while either is kept', async () => {
    const shared = manifest('shared');
    const own = manifest('own');
    const old = index('old', [shared, own], { imageTags: ['old'] });
    const fresh = index('fresh', [shared], { imageTags: ['fresh'], lastRecordedPullTime: daysAgo(3) });
    const state = new Map([
      [
        'k8s/coredns',
        repo(
          [old, fresh, shared, own],
          [
            [old, [shared, own]],
            [fresh, [shared]],
          ],
        ),
      ],
    ]);
    const { deletes } = await run(state);
    expect(deletes.flat()).toEqual([old.imageDigest, own.imageDigest]);
    expect(state.get('k8s/coredns')!.images.map((i) => i.imageDigest)).toEqual([fresh.imageDigest, shared.imageDigest]);
  });

  test('keeps protected and prewarmed images', async () => {
    const latest = manifest('latest', { imageTags: ['latest'] });
    const pinned = manifest('pinned', { imageTags: ['1.27'] });
    const old = manifest('old', { imageTags: ['1.20'] });
    const state = new Map([['docker-hub/library/nginx', repo([latest, pinned, old])]]);
    const pins: PinnedImages = { tags: new Set(['docker-hub/library/nginx:1.27']), digests: new Set(), sources: new Map() };
    const { deletes } = await run(state, { protect: ['*:latest'], pins });
    expect(deletes).toEqual([[old.imageDigest]]);
  });

  test('a tag re-pointed between listing and deletion survives, on either side', async () => {
    // The cache's refresh moves tag 1.25 from the old index to the untagged image the listing found unpulled.
    const oldIndex = manifest('old', { imageTags: ['1.25'] });
    const orphan = manifest('orphan');
    const state = new Map([['docker-hub/library/nginx', repo([oldIndex, orphan])]]);
    const fake = fakeEcr(state, {
      beforeDescribe: (_name, call) => {
        if (call !== 2) return;
        const images = state.get('docker-hub/library/nginx')!.images;
        images[0] = { ...images[0]!, imageTags: [] };
        images[1] = { ...images[1]!, imageTags: ['1.25'] };
      },
    });
    const { deletes, results } = await run(state, {}, fake);
    expect(fake).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
    expect(deletes).toEqual([]);
    expect(state.get('docker-hub/library/nginx')!.images.find((i) => i.imageTags?.includes('1.25'))?.imageDigest).toBe(orphan.imageDigest);
    expect(results[0]!.plan.groups.every((g) => g.action === 'keep' && /changed since it was listed/.test(g.reason))).toBe(true);
  });

  test('report mode writes nothing, and says what it would free', async () => {
    const a = manifest('a', { imageTags: ['1'] });
    const b = manifest('b', { imageTags: ['2'], lastRecordedPullTime: daysAgo(4) });
    const state = new Map([['k8s/pause', repo([a, b])]]);
    const { deletes, report, fake } = await run(state, { mode: 'report' });
    expect(deletes).toEqual([]);
    const sent = fake.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(new Set(sent)).toEqual(new Set(['DescribeRepositoriesCommand', 'ListTagsForResourceCommand', 'DescribeImagesCommand']));
    expect(report.prefixes[0]).toMatchObject({
      mode: 'report',
      evictableGroups: 1,
      evictableImages: 1,
      evictableBytes: 30_000_000,
      evictedImages: 0,
      storedBytes: 60_000_000,
    });
    const dry = await run(new Map([['k8s/pause', repo([a, b])]]), { mode: 'delete', dryRun: true });
    expect(dry.deletes).toEqual([]);
    expect(dry.report.prefixes[0]!.mode).toBe('report');
  });

  test('a throttled BatchDeleteImage is retried with growing pauses and loses nothing', async () => {
    const images = Array.from({ length: 150 }, (_, i) => manifest(`m${i}`, { imageTags: [`v${i}`] }));
    const state = new Map([['docker-hub/library/redis', repo(images)]]);
    const fake = fakeEcr(state);
    let throttled = 0;
    const { deleteFrom } = await import('./fake-ecr');
    fake.on(BatchDeleteImageCommand).callsFake((input: { repositoryName: string; imageIds: { imageDigest?: string }[] }) => {
      if (throttled < 3) {
        throttled++;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      }
      return deleteFrom(state, input.repositoryName, input.imageIds);
    });
    const pauses: number[] = [];
    const report = await evict({
      ecr,
      config: config(),
      pins: NO_PINS,
      now: NOW,
      readManifests: true,
      retry: { sleep: async (ms) => void pauses.push(ms) },
    });
    expect(pauses).toEqual([500, 1000, 2000]);
    expect(fake.commandCalls(BatchDeleteImageCommand).map((c) => c.args[0].input.imageIds!.length)).toEqual([100, 100, 100, 100, 50]);
    expect(state.get('docker-hub/library/redis')!.images).toEqual([]);
    expect(report).toMatchObject({ failedCount: 0, prefixes: [expect.objectContaining({ evictedImages: 150 })] });
  });

  test('never describes a repository outside the prefixes, nor one tagged ptc-autopilot:ignore=true', async () => {
    const old = () => manifest('old', { imageTags: ['1'] });
    const state = new Map([
      ['docker-hubx/nginx', repo([old()])],
      ['team-a/api', repo([old()])],
      ['k8s/ignored', repo([old()], [], { 'ptc-autopilot:ignore': 'TRUE' })],
      ['k8s/pause', repo([old()])],
    ]);
    const { fake, report } = await run(state);
    expect(fake.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input.repositoryName)).toEqual(['k8s/pause', 'k8s/pause']);
    expect(fake.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input.resourceArn)).toEqual([
      arnOf('k8s/ignored'),
      arnOf('k8s/pause'),
    ]);
    expect(state.get('team-a/api')!.images).toHaveLength(1);
    expect(report.prefixes).toEqual([expect.objectContaining({ prefix: 'k8s', repositories: 1, ignored: 1 })]);
  });

  test('reads every DescribeImages page, 1,000 images a page', async () => {
    const images = Array.from({ length: 2500 }, (_, i) => manifest(`p${i}`, { imageTags: [`v${i}`], lastRecordedPullTime: daysAgo(1) }));
    const state = new Map([['k8s/big', repo(images)]]);
    const { fake, report } = await run(state);
    expect(fake.commandCalls(DescribeImagesCommand).map((c) => [c.args[0].input.maxResults, c.args[0].input.nextToken])).toEqual([
      [1000, undefined],
      [1000, '1000'],
      [1000, '2000'],
    ]);
    expect(report.prefixes[0]!.images).toBe(2500);
  });

  test('names a refused deletion and leaves what the refused image refers to', async () => {
    const child = manifest('child');
    const idx = index('idx', [child], { imageTags: ['1'] });
    const state = new Map([['k8s/pause', repo([idx, child], [[idx, [child]]])]]);
    const fake = fakeEcr(state);
    fake.on(BatchDeleteImageCommand).resolvesOnce({
      imageIds: [],
      failures: [{ imageId: { imageDigest: idx.imageDigest }, failureCode: 'KmsError', failureReason: 'KMS key disabled' }],
    });
    const { report, deletes } = await run(state, {}, fake);
    expect(deletes).toEqual([[idx.imageDigest]]);
    expect(report.failedCount).toBe(2);
    expect(report.failures).toEqual([
      { repository: 'k8s/pause', digest: idx.imageDigest, code: 'KmsError', reason: 'KMS key disabled' },
      {
        repository: 'k8s/pause',
        digest: child.imageDigest,
        code: 'NotAttempted',
        reason: expect.stringMatching(/earlier deletion in this repository failed/),
      },
    ]);
  });

  test('skips a repository deleted since the listing, and names one it cannot read while the others go on', async () => {
    const old = () => manifest('old', { imageTags: ['1'] });
    const state = new Map([
      ['k8s/denied', repo([old()])],
      ['k8s/gone', repo([old()])],
      ['k8s/pause', repo([old()])],
    ]);
    const fake = fakeEcr(state);
    fake
      .on(DescribeImagesCommand, { repositoryName: 'k8s/gone' })
      .rejects(Object.assign(new Error('The repository does not exist'), { name: 'RepositoryNotFoundException' }));
    fake
      .on(DescribeImagesCommand, { repositoryName: 'k8s/denied' })
      .rejects(Object.assign(new Error('not authorized to perform ecr:DescribeImages'), { name: 'AccessDeniedException' }));
    const { report } = await run(state, {}, fake);
    expect(report.failures).toEqual([
      { repository: 'k8s/denied', digest: '', code: 'AccessDeniedException', reason: 'not authorized to perform ecr:DescribeImages' },
    ]);
    expect(state.get('k8s/pause')!.images).toEqual([]);
  });

  test('lists nothing when no prefix has eviction on', async () => {
    const fake = fakeEcr(new Map([['k8s/pause', repo([manifest('old', { imageTags: ['1'] })])]]));
    const report = await evict({
      ecr,
      config: parseConfig({ account: REGISTRY, region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] }),
      pins: NO_PINS,
      readManifests: true,
    });
    expect(report.prefixes).toEqual([]);
    expect(fake.calls()).toHaveLength(0);
  });
});
