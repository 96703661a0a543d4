import * as path from 'node:path';
import {
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ListTagsForResourceCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { Command } from 'commander';
import { mockClient } from 'aws-sdk-client-mock';
import { executeCleanup, managedPrefixOf, planCleanup } from '../../cli/cleanup/cleanup';
import { cleanupCommand } from '../../cli/commands/cleanup';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { NOW, serveRegistry } from './helpers';

const CONFIG = path.join(__dirname, '..', 'fixtures', 'audit', 'ptc.yaml');
const REGISTRY = '111122223333';
const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'eu-west-2' });
const PREFIXES = ['docker-hub', 'github', 'k8s', 'ecr'];
const UNDER_PREFIXES = [
  'docker-hub/bitnami/kubectl',
  'docker-hub/library/nginx',
  'k8s/empty-new',
  'k8s/ingress-nginx/controller',
  'k8s/pause',
];
const OUTSIDE = ['docker-hubx/nginx', 'docker-hub', 'team-a/api', 'k8s-mirror/pause'];

beforeEach(() => {
  ecrMock.reset();
  serveRegistry(ecrMock);
});

const deleted = () => ecrMock.commandCalls(DeleteRepositoryCommand).map((c) => c.args[0].input.repositoryName);

describe('prefix boundaries', () => {
  test.each([
    ['docker-hub/library/nginx', 'docker-hub'],
    ['docker-hubx/nginx', undefined],
    ['docker-hub', undefined],
    ['k8s-mirror/pause', undefined],
    ['k8s/ingress-nginx/controller', 'k8s'],
  ])('%s is under %s', (name, prefix) => {
    expect(managedPrefixOf(name, PREFIXES)).toBe(prefix);
  });
});

describe('planCleanup', () => {
  test('reads every page of repositories and keeps only names under a managed prefix', async () => {
    const candidates = await planCleanup(ecr, { registryId: REGISTRY, prefixes: PREFIXES, now: NOW });
    expect(candidates.map((c) => c.repositoryName)).toEqual(UNDER_PREFIXES);
    expect(ecrMock).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 2);
    expect(ecrMock.commandCalls(DescribeRepositoriesCommand).map((c) => c.args[0].input)).toEqual([
      { registryId: REGISTRY, maxResults: 1000 },
      { registryId: REGISTRY, maxResults: 1000, nextToken: 'eyJyZXBvc2l0b3J5TmFtZSI6ImRvY2tlci1odWIifQ==' },
    ]);
    for (const name of OUTSIDE) {
      expect(ecrMock).not.toHaveReceivedCommandWith(DescribeImagesCommand, { repositoryName: name });
      expect(ecrMock).not.toHaveReceivedCommandWith(ListTagsForResourceCommand, {
        resourceArn: `arn:aws:ecr:eu-west-2:${REGISTRY}:repository/${name}`,
      });
    }
  });

  test('counts images over every page and takes the latest pull or push as last use', async () => {
    const candidates = await planCleanup(ecr, { registryId: REGISTRY, prefixes: PREFIXES, now: NOW });
    const nginx = candidates.find((c) => c.repositoryName === 'docker-hub/library/nginx')!;
    expect(nginx).toMatchObject({ images: 2, lastUsed: new Date('2024-08-29T00:00:00Z'), action: 'delete' });
    expect(ecrMock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      registryId: REGISTRY,
      repositoryName: 'docker-hub/library/nginx',
      maxResults: 1000,
      nextToken: 'bmV4dA==',
    });
    expect(candidates.find((c) => c.repositoryName === 'k8s/pause')).toMatchObject({
      images: 1,
      lastUsed: new Date('2024-03-01T00:00:00Z'),
    });
    expect(candidates.find((c) => c.repositoryName === 'k8s/empty-new')).toMatchObject({
      images: 0,
      lastUsed: new Date('2024-08-30T00:00:00Z'),
    });
  });

  test('--unused-days keeps what was pulled, pushed or created within the window', async () => {
    const candidates = await planCleanup(ecr, { registryId: REGISTRY, prefixes: PREFIXES, now: NOW, unusedDays: 30 });
    expect(candidates.filter((c) => c.action === 'delete').map((c) => c.repositoryName)).toEqual([
      'docker-hub/bitnami/kubectl',
      'k8s/pause',
    ]);
    expect(candidates.find((c) => c.repositoryName === 'docker-hub/library/nginx')).toMatchObject({
      action: 'keep',
      reason: 'used 3 days ago',
    });
    expect(candidates.find((c) => c.repositoryName === 'k8s/empty-new')).toMatchObject({ action: 'keep', reason: 'used 2 days ago' });
  });

  test('a repository tagged ptc-autopilot:ignore=true is kept', async () => {
    ecrMock.reset();
    serveRegistry(ecrMock, ['k8s/pause']);
    const candidates = await planCleanup(ecr, { registryId: REGISTRY, prefixes: ['k8s'], now: NOW });
    expect(candidates.find((c) => c.repositoryName === 'k8s/pause')).toMatchObject({
      action: 'keep',
      reason: 'tagged ptc-autopilot:ignore=true',
    });
  });
});

describe('planCleanup when repositories vanish', () => {
  test('a repository deleted between the listing and its inspection is left out, not an error', async () => {
    ecrMock.on(DescribeImagesCommand, { repositoryName: 'k8s/pause' }).rejects(
      new RepositoryNotFoundException({
        message: "The repository with name 'k8s/pause' does not exist in the registry with id '111122223333'",
        $metadata: {},
      }),
    );
    const candidates = await planCleanup(ecr, { registryId: REGISTRY, prefixes: PREFIXES, now: NOW });
    expect(candidates.map((c) => c.repositoryName)).toEqual(UNDER_PREFIXES.filter((n) => n !== 'k8s/pause'));
  });

  test('any other failure while inspecting propagates', async () => {
    ecrMock
      .on(DescribeImagesCommand, { repositoryName: 'k8s/pause' })
      .rejects(Object.assign(new Error('User is not authorized to perform: ecr:DescribeImages'), { name: 'AccessDeniedException' }));
    await expect(planCleanup(ecr, { registryId: REGISTRY, prefixes: PREFIXES, now: NOW })).rejects.toThrow(
      'not authorized to perform: ecr:DescribeImages',
    );
  });
});

describe('executeCleanup', () => {
  test('deletes with force in the named registry; a repository already gone counts as deleted; other failures are reported', async () => {
    ecrMock
      .on(DeleteRepositoryCommand, { repositoryName: 'k8s/pause' })
      .rejects(new RepositoryNotFoundException({ message: 'gone', $metadata: {} }));
    ecrMock
      .on(DeleteRepositoryCommand, { repositoryName: 'docker-hub/bitnami/kubectl' })
      .rejects(Object.assign(new Error('not authorized to perform ecr:DeleteRepository'), { name: 'AccessDeniedException' }));
    const candidates = await planCleanup(ecr, { registryId: REGISTRY, prefixes: PREFIXES, now: NOW, unusedDays: 30 });
    const result = await executeCleanup(ecr, REGISTRY, candidates);
    expect(ecrMock).toHaveReceivedCommandWith(DeleteRepositoryCommand, { registryId: REGISTRY, repositoryName: 'k8s/pause', force: true });
    expect(result.deleted.map((c) => c.repositoryName)).toEqual(['k8s/pause']);
    expect(result.failed).toEqual([
      { repositoryName: 'docker-hub/bitnami/kubectl', message: 'not authorized to perform ecr:DeleteRepository' },
    ]);
  });
});

describe('ptc cleanup', () => {
  test('is a dry run by default: lists what would go and makes no delete call', async () => {
    const io = recordingIo();
    expect(await run(['cleanup', '--config', CONFIG], io)).toBe(0);
    expect(ecrMock).toHaveReceivedCommandTimes(DeleteRepositoryCommand, 0);
    expect(io.out).toMatch(/^REPOSITORY\s+IMAGES\s+LAST USED\s+ACTION\n/);
    expect(io.out).toMatch(/docker-hub\/library\/nginx\s+2\s+2024-08-29\s+would delete/);
    expect(io.out).toContain(
      'dry run: would delete 5 of 5 repositories in 111122223333 eu-west-2 under docker-hub/, github/, k8s/, ecr/ (5 images). Nothing was deleted; run again with --yes to delete them.',
    );
    for (const name of OUTSIDE) expect(io.out).not.toMatch(new RegExp(`^${name}\\s`, 'm'));
  });

  test('--dry-run says the same and still deletes nothing', async () => {
    const io = recordingIo();
    expect(await run(['cleanup', '--config', CONFIG, '--dry-run', '--prefix', 'k8s'], io)).toBe(0);
    expect(ecrMock).toHaveReceivedCommandTimes(DeleteRepositoryCommand, 0);
    expect(io.out).toContain('dry run: would delete 3 of 3 repositories in 111122223333 eu-west-2 under k8s/');
  });

  test('--yes deletes exactly the repositories under the chosen prefix, never one outside', async () => {
    const io = recordingIo();
    expect(await run(['cleanup', '--config', CONFIG, '--prefix', 'docker-hub', '--yes'], io)).toBe(0);
    expect(deleted().sort()).toEqual(['docker-hub/bitnami/kubectl', 'docker-hub/library/nginx']);
    for (const name of OUTSIDE) expect(ecrMock).not.toHaveReceivedCommandWith(DeleteRepositoryCommand, { repositoryName: name });
    expect(io.out).toContain('deleted 2 repositories in 111122223333 eu-west-2 under docker-hub/ (3 cached images)');
  });

  test('--yes with --unused-days deletes only repositories unused for that long', async () => {
    const io = recordingIo();
    const days = Math.ceil((Date.now() - new Date('2024-08-29T00:00:00Z').getTime()) / 86_400_000) + 1;
    // The window reaches back just past nginx's last pull (2024-08-29): nginx, the controller (pulled
    // 2024-08-31) and the empty repository (created 2024-08-30) stay; kubectl and pause go.
    expect(await run(['cleanup', '--config', CONFIG, '--unused-days', String(days), '--yes'], io)).toBe(0);
    expect(deleted().sort()).toEqual(['docker-hub/bitnami/kubectl', 'k8s/pause']);
    expect(io.out).toMatch(/docker-hub\/library\/nginx\s+2\s+2024-08-29\s+keep \(used \d+ days ago\)/);
  });

  test('a failed delete is reported on stderr and exits 1', async () => {
    ecrMock.on(DeleteRepositoryCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const io = recordingIo();
    expect(await run(['cleanup', '--config', CONFIG, '--prefix', 'k8s', '--yes'], io)).toBe(1);
    expect(io.err).toContain('failed to delete k8s/pause: throttled\n');
  });

  test('--format json lists the candidates with their decisions', async () => {
    const io = recordingIo();
    expect(await run(['cleanup', '--config', CONFIG, '--format', 'json', '--unused-days', '100000'], io)).toBe(0);
    const out = JSON.parse(io.out);
    expect(out).toMatchObject({ registryId: REGISTRY, region: 'eu-west-2', dryRun: true });
    expect(out.candidates.every((c: { action: string }) => c.action === 'keep')).toBe(true);
  });

  test('refuses a prefix that is not managed, with a hint, before any call', async () => {
    const io = recordingIo();
    expect(await run(['cleanup', '--config', CONFIG, '--prefix', 'dockerhub'], io)).toBe(1);
    expect(io.err).toBe('--prefix dockerhub: not a managed prefix; did you mean "docker-hub"?\n');
    expect(ecrMock).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 0);
  });

  test('refuses --dry-run with --yes, and a bad --unused-days', async () => {
    const both = recordingIo();
    expect(await run(['cleanup', '--config', CONFIG, '--dry-run', '--yes'], both)).toBe(1);
    expect(both.err).toBe('ptc cleanup: give --dry-run or --yes, not both\n');
    const bad = recordingIo();
    expect(await run(['cleanup', '--config', CONFIG, '--unused-days', '0'], bad)).toBe(1);
    expect(bad.err).toMatch(/option '--unused-days <n>' argument '0' is invalid. must be a whole number of days, at least 1/);
    expect(ecrMock).toHaveReceivedCommandTimes(DeleteRepositoryCommand, 0);
  });

  test('takes its ECR client from the injected factory, for the target region or --region', async () => {
    const regions: string[] = [];
    const program = new Command().exitOverride();
    cleanupCommand((region) => {
      regions.push(region);
      return ecr;
    })(program, recordingIo(), { code: 0 });
    await program.parseAsync(['cleanup', '--config', CONFIG], { from: 'user' });
    await program.parseAsync(['cleanup', '--config', CONFIG, '--region', 'us-east-1', '--account', '444455556666'], { from: 'user' });
    expect(regions).toEqual(['eu-west-2', 'us-east-1']);
    expect(ecrMock).toHaveReceivedCommandWith(DescribeRepositoriesCommand, { registryId: '444455556666' });
  });
});
