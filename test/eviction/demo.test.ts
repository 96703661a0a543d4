/**
 * The report-mode run docs/eviction.md shows: the real CLI (bin/ptc.js, spawned) against the demo's
 * fake ECR on 127.0.0.1 (bench/eviction-demo.ts), reached through AWS_ENDPOINT_URL_ECR.
 */
import { startDemoEcr, runDemoCli } from '../../bench/eviction-demo';

jest.setTimeout(120_000);

describe('a report-mode run of ptc evict against the demo ECR', () => {
  test('lists the unpulled index with its children and signature and the orphan, keeps the rest, and deletes nothing', async () => {
    const { server, registry } = await startDemoEcr();
    try {
      const text = await runDemoCli(server.endpoint, ['evict']);
      expect(text.code).toBe(0);
      const lines = text.stdout.trimEnd().split('\n');
      expect(lines).toEqual([
        'evicting in 111122223333 eu-west-2 (environment default)',
        'would evict k8s/kube-apiserver:v1.29.0 (4 images, 55.5 MB): pulled 100 days ago (limit 90 days)',
        expect.stringMatching(
          /^would evict quay\/coreos\/etcd@sha256:[0-9a-f]{12} \(1 image, 57\.0 MB\): never pulled, pushed 150 days ago \(limit 90 days\)$/,
        ),
        'k8s: 3 repositories, 8 images, 116.1 MB stored; 4 images evictable (55.5 MB), nothing deleted; 60.6 MB kept (about $0.01 a month at $0.1 per GB-month)',
        'quay: 1 repository, 3 images, 175.0 MB stored; 1 image evictable (57.0 MB), nothing deleted; 118.0 MB kept (about $0.01 a month at $0.1 per GB-month)',
      ]);

      const json = await runDemoCli(server.endpoint, ['evict', '--json']);
      expect(json.code).toBe(0);
      const doc = JSON.parse(json.stdout) as { groups: { repository: string; tags: string[]; action: string; reason: string }[] };
      const decided = doc.groups.map((g) => [g.repository, g.tags.join(','), g.action, g.reason]);
      expect(decided).toEqual(
        expect.arrayContaining([
          ['k8s/kube-proxy', 'v1.31.2', 'keep', 'pulled 1 day ago (limit 90 days)'],
          ['k8s/pause', '3.10', 'keep', 'pinned by prewarm.images[0] (k8s/pause:3.10)'],
          ['quay/coreos/etcd', 'latest', 'keep', 'protected by "*:latest"'],
        ]),
      );
      // Report mode writes nothing; the repository outside the prefixes is never described; no manifest is read (a pull).
      expect(registry.deleted.size).toBe(0);
      expect(registry.calls.get('BatchDeleteImage')).toBeUndefined();
      expect(registry.calls.get('BatchGetImage')).toBeUndefined();
      expect(registry.calls.get('DescribeImages')).toBe(8);
    } finally {
      await server.close();
    }
  });
});
