import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig, type PtcConfig } from '../../core';
import { RegistryClient, type RegistryClientOptions } from '../../registry';
import { PrewarmRequestError } from '../../functions/prewarm/errors';
import { decodeAuthorizationToken, newTotals, requestedImages, runPrewarm } from '../../functions/prewarm/run';
import { decodePrewarmSettings, encodePrewarmSettings, SETTINGS_VARIABLE_LIMIT } from '../../core/lambda-contracts/prewarm/settings';
import { fixture, recordingLog } from '../validation/helpers';
import { FakeRegistry } from './fake-registry';

const ecrMock = mockClient(ECRClient);
const ssmMock = mockClient(SSMClient);
const ENDPOINT = 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com';
// The password inside the GetAuthorizationToken fixture's token.
const ECR_CREDENTIALS = { username: 'AWS', password: 'example-registry-password-not-real' };

function config(prewarm: Record<string, unknown>): PtcConfig {
  return parseConfig({
    account: '111122223333',
    region: 'eu-west-2',
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      { prefix: 'github', upstream: 'github-container-registry', credentials: { secretName: 'ecr-pullthroughcache/github' } },
    ],
    prewarm,
  });
}

let registry: FakeRegistry;
beforeAll(async () => {
  // Plays the ECR endpoint: Basic auth with the GetAuthorizationToken password.
  registry = await new FakeRegistry({ auth: 'basic', credentials: ECR_CREDENTIALS }).start();
  registry.addImage('docker-hub/library/nginx', '1.27');
  registry.addImage('github/org/app', 'v1', { platforms: ['linux/amd64'] });
});
afterAll(() => registry.stop());
beforeEach(() => {
  ecrMock.reset();
  ssmMock.reset();
  ecrMock.on(GetAuthorizationTokenCommand).resolves(fixture('prewarm/get-authorization-token.json'));
});

function deps(c: PtcConfig) {
  const made: RegistryClientOptions[] = [];
  return {
    made,
    deps: {
      ecr: new ECRClient({}),
      ssm: new SSMClient({}),
      config: c,
      log: recordingLog(),
      totals: newTotals(),
      // The endpoint ECR names is not reachable from a test; the fake registry stands in for it.
      createClient: (options: RegistryClientOptions) => {
        made.push(options);
        return new RegistryClient({
          ...options,
          baseUrl: registry.url,
          plainHttpHosts: [new URL(registry.url).host],
          retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
        });
      },
    },
  };
}

describe('prewarm Lambda', () => {
  test('logs in with GetAuthorizationToken and prewarms the configured and SSM-listed images through the registry endpoint', async () => {
    ssmMock.on(GetParameterCommand).resolves(fixture('prewarm/get-parameter.string-list.json'));
    const { made, deps: d } = deps(config({ images: ['docker.io/library/nginx:1.27'], manifest: { ssmParameter: '/ptc/prewarm-images' } }));
    const result = await runPrewarm(fixture('events/scheduled-event.json'), d);
    expect(ecrMock).toHaveReceivedCommandWith(GetAuthorizationTokenCommand, {});
    expect(made).toEqual([{ baseUrl: ENDPOINT, credentials: ECR_CREDENTIALS, concurrency: 8 }]);
    expect(result.summary).toEqual({ images: 2, ok: 2, missing: 0, denied: 0, failed: 0 });
    expect(d.totals).toEqual({ ImagesOk: 2, ImagesMissing: 0, ImagesDenied: 0, ImagesFailed: 0, Failures: 0 });
    const prewarmed = d.log.lines
      .filter((l) => l.message === 'image prewarmed')
      .map((l) => [l.attributes.image, l.attributes.repositoryName, l.attributes.prefix, l.attributes.upstream]);
    expect(prewarmed.sort()).toEqual([
      ['docker.io/library/nginx:1.27', 'docker-hub/library/nginx', 'docker-hub', 'docker-hub'],
      ['ghcr.io/org/app:v1', 'github/org/app', 'github', 'github-container-registry'],
    ]);
  });

  test('an on-demand request prewarms just its images and reports each problem', async () => {
    const { deps: d } = deps(config({ images: ['docker.io/library/nginx:1.27'] }));
    const result = await runPrewarm({ images: ['ghcr.io/org/app:v1', 'ghcr.io/org/app:v9'] }, d);
    expect(result.summary).toEqual({ images: 2, ok: 1, missing: 1, denied: 0, failed: 0 });
    expect(result.problems).toEqual([
      {
        image: 'ghcr.io/org/app:v9',
        status: 'missing',
        uri: '111122223333.dkr.ecr.eu-west-2.amazonaws.com/github/org/app:v9',
        reason: expect.stringContaining('HTTP 404'),
      },
    ]);
    expect(d.totals).toMatchObject({ ImagesOk: 1, ImagesMissing: 1, Failures: 1 });
    expect(d.log.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'image not prewarmed: missing',
        attributes: expect.objectContaining({ image: 'ghcr.io/org/app:v9', prefix: 'github' }),
      }),
    );
  });

  test('an unreadable SSM list is logged and counted, and the configured images are still prewarmed', async () => {
    ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    const { deps: d } = deps(config({ images: ['docker.io/library/nginx:1.27'], manifest: { ssmParameter: '/ptc/prewarm-images' } }));
    const result = await runPrewarm({}, d);
    expect(result.summary.ok).toBe(1);
    expect(result.manifestError).toBe('prewarm image list ssm:/ptc/prewarm-images: cannot be read (ParameterNotFound: not found)');
    expect(d.totals.Failures).toBe(1);
  });

  test('a registry that refuses the token is one error for the run, every image counted failed, never logging the token', async () => {
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: Buffer.from('AWS:expired-token-value').toString('base64'), proxyEndpoint: ENDPOINT }],
    });
    const { deps: d } = deps(config({ images: ['docker.io/library/nginx:1.27', 'ghcr.io/org/app:v1'] }));
    await expect(runPrewarm({}, d)).rejects.toThrow(`registry ${registry.url} refused access: it does not accept the credentials given`);
    expect(d.totals).toMatchObject({ ImagesFailed: 2, Failures: 2 });
    const logged = JSON.stringify(d.log.lines);
    expect(logged).not.toContain('expired-token-value');
    expect(logged).not.toContain(Buffer.from('AWS:expired-token-value').toString('base64'));
  });

  test('a malformed on-demand request is refused before any AWS call', async () => {
    const { deps: d } = deps(config({ images: ['nginx:1.27'] }));
    await expect(runPrewarm({ images: 'nginx:1.27' }, d)).rejects.toThrow(PrewarmRequestError);
    expect(ecrMock).not.toHaveReceivedAnyCommand();
    expect(() => requestedImages({ images: [] })).toThrow(
      '"images" must be a non-empty list of image references, such as {"images": ["nginx:1.27"]}',
    );
    expect(requestedImages(fixture('events/scheduled-event.json'))).toBeUndefined();
  });

  test('the GetAuthorizationToken token is decoded into user and password, and a malformed one is refused without quoting it', () => {
    expect(decodeAuthorizationToken(fixture('prewarm/get-authorization-token.json').authorizationData[0].authorizationToken)).toEqual(
      ECR_CREDENTIALS,
    );
    expect(() => decodeAuthorizationToken(Buffer.from('no-colon-here').toString('base64'))).toThrow(
      'GetAuthorizationToken returned a token that is not base64 of "user:password"',
    );
  });
});

describe('prewarm settings', () => {
  const target = { account: '111122223333', region: 'eu-west-2' };

  test('rules and the prewarm block survive the trip through the environment, compressed when long', () => {
    const small = config({ images: ['nginx:1.27'] });
    expect(decodePrewarmSettings(encodePrewarmSettings(small, target)).prewarm).toEqual(small.prewarm);
    const long = config({ images: Array.from({ length: 60 }, (_, i) => `ghcr.io/org/service-${i}:v1.2.${i}`) });
    const value = encodePrewarmSettings(long, target);
    expect(value.startsWith('gzip:')).toBe(true);
    expect(decodePrewarmSettings(value).prewarm.images).toEqual(long.prewarm.images);
  });

  test('a list too long for the Lambda environment says to use prewarm.manifest', () => {
    const images = Array.from({ length: 400 }, (_, i) => `ghcr.io/${Math.random().toString(36).slice(2)}/svc-${i}:v${i}`);
    // The config checks refuse such a list first (core/config/deploy-limits); the encoder keeps its own guard.
    expect(() => config({ images })).toThrow(/config error at prewarm\.images: the prewarm Lambda would get \d+ bytes/);
    const small = config({});
    const huge = { ...small, prewarm: { ...small.prewarm, images } };
    expect(() => encodePrewarmSettings(huge, target)).toThrow(
      new RegExp(`Lambda allows ${SETTINGS_VARIABLE_LIMIT}\\. Move the images to prewarm\\.manifest`),
    );
  });
});
