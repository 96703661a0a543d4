/**
 * One copy-images run with the AWS SDK mocked (aws-sdk-client-mock), asserting the exact commands
 * and inputs: GetAuthorizationToken for the target, GetSecretValue for an entry's secret, GetParameter
 * and GetObject for its external lists, with responses shaped as AWS documents them
 * (test/fixtures/copy-lambda/README.md). No image is started here (the invocation has no time left,
 * so every image is `left`), so nothing leaves the process: the real copies are real-copy.test.ts's.
 */
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseConfig } from '../../core';
import { CopyRequestError } from '../../core/lambda-contracts/copy-images/schedule-event';
import { CopySettingsError, decodeCopySettings, encodeCopySettings } from '../../core/lambda-contracts/copy-images/settings';
import { CopyIncompleteError, runCopy, TargetLoginError, type CopyRunDeps } from '../../functions/copy-images/run';
import { fixture } from '../validation/helpers';
import { copyFixture, metricRecorder, objectBody, recorder } from './helpers';

// Upstreams on loopback ports nothing listens on: no test here may reach a registry.
const UP = '127.0.0.1:9';
const OTHER = '127.0.0.1:7';
const where = { account: '111122223333', region: 'eu-west-2' };
const config = decodeCopySettings(
  encodeCopySettings(
    parseConfig({
      ...where,
      rules: [{ prefix: 'k8s', upstream: 'k8s' }],
      copies: [
        {
          prefix: 'up',
          upstream: UP,
          credentials: { secretName: 'ptc-copy/upstream' },
          images: [`${UP}/team/app:v1`],
          manifest: { s3: { bucket: 'ptc-config', key: 'copies/up.txt' }, ssmParameter: '/ptc/copies/upstream' },
        },
        { prefix: 'other', upstream: OTHER, images: [`${OTHER}/tools/cli:2`], schedule: 'rate(6 hours)' },
      ],
    }),
    where,
  ),
);

const ecrMock = mockClient(ECRClient);
const secretsMock = mockClient(SecretsManagerClient);
const ssmMock = mockClient(SSMClient);
const s3Mock = mockClient(S3Client);

beforeEach(() => {
  for (const m of [ecrMock, secretsMock, ssmMock, s3Mock]) m.reset();
  ecrMock.on(GetAuthorizationTokenCommand).resolves(copyFixture('get-authorization-token.json'));
  secretsMock.on(GetSecretValueCommand).resolves(copyFixture('get-secret-value.json'));
  const parameter = copyFixture('get-parameter.string.json');
  parameter.Parameter.Value = parameter.Parameter.Value.replace('UPSTREAM', UP);
  ssmMock.on(GetParameterCommand).resolves(parameter);
  s3Mock.on(GetObjectCommand).resolves({
    ...copyFixture<Record<string, unknown>>('get-object.json'),
    ContentLength: 40,
    Body: objectBody(`${UP}/team/from-s3:v3\n`),
  });
});

function deps(extra: Partial<CopyRunDeps> = {}) {
  const { lines, log } = recorder();
  const { metrics, metric } = metricRecorder();
  const d: CopyRunDeps = {
    ecr: new ECRClient({ region: 'eu-west-2' }),
    secrets: new SecretsManagerClient({ region: 'eu-west-2' }),
    ssm: new SSMClient({ region: 'eu-west-2' }),
    s3: new S3Client({ region: 'eu-west-2' }),
    commands: { GetObjectCommand, GetParameterCommand },
    config,
    log,
    metric,
    remainingMs: () => 0,
    ...extra,
  };
  return { d, lines, metrics };
}

describe('a copy-images run', () => {
  test('reads ECR token, the entry secret and its two lists with exactly these requests, for the entries the schedule names', async () => {
    const { d, lines } = deps();
    await expect(runCopy({ prefixes: ['up'] }, d)).rejects.toBeInstanceOf(CopyIncompleteError);
    expect(ecrMock).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 1);
    expect(ecrMock).toHaveReceivedCommandWith(GetAuthorizationTokenCommand, {});
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'ptc-copy/upstream' });
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/ptc/copies/upstream', WithDecryption: true });
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'ptc-config', Key: 'copies/up.txt' });
    // The "other" entry is on another schedule: its image is not part of this run.
    expect(JSON.stringify(lines)).not.toContain(OTHER);
  });

  test('an image of an external list that is not on the entry upstream fails, naming the list; the others are kept', async () => {
    const { d, lines, metrics } = deps();
    const err = await runCopy({ prefixes: ['up'] }, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyIncompleteError);
    expect((err as CopyIncompleteError).failedCount).toBe(1);
    expect(lines).toContainEqual({
      level: 'error',
      message: 'image not copied',
      attributes: {
        image: 'quay.io/org/elsewhere:v2',
        prefix: 'up',
        status: 'failed',
        reason: `listed in s3://ptc-config/copies/up.txt, ssm:/ptc/copies/upstream for the copies entry of "${UP}", but it is on "quay.io"; list it with its own registry's entry`,
        bytes: 0,
      },
    });
    const left = lines.find((l) => l.message.startsWith('copy run stopped starting images'))!;
    expect(left.attributes).toEqual({ left: 3, images: [`${UP}/team/app:v1`, `${UP}/team/from-s3:v3`, `${UP}/team/listed-outside:v1`] });
    expect(metrics).toEqual(
      expect.arrayContaining([
        ['up', 'ImagesFailed', 1],
        ['up', 'ImagesLeft', 3],
        ['up', 'ImagesCopied', 0],
        ['up', 'BytesCopied', 0],
        ['total', 'ImagesFailed', 1],
        ['total', 'ImagesLeft', 3],
      ]),
    );
  });

  test('images left before the timeout are reported for the next scheduled run, and the run itself succeeds', async () => {
    const { d, lines, metrics } = deps();
    const report = await runCopy({ prefixes: ['other'] }, d);
    expect(report.counts).toEqual({ copied: 0, unchanged: 0, failed: 0, left: 1, bytes: 0 });
    expect(lines).toContainEqual({
      level: 'warn',
      message: 'copy run stopped starting images before the timeout; the next scheduled run copies the rest',
      attributes: { left: 1, images: [`${OTHER}/tools/cli:2`] },
    });
    expect(metrics).toEqual([
      ['other', 'ImagesCopied', 0],
      ['other', 'ImagesUnchanged', 0],
      ['other', 'ImagesFailed', 0],
      ['other', 'ImagesLeft', 1],
      ['other', 'BytesCopied', 0],
      ['total', 'ImagesCopied', 0],
      ['total', 'ImagesUnchanged', 0],
      ['total', 'ImagesFailed', 0],
      ['total', 'ImagesLeft', 1],
      ['total', 'BytesCopied', 0],
    ]);
    // No entry of this run has a secret or a list.
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 0);
  });

  test('the EventBridge scheduled event (no prefixes) and {} run every entry; anything else is refused with one line', async () => {
    for (const event of [fixture('events/scheduled-event.json'), {}]) {
      const { d } = deps();
      const err = await runCopy(event, d).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CopyIncompleteError);
      expect(ssmMock).toHaveReceivedCommand(GetParameterCommand);
    }
    const { d } = deps();
    await expect(runCopy({ prefixes: ['gcr'] }, d)).rejects.toThrow(
      new CopyRequestError('no copies entry has prefix "gcr"; redeploy, or name a configured prefix'),
    );
    await expect(runCopy({ prefixes: 'up' }, d)).rejects.toThrow(CopyRequestError);
    await expect(runCopy([], d)).rejects.toThrow(CopyRequestError);
  });

  test('no ECR token: the run fails before reading any secret, with the SDK error named', async () => {
    ecrMock
      .on(GetAuthorizationTokenCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: ecr:GetAuthorizationToken'), { name: 'AccessDeniedException' }));
    const { d } = deps();
    await expect(runCopy({ prefixes: ['other'] }, d)).rejects.toThrow(
      new TargetLoginError('GetAuthorizationToken: AccessDeniedException: User is not authorized to perform: ecr:GetAuthorizationToken'),
    );
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });

  test('a secret that is not the credentials JSON fails that entry images without quoting it; an unreadable list fails as one result', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .resolves({ ...copyFixture<Record<string, unknown>>('get-secret-value.json'), SecretString: 'hunter2-not-json' });
    s3Mock.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    const { d, lines } = deps();
    const err = await runCopy({ prefixes: ['up'] }, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyIncompleteError);
    expect(JSON.stringify(lines)).not.toContain('hunter2');
    const failed = lines.filter((l) => l.message === 'image not copied').map((l) => [l.attributes!.image, l.attributes!.reason]);
    expect(failed).toEqual(
      expect.arrayContaining([
        [
          's3://ptc-config/copies/up.txt',
          'the image list s3://ptc-config/copies/up.txt cannot be read (NoSuchKey: The specified key does not exist.)',
        ],
        [
          `${UP}/team/app:v1`,
          'secret "ptc-copy/upstream" has no {"username", "accessToken"} value yet; put the upstream\'s credentials in it',
        ],
      ]),
    );
  });
});

describe('the copy-images settings', () => {
  test('carry the account, region and copies, and read back unchanged', () => {
    expect(config.account).toBe('111122223333');
    expect(config.copies.map((c) => c.prefix)).toEqual(['up', 'other']);
    expect(config.copies[0]!.manifest).toEqual({
      s3: { bucket: 'ptc-config', key: 'copies/up.txt' },
      ssmParameter: '/ptc/copies/upstream',
    });
  });

  test('a damaged variable is refused with one line naming the variable and the field', () => {
    const bad = JSON.stringify({ ...where, copies: [{ prefix: 'up', upstream: 'https://x', images: [], schedule: 'rate(1 day)' }] });
    expect(() => decodeCopySettings(bad)).toThrow(CopySettingsError);
    expect(() => decodeCopySettings(bad)).toThrow(/^environment variable PTC_COPY_SETTINGS: config error at copies\[0\]\.upstream: /);
    expect(() => decodeCopySettings(undefined)).toThrow('environment variable PTC_COPY_SETTINGS: not set');
  });
});
