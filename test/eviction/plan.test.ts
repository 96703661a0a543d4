import { compileProtect, NO_PINS, planRepository, type ImageRecord, type PinnedImages, type RepositoryImages } from '../../core/eviction';
import { daysAgo, digest, DOCKER_LIST, index, manifest, NOW, signature } from './fixtures';

const options = (extra: Partial<Parameters<typeof planRepository>[1]> = {}) => ({
  unpulledDays: 90,
  protect: compileProtect([]),
  pins: NO_PINS,
  now: NOW,
  ...extra,
});

function repo(
  images: ImageRecord[],
  children: [ImageRecord, ImageRecord[]][],
  repositoryName = 'docker-hub/library/nginx',
): RepositoryImages {
  return { repositoryName, images, children: new Map(children.map(([i, c]) => [i.imageDigest, c.map((x) => x.imageDigest)])) };
}

describe('planRepository', () => {
  test('a multi-arch tag pulled yesterday only by its arm64 child is kept whole', () => {
    const amd64 = manifest('amd64');
    const arm64 = manifest('arm64', { lastRecordedPullTime: daysAgo(1) });
    const idx = index('idx', [amd64, arm64], { imageTags: ['1.27'] });
    const plan = planRepository(repo([idx, amd64, arm64], [[idx, [amd64, arm64]]]), options());
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]).toMatchObject({
      tags: ['1.27'],
      action: 'keep',
      digests: [idx.imageDigest, amd64.imageDigest, arm64.imageDigest],
      lastPull: daysAgo(1),
    });
    expect(plan.rounds.flat()).toEqual([]);
  });

  test('an index unpulled for 100 days goes with all its children and its signature, the signature and index first', () => {
    const amd64 = manifest('amd64', { lastRecordedPullTime: daysAgo(100) });
    const arm64 = manifest('arm64');
    const idx = index('idx', [amd64, arm64], { imageTags: ['1.25'], lastRecordedPullTime: daysAgo(100) });
    const sig = signature('sig', idx);
    const plan = planRepository(repo([idx, amd64, arm64, sig], [[idx, [amd64, arm64]]]), options());
    expect(plan.groups[0]).toMatchObject({
      action: 'evict',
      reason: 'pulled 100 days ago (limit 90 days)',
      bytes: 60_001_500,
      freedBytes: 60_001_500,
    });
    expect(new Set(plan.groups[0]!.deletes)).toEqual(new Set([idx.imageDigest, amd64.imageDigest, arm64.imageDigest, sig.imageDigest]));
    expect(plan.rounds).toEqual([[sig.imageDigest], [idx.imageDigest], [amd64.imageDigest, arm64.imageDigest]]);
  });

  test("counts an index's bytes from its manifests, never its own imageSizeInBytes (the largest of them)", () => {
    const a = manifest('a', { imageSizeInBytes: 10 });
    const b = manifest('b', { imageSizeInBytes: 20 });
    const idx = index('idx', [a, b], { imageTags: ['x'] });
    expect(idx.imageSizeInBytes).toBe(20);
    expect(planRepository(repo([idx, a, b], [[idx, [a, b]]]), options()).storedBytes).toBe(30);
  });

  test('a child shared by two indexes stays while either is kept, and goes when both go', () => {
    const shared = manifest('shared');
    const oldOnly = manifest('old-only');
    const old = index('old', [shared, oldOnly], { imageTags: ['old'] });
    const fresh = index('fresh', [shared], { imageTags: ['fresh'], lastRecordedPullTime: daysAgo(2) });
    const plan = planRepository(
      repo(
        [old, fresh, shared, oldOnly],
        [
          [old, [shared, oldOnly]],
          [fresh, [shared]],
        ],
      ),
      options(),
    );
    const byTag = (t: string) => plan.groups.find((g) => g.tags.includes(t))!;
    expect(byTag('old').action).toBe('evict');
    expect(byTag('old').deletes).toEqual([old.imageDigest, oldOnly.imageDigest]);
    expect(byTag('old').reason).toMatch(/1 member\(s\) stay, shared with a kept group/);
    expect(byTag('fresh').action).toBe('keep');
    const both = planRepository(
      repo(
        [old, { ...fresh, lastRecordedPullTime: daysAgo(120) }, shared, oldOnly],
        [
          [old, [shared, oldOnly]],
          [fresh, [shared]],
        ],
      ),
      options(),
    );
    expect(new Set(both.rounds.flat())).toEqual(new Set([old.imageDigest, fresh.imageDigest, shared.imageDigest, oldOnly.imageDigest]));
    expect(both.groups.reduce((n, g) => n + g.freedBytes, 0)).toBe(60_000_000);
  });

  test('a protected tag stays; a pattern without a tag protects untagged images too', () => {
    const latest = manifest('latest', { imageTags: ['latest'] });
    const orphan = manifest('orphan');
    const plan = planRepository(repo([latest, orphan], []), options({ protect: compileProtect(['*:latest']) }));
    expect(plan.groups.map((g) => [g.tags, g.action, g.reason])).toEqual([
      [['latest'], 'keep', 'protected by "*:latest"'],
      [[], 'evict', 'never pulled, pushed 200 days ago (limit 90 days)'],
    ]);
    const whole = planRepository(repo([latest, orphan], []), options({ protect: compileProtect(['docker-hub/*']) }));
    expect(whole.groups.every((g) => g.action === 'keep')).toBe(true);
  });

  test('a prewarmed tag stays, matched per tag', () => {
    const v1 = manifest('v1', { imageTags: ['1.27'] });
    const v2 = manifest('v2', { imageTags: ['1.26'] });
    const pins: PinnedImages = {
      tags: new Set(['docker-hub/library/nginx:1.27']),
      digests: new Set(),
      sources: new Map([['docker-hub/library/nginx:1.27', 'prewarm.images[0]']]),
    };
    const plan = planRepository(repo([v1, v2], []), options({ pins }));
    expect(plan.groups.map((g) => [g.tags[0], g.action, g.reason])).toEqual([
      ['1.27', 'keep', 'pinned by prewarm.images[0] (docker-hub/library/nginx:1.27)'],
      ['1.26', 'evict', 'never pulled, pushed 200 days ago (limit 90 days)'],
    ]);
  });

  test("keeps an image pulled inside the limit plus a day of ECR's pull-record lag", () => {
    const edge = manifest('edge', { imageTags: ['a'], lastRecordedPullTime: daysAgo(90.5) });
    const past = manifest('past', { imageTags: ['b'], lastRecordedPullTime: daysAgo(91.5) });
    expect(planRepository(repo([edge, past], []), options()).groups.map((g) => g.action)).toEqual(['keep', 'evict']);
  });

  test('an index whose children were not read keeps every other image while it is kept', () => {
    const child = manifest('child');
    const tagged = manifest('tagged', { imageTags: ['other'] });
    const idx = index('idx', [child], { imageTags: ['multi'], imageManifestMediaType: DOCKER_LIST, lastRecordedPullTime: daysAgo(3) });
    const plan = planRepository({ repositoryName: 'k8s/pause', images: [idx, child, tagged], children: new Map() }, options());
    expect(plan.groups.find((g) => g.tags.includes('other'))!.action).toBe('evict');
    expect(plan.rounds.flat()).toEqual([]);
  });

  test('a group with a member changed since listing is kept, with everything it reaches', () => {
    const a = manifest('a');
    const idx = index('idx', [a], { imageTags: ['t'] });
    const plan = planRepository(repo([idx, a], [[idx, [a]]]), options({ changed: new Set([a.imageDigest]) }));
    expect(plan.groups[0]).toMatchObject({ action: 'keep', reason: expect.stringMatching(/changed since it was listed/) });
    expect(plan.rounds).toEqual([]);
  });

  test('an orphan referrer whose subject is gone is its own group, on the same clock', () => {
    const ghost = { imageDigest: digest('gone') } as ImageRecord;
    const sig = signature('sig', ghost);
    const plan = planRepository(repo([sig], []), options());
    expect(plan.groups).toEqual([expect.objectContaining({ tags: [], digests: [sig.imageDigest], action: 'evict' })]);
  });
});
