/**
 * A repository policy our statements would push over ECR's 10,240 characters (SetRepositoryPolicy
 * policyText, https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html):
 * the policy is left exactly as it is, every other setting is applied, and the refusal is reported
 * in the log, the SettingsRefused metric, the thrown error (so the DLQ alarm fires) and `ptc reconcile`.
 */
import * as path from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  ECRClient,
  InvalidParameterException,
  PutImageScanningConfigurationCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { run } from '../../cli/main';
import { SettingsRefusedError } from '../../engines/reconcile/errors';
import { REPOSITORY_POLICY_MAX_CHARS } from '../../engines/reconcile/plan';
import { handleEvent } from '../../functions/reconcile-repository/run';
import { recordingIo } from '../cli/fake-io';
import { FakeRegistry, freshFakeEcr } from './fake-registry';
import { fixture, RECONCILER_TEST_CONFIG_INPUT, testDeps } from './helpers';

const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);
const ecr = new ECRClient({ region: 'eu-west-2' });
const events = new EventBridgeClient({ region: 'eu-west-2' });
const NAME = 'docker-hub/alpine';

/**
 * A foreign policy of `chars` characters or a little less: the ECR user guide's "allow another
 * account to push" example (repository-policy-examples.html), its principal widened to many
 * accounts to reach the size (derived, not verbatim).
 */
function foreignPolicy(chars: number): string {
  const statement = (accounts: number) => ({
    Sid: 'AllowCrossAccountPush',
    Effect: 'Allow',
    Principal: { AWS: Array.from({ length: accounts }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:root`) },
    Action: [
      'ecr:BatchCheckLayerAvailability',
      'ecr:CompleteLayerUpload',
      'ecr:InitiateLayerUpload',
      'ecr:PutImage',
      'ecr:UploadLayerPart',
    ],
  });
  let accounts = 1;
  while (JSON.stringify({ Version: '2012-10-17', Statement: [statement(accounts + 1)] }).length <= chars) accounts++;
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement(accounts)] });
}

let registry: FakeRegistry;
beforeEach(() => {
  registry = freshFakeEcr(ecrMock, eventsMock);
});

describe('a repository policy that would exceed 10,240 characters', () => {
  test('is not written and not cut; lifecycle, scan on push and tags are applied; the refusal is logged, counted and thrown', async () => {
    const policy = foreignPolicy(10_000);
    expect(policy.length).toBeLessThanOrEqual(REPOSITORY_POLICY_MAX_CHARS);
    registry.add(NAME, { policyText: policy });
    const { deps, metrics, log } = testDeps(ecr, events);

    const error = await handleEvent(fixture('ecr-pull-through-cache-action'), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingsRefusedError);
    expect((error as Error).message).toMatch(
      /^docker-hub\/alpine: repositoryPolicy not applied \(the policy with our statements would be \d{5} characters and ECR allows 10240 \(our statements take \d+\); not written, and no statement was cut to fit: .*\); the other settings were applied$/,
    );
    expect(ecrMock).not.toHaveReceivedCommand(SetRepositoryPolicyCommand);
    expect(registry.get(NAME).policyText).toBe(policy);
    expect(ecrMock).toHaveReceivedCommandTimes(PutLifecyclePolicyCommand, 1);
    expect(ecrMock).toHaveReceivedCommandWith(PutImageScanningConfigurationCommand, {
      repositoryName: NAME,
      imageScanningConfiguration: { scanOnPush: true },
    });
    expect(ecrMock).toHaveReceivedCommandTimes(TagResourceCommand, 1);
    expect(registry.get(NAME)).toMatchObject({ scanOnPush: true, tags: { team: 'platform', 'ptc-autopilot:managed': 'true' } });
    expect(metrics).toMatchObject({ SettingsRefused: 1, ReposConfigured: 1, ChangesApplied: 3, Failures: 1 });
    expect(log.lines.find((l) => l.message === 'settings not applied; the others were')).toMatchObject({
      level: 'error',
      attributes: { repositoryName: NAME, refused: [{ setting: 'repositoryPolicy' }] },
    });
  });

  test('the retry writes nothing more and reports the same refusal (the policy stays the only thing missing)', async () => {
    registry.add(NAME, { policyText: foreignPolicy(10_000) });
    await handleEvent(fixture('ecr-pull-through-cache-action'), testDeps(ecr, events).deps).catch(() => undefined);
    const writesBefore = registry.totals().writes;
    const { deps, metrics } = testDeps(ecr, events);
    await expect(handleEvent(fixture('ecr-pull-through-cache-action'), deps)).rejects.toBeInstanceOf(SettingsRefusedError);
    expect(registry.totals().writes).toBe(writesBefore);
    expect(metrics).toMatchObject({ SettingsRefused: 1, ReposConfigured: 0, ChangesApplied: 0 });
  });

  test('a write ECR itself refuses does not stop the writes after it', async () => {
    registry.add(NAME);
    ecrMock
      .on(SetRepositoryPolicyCommand)
      .rejects(new InvalidParameterException({ message: 'Invalid repository policy provided', $metadata: { httpStatusCode: 400 } }));
    const { deps, metrics } = testDeps(ecr, events);
    await expect(handleEvent(fixture('ecr-pull-through-cache-action'), deps)).rejects.toThrow(
      'docker-hub/alpine: repositoryPolicy not applied (ECR refused SetRepositoryPolicy: InvalidParameterException: Invalid repository policy provided); the other settings were applied',
    );
    expect(registry.get(NAME)).toMatchObject({ scanOnPush: true, tags: { 'ptc-autopilot:managed': 'true' } });
    expect(registry.get(NAME).lifecyclePolicyText).toBeDefined();
    expect(metrics).toMatchObject({ SettingsRefused: 1, ChangesApplied: 3 });
  });

  test('ptc reconcile prints the refused setting under its repository, applies the rest, and exits 1', async () => {
    registry.add(NAME, { policyText: foreignPolicy(10_000) });
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'ptc-oversized-')), 'ptc.json');
    writeFileSync(config, JSON.stringify(RECONCILER_TEST_CONFIG_INPUT));
    const io = recordingIo();
    expect(await run(['reconcile', '-c', config], io)).toBe(1);
    expect(io.out).toMatch(
      /\nconfigured docker-hub\/alpine\n  - lifecyclePolicy: put\n  - scanOnPush: set true\n  - tags: tag .*\n  ! repositoryPolicy not applied: the policy with our statements would be \d+ characters and ECR allows 10240 /,
    );
    expect(io.err).toMatch(/^failed docker-hub\/alpine: SettingsRefusedError: docker-hub\/alpine: repositoryPolicy not applied \(/);
    expect(io.out).toMatch(/1 configured \(3 writes\), 0 compliant, 0 ignored, 1 failed\n$/);
  });
});
