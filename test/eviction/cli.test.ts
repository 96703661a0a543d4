import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BatchDeleteImageCommand, BatchGetImageCommand } from '@aws-sdk/client-ecr';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { fakeEcr, type FakeRepository } from './fake-ecr';
import { index, manifest, signature } from './fixtures';

/** A config written for these tests (invented), with eviction on in `mode`. */
function configFile(mode: 'report' | 'delete'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptc-evict-'));
  const file = path.join(dir, 'ptc.yaml');
  fs.writeFileSync(
    file,
    [
      'account: "111122223333"',
      'region: eu-west-2',
      'rules:',
      '  - { prefix: k8s, upstream: k8s }',
      'prewarm:',
      '  images: [registry.k8s.io/pause:3.10]',
      'repositories:',
      `  eviction: { unpulledDays: 90, mode: ${mode} }`,
    ].join('\n'),
  );
  return file;
}

function state(): Map<string, FakeRepository> {
  // Relative to the real clock: the CLI runs at "now".
  const stale = { ...manifest('amd64'), imagePushedAt: new Date(Date.now() - 200 * 86400000) };
  const idx = { ...index('idx', [stale], { imageTags: ['v1.30.0'] }), imagePushedAt: new Date(Date.now() - 200 * 86400000) };
  const sig = { ...signature('sig', idx), imagePushedAt: new Date(Date.now() - 200 * 86400000) };
  const pause = { ...manifest('pause', { imageTags: ['3.10'] }), imagePushedAt: new Date(Date.now() - 300 * 86400000) };
  const fresh = {
    ...manifest('fresh', { imageTags: ['3.9'] }),
    imagePushedAt: new Date(Date.now() - 300 * 86400000),
    lastRecordedPullTime: new Date(Date.now() - 86400000),
  };
  return new Map([
    ['k8s/kube-proxy', { images: [idx, stale, sig], children: new Map([[idx.imageDigest, [stale.imageDigest]]]) }],
    ['k8s/pause', { images: [pause, fresh], children: new Map() }],
  ]);
}

describe('ptc evict', () => {
  test('--json prints one document of groups and totals, and report mode deletes nothing (exit 0)', async () => {
    const s = state();
    const fake = fakeEcr(s);
    const io = recordingIo();
    expect(await run(['evict', '--config', configFile('report'), '--json'], io)).toBe(0);
    const doc = JSON.parse(io.out);
    expect(Object.keys(doc)).toEqual(['registryId', 'region', 'dryRun', 'groups', 'totals', 'failures']);
    expect(doc.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          repository: 'k8s/kube-proxy',
          tags: ['v1.30.0'],
          action: 'evict',
          lastPull: null,
          bytes: 30_001_500,
          reason: expect.stringMatching(/^never pulled, pushed 200 days ago/),
        }),
        expect.objectContaining({
          repository: 'k8s/pause',
          tags: ['3.10'],
          action: 'keep',
          reason: 'pinned by prewarm.images[0] (k8s/pause:3.10)',
        }),
        expect.objectContaining({ repository: 'k8s/pause', tags: ['3.9'], action: 'keep', lastPull: expect.any(String) }),
      ]),
    );
    for (const g of doc.groups)
      expect(Object.keys(g)).toEqual(expect.arrayContaining(['repository', 'tags', 'digests', 'lastPull', 'bytes', 'action', 'reason']));
    expect(doc.totals).toMatchObject({
      images: 5,
      evictableImages: 3,
      evictableBytes: 30_001_500,
      evictedImages: 0,
      keptBytes: 60_000_000,
      monthlyStorageCostKeptUsd: 0.01,
    });
    expect(fake).toHaveReceivedCommandTimes(BatchDeleteImageCommand, 0);
    expect(fake).toHaveReceivedCommandTimes(BatchGetImageCommand, 0);
    fake.restore();
  });

  test('--dry-run in delete mode deletes nothing; delete mode deletes and exits 0', async () => {
    const s = state();
    const fake = fakeEcr(s);
    const dry = recordingIo();
    expect(await run(['evict', '--config', configFile('delete'), '--dry-run'], dry)).toBe(0);
    expect(fake).toHaveReceivedCommandTimes(BatchDeleteImageCommand, 0);
    expect(dry.out).toMatch(/would evict k8s\/kube-proxy:v1\.30\.0 \(3 images, 30\.0 MB\)/);
    const io = recordingIo();
    expect(await run(['evict', '--config', configFile('delete'), '--read-manifests'], io)).toBe(0);
    expect(io.out).toMatch(/evicted k8s\/kube-proxy:v1\.30\.0 \(3 images, 30\.0 MB\)/);
    expect(io.out).toMatch(
      /k8s: 2 repositories, 5 images, 90\.0 MB stored; 3 images evicted \(30\.0 MB\); 60\.0 MB kept \(about \$0\.01 a month at \$0\.1 per GB-month\)/,
    );
    expect(s.get('k8s/kube-proxy')!.images).toEqual([]);
    expect(s.get('k8s/pause')!.images).toHaveLength(2);
    fake.restore();
  });

  test('exits 1 naming each deletion that failed', async () => {
    const s = state();
    const fake = fakeEcr(s);
    fake.on(BatchDeleteImageCommand).resolves({
      imageIds: [],
      failures: [{ imageId: { imageDigest: 'sha256:' + 'f'.repeat(64) }, failureCode: 'KmsError', failureReason: 'key disabled' }],
    });
    const io = recordingIo();
    expect(await run(['evict', '--config', configFile('delete')], io)).toBe(1);
    expect(io.err).toMatch(/^failed to delete k8s\/kube-proxy@sha256:f{64}: KmsError: key disabled$/m);
    expect(io.err).toMatch(/NotAttempted/);
    fake.restore();
  });
});
