/**
 * The copy-images run against real registries on 127.0.0.1 over TLS (test/copy/registries.ts):
 * Debian's docker-registry as the upstream behind htpasswd Basic auth (its credentials come from the
 * entry's secret, GetSecretValue mocked with the documented response shape) and as the ECR-like
 * target behind Basic `AWS:<password>` (the password travels in GetAuthorizationToken's documented
 * response, as ECR's token does). One image is listed in the config, one more in the entry's SSM
 * parameter, and one of the parameter's images is on another registry. skopeo builds the upstream
 * content and reads both sides: `skopeo inspect --raw` of source and copy must be equal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parseConfig } from '../../core';
import { decodeCopySettings, encodeCopySettings } from '../../core/lambda-contracts/copy-images/settings';
import { CopyIncompleteError, runCopy, type CopyRunDeps } from '../../functions/copy-images/run';
import { OciLayoutWriter, type BuiltImage } from '../prewarm/oci-images';
import { selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import { inspectRaw, pushLayout, startRegistry, stopRegistry, type TestRegistry } from '../copy/registries';
import { authorizationTokenFor, copyFixture, metricRecorder, recorder } from './helpers';

let cert: TestCertificate;
let work: string;
let upstream: TestRegistry;
let target: TestRegistry;
const built: Record<string, BuiltImage> = {};

const ecrMock = mockClient(ECRClient);
const secretsMock = mockClient(SecretsManagerClient);
const ssmMock = mockClient(SSMClient);

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-lambda-'));
  [upstream, target] = await Promise.all([
    startRegistry(path.join(work, 'upstream'), cert, { kind: 'basic' }),
    startRegistry(path.join(work, 'target'), cert, { kind: 'basic' }),
  ]);
  const layout = new OciLayoutWriter(path.join(work, 'layout'));
  built.app = layout.addImage('app', { platforms: ['linux/amd64', 'linux/arm64'], layers: 2 });
  built.outside = layout.addImage('outside', { platforms: ['linux/amd64'] });
  await pushLayout(upstream, layout.dir, 'app', 'team/app', upstream, 'v1');
  await pushLayout(upstream, layout.dir, 'outside', 'team/listed-outside', upstream, 'v1');
}, 120_000);

afterAll(async () => {
  await Promise.all([stopRegistry(upstream), stopRegistry(target)]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function run() {
  const where = { account: '111122223333', region: 'eu-west-2' };
  const config = decodeCopySettings(
    encodeCopySettings(
      parseConfig({
        ...where,
        rules: [{ prefix: 'k8s', upstream: 'k8s' }],
        copies: [
          {
            prefix: 'mirror',
            upstream: upstream.address,
            credentials: { secretName: 'ptc-copy/upstream' },
            images: [`${upstream.address}/team/app:v1`],
            manifest: { ssmParameter: '/ptc/copies/upstream' },
          },
        ],
      }),
      where,
    ),
  );
  const { lines, log } = recorder();
  const { metrics, metric } = metricRecorder();
  const deps: CopyRunDeps = {
    ecr: new ECRClient({ region: 'eu-west-2' }),
    secrets: new SecretsManagerClient({ region: 'eu-west-2' }),
    ssm: new SSMClient({ region: 'eu-west-2' }),
    commands: { GetObjectCommand, GetParameterCommand },
    config,
    log,
    metric,
    remainingMs: () => 900_000,
    target: { baseUrl: `https://${target.address}`, host: target.address, ca: cert.cert },
    upstreamCa: cert.cert,
  };
  return { deps, lines, metrics, result: runCopy({ prefixes: ['mirror'] }, deps).catch((e: unknown) => e) };
}

beforeEach(() => {
  for (const m of [ecrMock, secretsMock, ssmMock]) m.reset();
  // The target's htpasswd password stands in for ECR's: GetAuthorizationToken's documented shape, token `AWS:<password>`.
  ecrMock.on(GetAuthorizationTokenCommand).resolves(authorizationTokenFor(target.password!));
  secretsMock.on(GetSecretValueCommand).resolves({
    ...copyFixture<Record<string, unknown>>('get-secret-value.json'),
    SecretString: JSON.stringify({ username: upstream.user, accessToken: upstream.password }),
  });
  const parameter = copyFixture('get-parameter.string.json');
  parameter.Parameter.Value = parameter.Parameter.Value.replace('UPSTREAM', upstream.address);
  ssmMock.on(GetParameterCommand).resolves(parameter);
});

describe('copy-images against a real upstream and an ECR-like target', () => {
  test('copies the listed image and the one of the SSM list byte for byte, fails the foreign one naming the list, and fails the invocation', async () => {
    const { lines, metrics, result } = run();
    const err = await result;
    expect(err).toBeInstanceOf(CopyIncompleteError);
    expect((err as CopyIncompleteError).failedCount).toBe(1);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'ptc-copy/upstream' });
    expect(ecrMock).toHaveReceivedCommandWith(GetAuthorizationTokenCommand, {});

    expect(await inspectRaw(target, 'mirror/team/app:v1')).toBe(await inspectRaw(upstream, 'team/app:v1'));
    expect(await inspectRaw(target, 'mirror/team/listed-outside:v1')).toBe(await inspectRaw(upstream, 'team/listed-outside:v1'));

    const copied = lines.filter((l) => l.message === 'image copied').map((l) => l.attributes!);
    expect(copied.map((a) => [a.image, a.target, a.digest, a.status])).toEqual(
      expect.arrayContaining([
        [`${upstream.address}/team/app:v1`, `${target.address}/mirror/team/app:v1`, built.app!.digest, 'copied'],
        [`${upstream.address}/team/listed-outside:v1`, `${target.address}/mirror/team/listed-outside:v1`, built.outside!.digest, 'copied'],
      ]),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'image not copied',
        attributes: expect.objectContaining({
          image: 'quay.io/org/elsewhere:v2',
          reason: expect.stringContaining('listed in ssm:/ptc/copies/upstream'),
        }),
      }),
    );
    const bytes = metrics.find(([p, n]) => p === 'mirror' && n === 'BytesCopied')![2];
    expect(bytes).toBeGreaterThan(0);
    expect(metrics).toEqual(
      expect.arrayContaining([
        ['mirror', 'ImagesCopied', 2],
        ['mirror', 'ImagesFailed', 1],
        ['total', 'BytesCopied', bytes],
      ]),
    );
    // Neither credential reaches a log line.
    expect(JSON.stringify(lines)).not.toContain(upstream.password!);
    expect(JSON.stringify(lines)).not.toContain(target.password!);
  }, 120_000);

  test('the next run finds both images unchanged and sends nothing', async () => {
    const { lines, metrics, result } = run();
    expect(await result).toBeInstanceOf(CopyIncompleteError);
    expect(lines.filter((l) => l.message === 'image unchanged').map((l) => l.attributes!.image)).toEqual(
      expect.arrayContaining([`${upstream.address}/team/app:v1`, `${upstream.address}/team/listed-outside:v1`]),
    );
    expect(metrics).toEqual(
      expect.arrayContaining([
        ['mirror', 'ImagesUnchanged', 2],
        ['mirror', 'ImagesCopied', 0],
        ['mirror', 'BytesCopied', 0],
      ]),
    );
  }, 120_000);
});
