/**
 * Copy prefixes as managed prefixes in the config and the commands that read it: the desired state
 * of a copy repository (`ptc desired-state`), per-prefix overrides that name a copy prefix, `ptc plan`,
 * and `ptc cleanup`, which never deletes a copy repository.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DeleteRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigError, buildPlan, desiredState, managedPrefixFor, parseConfig, renderPlan } from '../../core';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';

/** Invented: one rule, two copies entries, base settings a cache repository would get in full. */
const INPUT = {
  account: '111122223333',
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  copies: [
    { prefix: 'gcr', upstream: 'gcr.io', images: ['gcr.io/distroless/static:nonroot'] },
    { prefix: 'nvidia', upstream: 'nvcr.io' },
  ],
  repositories: {
    lifecycle: { untaggedExpireDays: 7, keepLastTagged: 50, archiveUnpulledDays: 60 },
    pullAccounts: ['444455556666'],
    tags: { team: 'platform' },
    overrides: [{ prefix: 'nvidia', lifecycle: { keepLastTagged: 5 }, pullAccounts: ['777788889999'], tags: { gpu: 'true' } }],
  },
};
const config = parseConfig(INPUT);

const errorOf = (input: unknown): string => {
  try {
    parseConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('the config was accepted');
};

describe('the desired state of a copy repository', () => {
  test('the longest managed prefix holds a name, on whole path components, rules and copies alike', () => {
    expect(managedPrefixFor(config, 'gcr/distroless/static')).toEqual({ prefix: 'gcr', kind: 'copy' });
    expect(managedPrefixFor(config, 'k8s/pause')).toEqual({ prefix: 'k8s', kind: 'cache' });
    expect(managedPrefixFor(config, 'gcrx/static')).toBeUndefined();
    expect(desiredState(config, 'gcrx/static')).toEqual({ managed: false });
  });

  test('base settings, less the untagged and archive rules, and pull-only grants', () => {
    const state = desiredState(config, 'gcr/distroless/static');
    expect(state).toMatchObject({ managed: true, prefix: 'gcr', copy: true, scanOnPush: true, imageTagMutability: 'MUTABLE' });
    if (!state.managed) throw new Error('unmanaged');
    expect(state.lifecyclePolicy.rules.map((r) => [r.selection.tagStatus, r.selection.countNumber])).toEqual([['tagged', 50]]);
    expect(state.repositoryPolicyStatements.map((s) => [s.Sid, s.Action])).toEqual([
      ['PtcAutopilotCrossAccountPull', ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']],
    ]);
    expect(state.tags).toEqual({ team: 'platform', 'ptc-autopilot:managed': 'true' });
    // The cache prefix keeps every rule it is configured with.
    const cache = desiredState(config, 'k8s/pause');
    if (!cache.managed) throw new Error('unmanaged');
    expect(cache.copy).toBeUndefined();
    expect(cache.lifecyclePolicy.rules.map((r) => r.selection.tagStatus)).toEqual(['untagged', 'tagged', 'any']);
  });

  test('an override naming a copy prefix applies to its repositories', () => {
    const state = desiredState(config, 'nvidia/cuda');
    if (!state.managed) throw new Error('unmanaged');
    expect(state.lifecyclePolicy.rules.map((r) => r.selection.countNumber)).toEqual([5]);
    expect(state.tags).toEqual({ team: 'platform', gpu: 'true', 'ptc-autopilot:managed': 'true' });
    expect(state.repositoryPolicyStatements[0]!.Principal).toEqual({ AWS: ['arn:aws:iam::777788889999:root'] });
  });
});

describe('overrides and copy prefixes', () => {
  const withOverride = (override: Record<string, unknown>) => ({
    ...INPUT,
    repositories: { ...INPUT.repositories, overrides: [override] },
  });

  test('a prefix no rule and no copies entry has is one line naming the field, with a hint', () => {
    expect(errorOf(withOverride({ prefix: 'gcrr', scanOnPush: false }))).toBe(
      'config error at repositories.overrides[0].prefix: no rule or copies entry has prefix "gcrr"; did you mean "gcr"?',
    );
    expect(errorOf(withOverride({ prefix: 'zzzzzzzzzz', scanOnPush: false }))).toMatch(
      /^config error at repositories\.overrides\[0\]\.prefix: no rule or copies entry has prefix "zzzzzzzzzz"; managed prefixes are: k8s, gcr, nvidia$/,
    );
  });

  test.each([
    [{ lifecycle: { untaggedExpireDays: 3 } }, 'repositories.overrides[0].lifecycle.untaggedExpireDays', /copies prefix.*untagged/],
    [
      { lifecycle: { archiveUnpulledDays: 30 } },
      'repositories.overrides[0].lifecycle.archiveUnpulledDays',
      /archived copy cannot be pulled/,
    ],
    [{ eviction: { unpulledDays: 90 } }, 'repositories.overrides[0].eviction', /copies are not evicted/],
  ])('a copy override may not set %j', (keys, field, reason) => {
    const message = errorOf(withOverride({ prefix: 'gcr', ...keys }));
    expect(message.split('\n')).toHaveLength(1);
    expect(message.startsWith(`config error at ${field}: `)).toBe(true);
    expect(message).toMatch(reason);
  });
});

describe('ptc plan', () => {
  test('shows each copy prefix as managed: template, reconciler, lifecycle, pull access, node access', () => {
    const [env] = buildPlan(config).environments;
    const gcr = env!.copies!.find((c) => c.prefix === 'gcr')!;
    expect(gcr.repositories).toMatchObject({
      template: expect.stringContaining('CREATE_ON_PUSH on gcr/'),
      reconciler: expect.stringContaining('ECR Image Action PUSH'),
      lifecycle: ['keep the newest 50 tagged images'],
      untagged: expect.stringContaining('untaggedExpireDays 7 and archiveUnpulledDays 60 apply to cache repositories only'),
      pullAccess: 'PtcAutopilotCrossAccountPull (ecr:BatchCheckLayerAvailability, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)',
      nodeAccess: expect.stringContaining('CopiedImagesPull on arn:aws:ecr:eu-west-2:111122223333:repository/gcr/*'),
    });
    const text = renderPlan(buildPlan(config));
    expect(text).toContain('  copy gcr <- gcr.io');
    expect(text).toContain('    template     creation template CREATE_ON_PUSH on gcr/');
    expect(text).toContain('    node access  node policy CopiedImagesPull');
  });
});

describe('the CLI with a config file: ptc desired-state, and ptc cleanup, which never deletes a copy repository', () => {
  const ecrMock = mockClient(ECRClient);
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ptc-copy-repos-'));
    file = path.join(dir, 'ptc.yaml');
    writeFileSync(file, JSON.stringify(INPUT));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => ecrMock.reset());

  test('ptc desired-state prints what the reconciler enforces on a copy repository', async () => {
    const io = recordingIo();
    expect(await run(['desired-state', 'gcr/distroless/static', '--config', file], io)).toBe(0);
    expect(JSON.parse(io.out)).toEqual(JSON.parse(JSON.stringify(desiredState(config, 'gcr/distroless/static'))));
    expect(JSON.parse(io.out)).toMatchObject({ managed: true, prefix: 'gcr', copy: true });
  });

  test('--prefix naming a copy prefix is refused with one line, before any call', async () => {
    const io = recordingIo();
    expect(await run(['cleanup', '--config', file, '--prefix', 'gcr'], io)).toBe(1);
    expect(io.err).toBe(
      '--prefix gcr: copies[0].prefix; ptc cleanup deletes cache repositories only, never copies (no pull fetches a copy again); remove the image from copies[0].images and delete its repository yourself\n',
    );
    expect(ecrMock).toHaveReceivedCommandTimes(DescribeRepositoriesCommand, 0);
  });

  test('a copy repository is never a candidate, even with --yes', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryName: 'gcr/distroless/static',
          repositoryArn: 'arn:aws:ecr:eu-west-2:111122223333:repository/gcr/distroless/static',
          createdAt: new Date('2020-01-01T00:00:00Z'),
        },
      ],
    });
    const io = recordingIo();
    expect(await run(['cleanup', '--config', file, '--yes', '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ candidates: [], deleted: [] });
    expect(ecrMock).toHaveReceivedCommandTimes(DeleteRepositoryCommand, 0);
  });
});
