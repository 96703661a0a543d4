import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  ListTagsForResourceCommand,
  PutLifecyclePolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { run } from '../../cli/main';
import { desiredState, loadConfig } from '../../core';
import { recordingIo } from '../cli/fake-io';
import { arnOf, FakeRegistry, freshFakeEcr } from './fake-registry';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);
let registry: FakeRegistry;

beforeEach(() => {
  registry = freshFakeEcr(ecrMock, eventsMock);
});

describe('ptc desired-state', () => {
  test('prints what the reconciler enforces, with the per-prefix override applied, in the documented shape', async () => {
    const io = recordingIo();
    expect(await run(['desired-state', 'k8s/pause', '--config', EXAMPLE], io)).toBe(0);
    const printed = JSON.parse(io.out);
    expect(Object.keys(printed)).toEqual([
      'managed',
      'prefix',
      'lifecyclePolicy',
      'repositoryPolicyStatements',
      'tags',
      'scanOnPush',
      'imageTagMutability',
      'imageTagMutabilityExclusionFilters',
    ]);
    expect(printed).toEqual(desiredState(loadConfig(EXAMPLE), 'k8s/pause'));
    expect(printed).toMatchObject({
      managed: true,
      prefix: 'k8s',
      scanOnPush: true,
      imageTagMutability: 'MUTABLE',
      tags: { team: 'platform', 'ptc-autopilot:managed': 'true' },
    });
    expect(printed.lifecyclePolicy.rules[1].selection.countNumber).toBe(20);
    expect(printed.repositoryPolicyStatements.map((s: { Sid: string }) => s.Sid)).toEqual([
      'PtcAutopilotCrossAccountPull',
      'PtcAutopilotOrganizationPull',
    ]);
  });

  test('prints {"managed": false} for a repository under no managed prefix', async () => {
    const io = recordingIo();
    expect(await run(['desired-state', 'team-a/service', '--config', EXAMPLE], io)).toBe(0);
    expect(JSON.parse(io.out)).toEqual({ managed: false });
  });

  test('applies every kind of per-prefix override: scanning, tag mutability, pull accounts, tags and lifecycle', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptc-desired-')), 'ptc.yaml');
    writeFileSync(
      file,
      [
        'account: "111122223333"',
        'region: eu-west-2',
        'rules:',
        '  - { prefix: k8s, upstream: k8s }',
        '  - { prefix: quay, upstream: quay }',
        'repositories:',
        '  lifecycle: { untaggedExpireDays: 7, keepLastTagged: 50 }',
        '  pullAccounts: ["444455556666"]',
        '  pullOrganizations: ["o-a1b2c3d4e5"]',
        '  tags: { team: platform }',
        '  scanOnPush: true',
        '  overrides:',
        '    - { prefix: quay, scanOnPush: false, imageTagMutability: IMMUTABLE, pullAccounts: [], tags: { cost: cc-7 }, lifecycle: { untaggedExpireDays: 3 } }',
        '',
      ].join('\n'),
    );
    const quay = recordingIo();
    expect(await run(['desired-state', 'quay/prometheus/prometheus', '--config', file], quay)).toBe(0);
    const printed = JSON.parse(quay.out);
    expect(printed).toMatchObject({
      managed: true,
      prefix: 'quay',
      scanOnPush: false,
      imageTagMutability: 'IMMUTABLE',
      tags: { team: 'platform', cost: 'cc-7', 'ptc-autopilot:managed': 'true' },
    });
    expect(printed.repositoryPolicyStatements).toEqual([
      {
        Sid: 'PtcAutopilotOrganizationPull',
        Effect: 'Allow',
        Principal: '*',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchImportUpstreamImage'],
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5'] } },
      },
    ]);
    expect(printed.lifecyclePolicy.rules.map((r: { selection: { countNumber: number } }) => r.selection.countNumber)).toEqual([3, 50]);

    const k8s = recordingIo();
    expect(await run(['desired-state', 'k8s/pause', '--config', file], k8s)).toBe(0);
    expect(JSON.parse(k8s.out)).toMatchObject({
      prefix: 'k8s',
      scanOnPush: true,
      imageTagMutability: 'MUTABLE',
      tags: { team: 'platform', 'ptc-autopilot:managed': 'true' },
    });
    expect(JSON.parse(k8s.out).repositoryPolicyStatements[0]).toMatchObject({
      Sid: 'PtcAutopilotCrossAccountPull',
      Principal: { AWS: ['arn:aws:iam::444455556666:root'] },
    });
  });

  test('a repository named like a prefix but outside it is not managed', async () => {
    const io = recordingIo();
    expect(await run(['desired-state', 'docker-hubx/nginx', '--config', EXAMPLE], io)).toBe(0);
    expect(io.out).toBe('{\n  "managed": false\n}\n');
  });

  test('names the argument when the repository name is not one ECR accepts', async () => {
    const io = recordingIo();
    expect(await run(['desired-state', 'Docker-Hub/Nginx', '--config', EXAMPLE], io)).toBe(1);
    expect(io.err).toBe(
      'repositoryName: "Docker-Hub/Nginx" is not an ECR repository name (2-256 lowercase letters, digits, ".", "_", "-" and "/")\n',
    );
  });
});

describe('ptc reconcile', () => {
  beforeEach(() => {
    registry.add('docker-hub/library/nginx');
    registry.add('k8s/pause', { tags: { 'ptc-autopilot:ignore': 'true' } });
    registry.add('team-a/service');
  });

  test('--dry-run prints the writes it would make and makes none', async () => {
    const io = recordingIo();
    expect(await run(['reconcile', '--config', EXAMPLE, '--dry-run'], io)).toBe(0);
    const lines = io.out.split('\n');
    expect(lines[0]).toBe('planning repositories in 111122223333 eu-west-2 (environment prod-eu)');
    // Repositories are reconciled concurrently, so their blocks come in any order; each block is whole.
    expect(io.out).toContain(
      [
        'would change docker-hub/library/nginx',
        '  - lifecyclePolicy: put',
        '  - repositoryPolicy: set',
        '  - scanOnPush: set true',
        '  - tags: tag ptc-autopilot:managed, ptc-autopilot:owned-tags, team',
        '',
      ].join('\n'),
    );
    expect(io.out).toContain('ignored k8s/pause (ptc-autopilot:ignore=true)\n');
    expect(lines.at(-2)).toBe(
      'swept 2 repositories under the managed prefixes (3 listed): 1 would change (4 writes), 0 compliant, 1 ignored, 0 failed',
    );
    expect(lines).toHaveLength(9);
    expect(registry.totals().writes).toBe(0);
    expect(eventsMock).not.toHaveReceivedCommand(PutEventsCommand);
  });

  test("applies the writes with the caller's credentials, then a second run finds everything compliant", async () => {
    const first = recordingIo();
    expect(await run(['reconcile', '--config', EXAMPLE], first)).toBe(0);
    expect(first.out).toContain('configured docker-hub/library/nginx\n');
    expect(first.out).toContain('1 configured (4 writes)');
    expect(ecrMock).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: arnOf('docker-hub/library/nginx') });
    expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);

    ecrMock.resetHistory();
    const second = recordingIo();
    expect(await run(['reconcile', '--config', EXAMPLE], second)).toBe(0);
    expect(second.out).toContain('0 configured (0 writes), 1 compliant, 1 ignored, 0 failed');
    expect(ecrMock).not.toHaveReceivedCommand(PutLifecyclePolicyCommand);
  });

  test('exits 1 and names the repositories it could not reconcile', async () => {
    ecrMock.on(ListTagsForResourceCommand).rejects(
      new ECRServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized to perform ecr:ListTagsForResource',
      }),
    );
    const io = recordingIo();
    expect(await run(['reconcile', '--config', EXAMPLE], io)).toBe(1);
    expect(io.err).toContain('failed docker-hub/library/nginx: AccessDeniedException: not authorized to perform ecr:ListTagsForResource\n');
  });

  test('says plainly when the registry cannot be listed, naming the action and the AWS error', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(
      new ECRServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized to perform: ecr:DescribeRepositories',
      }),
    );
    const io = recordingIo();
    expect(await run(['reconcile', '--config', EXAMPLE], io)).toBe(1);
    expect(io.err).toBe(
      'ptc reconcile could not list the repositories with ecr:DescribeRepositories (AccessDeniedException: not authorized to perform: ecr:DescribeRepositories)\n',
    );
    expect(ecrMock).toHaveReceivedCommandWith(DescribeRepositoriesCommand, { maxResults: 1000 });
  });

  test('--dry-run plans from the same reads, then the real run makes exactly the planned writes', async () => {
    const dry = recordingIo();
    expect(await run(['reconcile', '--config', EXAMPLE, '--dry-run'], dry)).toBe(0);
    const planned = dry.out.split('\n').filter((l) => l.startsWith('  - '));
    const wet = recordingIo();
    expect(await run(['reconcile', '--config', EXAMPLE], wet)).toBe(0);
    expect(wet.out.split('\n').filter((l) => l.startsWith('  - '))).toEqual(planned);
    expect(registry.totals().writes).toBe(planned.length);
  });

  test('says plainly when there are no AWS credentials', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    ecrMock.reset();
    ecrMock.onAnyCommand().rejects(noCredentials);
    const io = recordingIo();
    expect(await run(['reconcile', '--config', EXAMPLE], io)).toBe(1);
    expect(io.err).toBe('ptc reconcile needs AWS credentials for the target account (Could not load credentials from any providers)\n');
  });

  test('an unknown environment is a clear error naming the known ones, without calling AWS', async () => {
    const io = recordingIo();
    expect(await run(['reconcile', '--config', EXAMPLE, '--environment', 'staging'], io)).toBe(1);
    expect(io.err).toBe('no environment named "staging"; known: prod-eu\n');
    expect(ecrMock.calls()).toHaveLength(0);
  });
});
