import { BatchDeleteImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { parseConfig } from '../../core';
import { decodeEvictSettings, encodeEvictSettings, EvictSettingsError } from '../../core/lambda-contracts/evict-images/settings';
import { EvictionIncompleteError, runEviction } from '../../functions/evict-images/run';
import { fakeEcr, REGISTRY } from './fake-ecr';
import { daysAgo, index, manifest, NOW } from './fixtures';

const config = parseConfig({
  account: REGISTRY,
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  repositories: {
    tags: { team: 'platform' },
    lifecycle: { keepLastTagged: 20 },
    eviction: { unpulledDays: 30, mode: 'delete' },
    overrides: [{ prefix: 'k8s', scanOnPush: false }],
  },
  prewarm: { images: ['registry.k8s.io/pause:3.10'] },
});

const recorder = () => {
  const lines: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(attributes ? { attributes } : {}) });
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
};

describe('the eviction Lambda', () => {
  test('its settings carry only what eviction needs and read back unchanged', () => {
    const value = encodeEvictSettings(config, { account: REGISTRY, region: 'eu-west-2' });
    const back = decodeEvictSettings(value);
    expect(back.repositories).toEqual({ eviction: { unpulledDays: 30, mode: 'delete' }, overrides: [] });
    expect(back.prewarm.images).toEqual(['registry.k8s.io/pause:3.10']);
    const bad = () => decodeEvictSettings(JSON.stringify({ ...JSON.parse(value), repositories: { eviction: { mode: 'purge' } } }));
    expect(bad).toThrow(EvictSettingsError);
    expect(bad).toThrow(
      'environment variable PTC_EVICT_SETTINGS: config error at repositories.eviction.mode: must be "report" or "delete"',
    );
  });

  test('logs each evicted group by name and publishes stored and evicted figures per prefix', async () => {
    const child = manifest('child');
    const idx = index('idx', [child], { imageTags: ['v1.29.0'], lastRecordedPullTime: daysAgo(45) });
    const pause = manifest('pause', { imageTags: ['3.10'] });
    const state = new Map([
      ['k8s/kube-proxy', { images: [idx, child], children: new Map([[idx.imageDigest, [child.imageDigest]]]) }],
      ['k8s/pause', { images: [pause], children: new Map() }],
    ]);
    const fake = fakeEcr(state);
    const { lines, log } = recorder();
    const metrics: [string, string, number][] = [];
    await runEviction({
      ecr: new ECRClient({}),
      config: decodeEvictSettings(encodeEvictSettings(config, { account: REGISTRY, region: 'eu-west-2' })),
      log,
      metric: (p, n, v) => void metrics.push([p, n, v]),
      now: NOW,
    });
    expect(lines).toContainEqual({
      level: 'info',
      message: 'image group evicted',
      attributes: {
        repositoryName: 'k8s/kube-proxy',
        prefix: 'k8s',
        tags: ['v1.29.0'],
        digests: [idx.imageDigest, child.imageDigest],
        lastPull: daysAgo(45).toISOString(),
        bytes: 30_000_000,
        reason: 'pulled 45 days ago (limit 30 days)',
      },
    });
    expect(metrics).toEqual(
      expect.arrayContaining([
        ['k8s', 'StoredBytes', 60_000_000],
        ['k8s', 'EvictedBytes', 30_000_000],
        ['k8s', 'EvictedImages', 2],
        ['k8s', 'EvictionFailures', 0],
      ]),
    );
    expect(state.get('k8s/pause')!.images).toHaveLength(1);
    fake.restore();
  });

  test('throws EvictionIncompleteError after the pass when a deletion failed, so the DLQ alarm can fire', async () => {
    const old = manifest('old', { imageTags: ['1'] });
    const fake = fakeEcr(new Map([['k8s/x', { images: [old], children: new Map() }]]));
    fake.on(BatchDeleteImageCommand).resolves({
      imageIds: [],
      failures: [{ imageId: { imageDigest: old.imageDigest }, failureCode: 'KmsError', failureReason: 'denied' }],
    });
    const { lines, log } = recorder();
    const payload = decodeEvictSettings(encodeEvictSettings(config, { account: REGISTRY, region: 'eu-west-2' }));
    await expect(runEviction({ ecr: new ECRClient({}), config: payload, log, metric: () => undefined, now: NOW })).rejects.toBeInstanceOf(
      EvictionIncompleteError,
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'image not deleted',
        attributes: expect.objectContaining({ failureCode: 'KmsError', digest: old.imageDigest }),
      }),
    );
    fake.restore();
  });
});
