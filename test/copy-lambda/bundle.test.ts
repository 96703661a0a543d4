/**
 * The copy-images bundle as `cdk synth` stages it, required in a plain `node` child with its
 * template's environment and the SDK found the way the Lambda runtime finds it
 * (test/aws-truth/bundles.ts): it loads, takes the event its schedule rule sends, and sends the
 * documented requests. The driver's context leaves 60 seconds, less than the 5 minutes the run keeps
 * in hand, so no image is started and nothing leaves the machine.
 */
import { parseConfig } from '../../core';
import { CopySettingsError } from '../../core/lambda-contracts/copy-images/settings';
import { CopyIncompleteError } from '../../functions/copy-images/run';
import { bundledFunctions, fixtureJson, runBundle, sent, type MockSpec } from '../aws-truth/bundles';
import { removeAssemblies, synthesize, type Synthesized } from '../aws-truth/synth';

const ECR = { module: '@aws-sdk/client-ecr', client: 'ECRClient' } as const;
const SECRETS = { module: '@aws-sdk/client-secrets-manager', client: 'SecretsManagerClient' } as const;
const SSM = { module: '@aws-sdk/client-ssm', client: 'SSMClient' } as const;

const config = parseConfig({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  copies: [
    {
      prefix: 'gcr',
      upstream: 'gcr.io',
      credentials: { secretName: 'ptc-copy/upstream' },
      images: ['gcr.io/distroless/static:nonroot'],
      manifest: { ssmParameter: '/ptc/copies/upstream' },
    },
  ],
});

let app: Synthesized;
beforeAll(() => {
  app = synthesize('copies, bundled', config, { bundle: true });
}, 120_000);
afterAll(() => removeAssemblies([app]));

const fn = () => bundledFunctions(app).find((f) => f.service === 'copy-images')!;
/** The event the schedule rule sends, as synthesized. */
const scheduleEvent = (): unknown => {
  const rule = Object.values(app.stacks[0]!.resources).find(
    (r) => r.Type === 'AWS::Events::Rule' && String((r.Properties as { Description?: string }).Description).includes('copy the images'),
  )!;
  return JSON.parse((rule.Properties as { Targets: { Input: string }[] }).Targets[0]!.Input);
};

const mocks = (): MockSpec[] => {
  const parameter = fixtureJson('copy-lambda/get-parameter.string.json') as { Parameter: { Value: string } };
  parameter.Parameter.Value = 'gcr.io/kaniko-project/executor:v1.23.2\nquay.io/org/elsewhere:v2\n';
  return [
    { ...ECR, command: 'GetAuthorizationTokenCommand', resolves: fixtureJson('copy-lambda/get-authorization-token.json') },
    { ...SECRETS, command: 'GetSecretValueCommand', resolves: fixtureJson('copy-lambda/get-secret-value.json') },
    { ...SSM, command: 'GetParameterCommand', resolves: parameter },
  ];
};

describe('the copy-images bundle in plain node', () => {
  test('runs the schedule event: the token, the secret and the list by the documented requests, the foreign image failing by name', () => {
    const run = runBundle(fn(), mocks(), [scheduleEvent()]);
    expect(run.loadError).toBeUndefined();
    expect(sent(run, 'GetAuthorizationTokenCommand')).toEqual([{}]);
    expect(sent(run, 'GetSecretValueCommand')).toEqual([{ SecretId: 'ptc-copy/upstream' }]);
    expect(sent(run, 'GetParameterCommand')).toEqual([{ Name: '/ptc/copies/upstream', WithDecryption: true }]);
    expect(run.results).toEqual([
      { error: expect.objectContaining({ name: CopyIncompleteError.name, constructorName: CopyIncompleteError.name }) },
    ]);
    expect(run.logs).toContainEqual(
      expect.objectContaining({ message: 'copy run finished', prefixes: ['gcr'], images: 3, failed: 1, left: 2, copied: 0 }),
    );
    expect(
      run.logs.filter((l) => l._aws !== undefined && l.prefix === 'gcr').map((l) => Object.keys(l).filter((k) => /^Images|^Bytes/.test(k))),
    ).toEqual([['ImagesCopied'], ['ImagesUnchanged'], ['ImagesFailed'], ['ImagesLeft'], ['BytesCopied']]);
  });

  test('an unreadable settings variable fails at cold start with CopySettingsError naming it', () => {
    const f = fn();
    const run = runBundle(f, [], [], { ...f.environment, PTC_COPY_SETTINGS: '{not json' });
    expect(run.loadError).toMatchObject({ name: CopySettingsError.name, constructorName: CopySettingsError.name });
    expect(run.loadError!.message).toContain('PTC_COPY_SETTINGS');
  });
});
