/**
 * `ptc copy` with seeds against the config's own ECR registry: before any registry request, it asks
 * ECR for each cache repository's lifecycle policy (aws-sdk-client-mock, GetLifecyclePolicy's
 * documented shape) and refuses, one line each, the seeds a policy could expire. Every seed here is
 * refused, so no registry is contacted at all (nothing leaves the process).
 */
import { ECRClient, GetAuthorizationTokenCommand, GetLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { canonicalJson, lifecyclePolicy } from '../../core';
import { recordingIo } from '../cli/fake-io';

const D1 = `sha256:${'1'.repeat(64)}`;
const REGISTRY = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const ecr = mockClient(ECRClient);
const secrets = mockClient(SecretsManagerClient);
let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ptc-seed-cli-'));
  file = path.join(dir, 'ptc.yaml');
  writeFileSync(
    file,
    [
      'account: "111122223333"',
      'region: eu-west-2',
      'rules:',
      `  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub }, seeds: ["nginx:1.27@${D1}"] }`,
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  ecr.reset();
  secrets.reset();
  ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      { authorizationToken: Buffer.from('AWS:not-a-real-token').toString('base64'), proxyEndpoint: `https://${REGISTRY}` },
    ],
  });
});

test("a cache repository whose lifecycle policy is the user's own is not seeded: one line says why and what to do, exit 1", async () => {
  ecr.on(GetLifecyclePolicyCommand, { repositoryName: 'docker-hub/library/nginx' }).resolves({
    registryId: '111122223333',
    repositoryName: 'docker-hub/library/nginx',
    lifecyclePolicyText: JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: 'team: keep 10',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 },
          action: { type: 'expire' },
        },
      ],
    }),
  });
  const io = recordingIo();
  expect(await run(['copy', '--config', file, '--json'], io)).toBe(1);
  const report = JSON.parse(io.out) as { summary: Record<string, number>; results: { image: string; status: string; reason: string }[] };
  expect(report.summary).toMatchObject({ images: 1, failed: 1, copied: 0 });
  expect(report.results).toEqual([
    expect.objectContaining({
      image: `nginx:1.27@${D1}`,
      status: 'failed',
      reason:
        'not seeded: docker-hub/library/nginx: its lifecycle policy does not keep ptc-seed-* tags first, so a seed could expire; deploy the stack with rules[0].seeds and run ptc reconcile (the seed rule goes first) or put it there yourself (docs/copy.md, "Seeding pinned digests")',
    }),
  ]);
  expect(ecr).toHaveReceivedCommandWith(GetLifecyclePolicyCommand, { repositoryName: 'docker-hub/library/nginx' });
  // Refused before the upstream's secret is read: nothing is fetched for a seed that will not be written.
  expect(secrets.calls()).toHaveLength(0);
});

test('the plain-text report names the seed and the reason on one line', async () => {
  ecr.on(GetLifecyclePolicyCommand).resolves({
    lifecyclePolicyText: canonicalJson(lifecyclePolicy({ keepLastTagged: 100, archiveUnpulledDays: 30, protectSeeds: true })),
  });
  const io = recordingIo();
  expect(await run(['copy', '--config', file], io)).toBe(1);
  expect(io.out).toContain(
    `failed    nginx:1.27@${D1}: not seeded: docker-hub/library/nginx: its lifecycle policy archives images, which no tag is documented to prevent;`,
  );
  expect(io.out).toMatch(/1 images copied to https:\/\/111122223333\.dkr\.ecr\.eu-west-2\.amazonaws\.com: 0 copied, 0 unchanged, 1 failed/);
});
