/**
 * `ptc plan --storage` / `--storage-from`: the monthly storage cost of what eviction would keep, from
 * a report-mode pass over the fake ECR (aws-sdk-client-mock, test/eviction/fake-ecr.ts) or from the
 * JSON `ptc evict --json` printed. Config and images invented for these tests (fixtures.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BatchDeleteImageCommand, BatchGetImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { fakeEcr, REGISTRY, type FakeRepository } from './fake-ecr';
import { index, manifest, signature } from './fixtures';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

function tempFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ptc-storage-')), name);
  fs.writeFileSync(file, text);
  return file;
}

/** k8s evicts (report mode, 90 days); quay does not evict but archives after 30 days unpulled. */
const CONFIG = [
  'account: "111122223333"',
  'region: eu-west-2',
  'rules:',
  '  - { prefix: k8s, upstream: k8s }',
  '  - { prefix: quay, upstream: quay }',
  'prewarm:',
  '  images: [registry.k8s.io/pause:3.10]',
  'repositories:',
  '  overrides:',
  '    - { prefix: k8s, eviction: { unpulledDays: 90 } }',
  '    - { prefix: quay, lifecycle: { archiveUnpulledDays: 30 } }',
].join('\n');

function state(): Map<string, FakeRepository> {
  const child = manifest('amd64', { imageSizeInBytes: 2_000_000_000, imagePushedAt: ago(200) });
  const idx = index('idx', [child], { imageTags: ['v1.30.0'], imagePushedAt: ago(200) });
  const sig = signature('sig', idx, { imagePushedAt: ago(200) });
  const pause = manifest('pause', { imageTags: ['3.10'], imageSizeInBytes: 1_000_000_000, imagePushedAt: ago(300) });
  const fresh = manifest('fresh', {
    imageTags: ['3.9'],
    imageSizeInBytes: 3_000_000_000,
    imagePushedAt: ago(300),
    lastRecordedPullTime: ago(1),
  });
  const old = manifest('old', {
    imageTags: ['1.0'],
    imageSizeInBytes: 5_000_000_000,
    imagePushedAt: ago(100),
    lastRecordedPullTime: ago(40),
  });
  const recent = manifest('recent', {
    imageTags: ['2.0'],
    imageSizeInBytes: 5_000_000_000,
    imagePushedAt: ago(100),
    lastRecordedPullTime: ago(10),
  });
  return new Map([
    ['k8s/kube-proxy', { images: [idx, child, sig], children: new Map([[idx.imageDigest, [child.imageDigest]]]) }],
    ['k8s/pause', { images: [pause, fresh], children: new Map() }],
    ['quay/app', { images: [old, recent], children: new Map() }],
    ['team/own', { images: [recent], children: new Map() }],
  ]);
}

describe('ptc plan --storage', () => {
  test('reads the managed repositories in report mode and prints stored, kept and their monthly cost per prefix', async () => {
    const fake = fakeEcr(state());
    const io = recordingIo();
    expect(await run(['plan', '--config', tempFile('ptc.yaml', CONFIG), '--storage', '--json'], io)).toBe(0);
    const { storage } = JSON.parse(io.out);
    expect(storage).toMatchObject({
      estimate: true,
      source: 'a report-mode pass over ECR',
      registryId: REGISTRY,
      pricesUsdPerGbMonth: { standard: 0.1, archive: 0.1 },
      note: expect.stringMatching(/shared by two images is counted for each/),
    });
    expect(storage.prefixes).toEqual([
      {
        prefix: 'k8s',
        eviction: true,
        repositories: 2,
        images: 5,
        storedBytes: 6_000_001_500,
        keptBytes: 4_000_000_000,
        storedUsdPerMonth: 0.6,
        keptUsdPerMonth: 0.4,
      },
      {
        prefix: 'quay',
        eviction: false,
        repositories: 1,
        images: 2,
        storedBytes: 10_000_000_000,
        keptBytes: 10_000_000_000,
        storedUsdPerMonth: 1,
        keptUsdPerMonth: 1,
        archive: { archiveUnpulledDays: 30, measuredAtDays: 30, unpulledBytes: 5_000_000_000, archiveUsdPerMonth: 0.5 },
      },
    ]);
    expect(storage.totals).toEqual({
      storedBytes: 16_000_001_500,
      keptBytes: 14_000_000_000,
      storedUsdPerMonth: 1.6,
      keptUsdPerMonth: 1.4,
    });
    // Reads only: no manifest read (a pull), no deletion, and the repository outside the prefixes is never described.
    expect(fake).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 1);
    expect(fake).toHaveReceivedCommandWith(DescribeImagesCommand, { registryId: REGISTRY, repositoryName: 'quay/app', maxResults: 1000 });
    expect(fake).not.toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: 'team/own' });
    expect(fake).toHaveReceivedCommandTimes(BatchGetImageCommand, 0);
    expect(fake).toHaveReceivedCommandTimes(BatchDeleteImageCommand, 0);
    fake.restore();
  });

  test('prints the estimate after the plan as text, at the price given', async () => {
    const fake = fakeEcr(state());
    const io = recordingIo();
    expect(await run(['plan', '--config', tempFile('ptc.yaml', CONFIG), '--storage', '--storage-price', '0.2'], io)).toBe(0);
    expect(io.out).toMatch(
      /^Storage estimate, from a report-mode pass over ECR of 111122223333 eu-west-2, at \$0\.2 per GB-month \(an estimate: /m,
    );
    expect(io.out).toMatch(
      /^ {2}k8s: 2 repositories, 5 images, 6\.0 GB stored \(\$1\.20 a month\); eviction would keep 4\.0 GB \(\$0\.80 a month\)$/m,
    );
    expect(io.out).toMatch(/^ {2}quay: 1 repository, 2 images, 10\.0 GB stored \(\$2\.00 a month\); eviction off: all kept$/m);
    expect(io.out).toMatch(
      /^ {4}archive rule \(30 days unpulled\): 5\.0 GB unpulled for 30 days would move to the archive class at \$0\.1 per GB-month \(\$0\.50 a month, billed at least 90 days/m,
    );
    expect(io.out).toMatch(/^ {2}total: 16\.0 GB stored \(\$3\.20 a month\), 14\.0 GB kept \(\$2\.80 a month\)$/m);
    fake.restore();
  });

  test('--storage-from reads what ptc evict --json printed, without calling AWS', async () => {
    const config = tempFile('ptc.yaml', CONFIG);
    const fake = fakeEcr(state());
    const evicted = recordingIo();
    expect(await run(['evict', '--config', config, '--json'], evicted)).toBe(0);
    const file = tempFile('evict.json', evicted.out);
    fake.resetHistory();
    const io = recordingIo();
    expect(await run(['plan', '--config', config, '--storage-from', file, '--json'], io)).toBe(0);
    const { storage } = JSON.parse(io.out);
    // ptc evict walks the prefixes that evict: quay is not in its output.
    expect(storage.prefixes).toEqual([
      expect.objectContaining({ prefix: 'k8s', storedBytes: 6_000_001_500, keptBytes: 4_000_000_000, keptUsdPerMonth: 0.4 }),
    ]);
    expect(storage.source).toBe(file);
    expect(fake.calls()).toHaveLength(0);
    fake.restore();
  });

  test('a --storage-from file of another shape is named with its field, in one line', async () => {
    const config = tempFile('ptc.yaml', CONFIG);
    const io = recordingIo();
    const file = tempFile('bad.json', JSON.stringify({ totals: { prefixes: [{ prefix: 'k8s', mode: 'report', storedBytes: 'many' }] } }));
    expect(await run(['plan', '--config', config, '--storage-from', file], io)).toBe(1);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toMatch(/--storage-from .*bad\.json: totals\.prefixes\[0\]\.repositories: /);
    const price = recordingIo();
    expect(await run(['plan', '--config', config, '--storage-from', file, '--storage-price', 'cheap'], price)).toBe(1);
    expect(price.err).toMatch(/^--storage-price: "cheap" is not a price in USD per GB-month/);
  });
});
