/**
 * `ptc copy` in process against real registries over TLS (docker-registry, throw-away CA given
 * with --ca-file): an anonymous upstream, an upstream behind a token realm whose credentials come
 * from Secrets Manager (aws-sdk-client-mock, GetSecretValue's documented shape), and an ECR-like
 * Basic-auth target; a recording proxy in front of the target proves --dry-run writes nothing.
 */
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { ecrCredentials, secretCredentials } from '../../engines/copy/credentials';
import { recordingIo } from '../cli/fake-io';
import { selfSignedCertificate, type TestCertificate } from '../prewarm/hostile-registry';
import { OciLayoutWriter, type BuiltImage } from '../prewarm/oci-images';
import { FaultProxy } from './fault-proxy';
import { inspectRaw, pushLayout, startRegistry, startTokenRealm, stopRegistry, type TestRegistry, type TokenRealm } from './registries';

const ecr = mockClient(ECRClient);
const secrets = mockClient(SecretsManagerClient);
let cert: TestCertificate;
let work: string;
let upstream: TestRegistry;
let secured: TestRegistry;
let target: TestRegistry;
let realm: TokenRealm;
let front: FaultProxy;
let caFile: string;
let configFile: string;
const built: Record<string, BuiltImage> = {};

beforeAll(async () => {
  cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-cli-'));
  realm = await startTokenRealm(cert);
  [upstream, secured, target] = await Promise.all([
    startRegistry(path.join(work, 'upstream'), cert),
    startRegistry(path.join(work, 'secured'), cert, { kind: 'token', realm: realm.url, service: realm.service }),
    startRegistry(path.join(work, 'target'), cert, { kind: 'basic' }),
  ]);
  front = await new FaultProxy(target.address, cert).start();
  const layout = new OciLayoutWriter(path.join(work, 'layout'));
  built.app = layout.addImage('app', { platforms: ['linux/amd64', 'linux/arm64'] });
  built.tool = layout.addImage('tool', { platforms: ['linux/amd64'] });
  built.private = layout.addImage('private', { platforms: ['linux/amd64'] });
  await pushLayout(upstream, layout.dir, 'app', 'org/app');
  await pushLayout(upstream, layout.dir, 'tool', 'org/tool');
  await pushLayout(secured, layout.dir, 'private', 'org/private', { user: realm.user, password: realm.password });
  caFile = path.join(work, 'ca.pem');
  writeFileSync(caFile, cert.cert);
  configFile = path.join(work, 'ptc.yaml');
  writeFileSync(
    configFile,
    [
      'account: "111122223333"',
      'region: eu-west-2',
      'rules: [{ prefix: k8s, upstream: k8s }]',
      'copies:',
      `  - { prefix: local, upstream: "${upstream.address}", images: ["${upstream.address}/org/app:app"] }`,
      `  - { prefix: private, upstream: "${secured.address}", credentials: { secretName: ptc-copy/private }, images: ["${secured.address}/org/private:private"] }`,
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([front?.stop(), stopRegistry(upstream), stopRegistry(secured), stopRegistry(target), realm?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  ecr.reset();
  secrets.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: 'ptc-copy/private' })
    .resolves({ Name: 'ptc-copy/private', SecretString: JSON.stringify({ username: realm.user, accessToken: realm.password }) });
  front.requests.length = 0;
});

async function copyCli(args: string[], registry = target.address) {
  const io = recordingIo({ stdin: `${target.password}\n` });
  const code = await run(
    ['copy', '--config', configFile, '--registry-url', registry, '--username', 'AWS', '--password-stdin', '--ca-file', caFile, ...args],
    io,
  );
  return { code, out: io.out, err: io.err };
}

interface Report {
  registry: string;
  dryRun: boolean;
  summary: Record<string, number>;
  results: { image: string; status: string; reason?: string; digest?: string; target: string }[];
}

describe('ptc copy', () => {
  test('--dry-run reads both sides and sends not a single write request', async () => {
    const { code, out } = await copyCli(['--json', '--dry-run'], front.address);
    expect(code).toBe(0);
    const report = JSON.parse(out) as Report;
    expect(report).toMatchObject({ dryRun: true, summary: { images: 2, copied: 2, unchanged: 0, failed: 0, bytes: 0 } });
    expect(front.requests.length).toBeGreaterThan(0);
    expect(front.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
  });

  test("--json: one result per image, copied byte for byte, the private one with its secret's credentials", async () => {
    const { code, out, err } = await copyCli(['--json']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const report = JSON.parse(out) as Report;
    expect(report.results.map((r) => [r.image, r.status, r.digest])).toEqual([
      [`${upstream.address}/org/app:app`, 'copied', built.app!.digest],
      [`${secured.address}/org/private:private`, 'copied', built.private!.digest],
    ]);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'ptc-copy/private' });
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 0);
    expect(await inspectRaw(target, 'local/org/app:app')).toBe(await inspectRaw(upstream, 'org/app:app'));
    expect(await inspectRaw(target, 'private/org/private:private')).toBe(
      await inspectRaw(secured, 'org/private:private', { user: realm.user, password: realm.password }),
    );
  });

  test('a second run: every image unchanged, and the text ends with the summary line', async () => {
    const { code, out } = await copyCli([]);
    expect(code).toBe(0);
    expect(out).toContain(`unchanged ${upstream.address}/org/app:app -> ${target.address}/local/org/app:app (${built.app!.digest})\n`);
    expect(out).toMatch(
      new RegExp(
        `\\n2 images copied to https://${target.address.replace(/\./g, '\\.')}: 0 copied, 2 unchanged, 0 failed \\(0 bytes sent\\)\\n$`,
      ),
    );
  });

  test('--images FILE adds images of a copies upstream; one of another registry fails with its reason, exit 1', async () => {
    const list = path.join(work, 'images.txt');
    writeFileSync(list, `# more\n${upstream.address}/org/tool:tool\nmcr.microsoft.com/dotnet/runtime:8.0\n`);
    const { code, out } = await copyCli(['--json', '--images', list]);
    expect(code).toBe(1);
    const report = JSON.parse(out) as Report;
    expect(report.results.map((r) => [r.image, r.status])).toEqual([
      [`${upstream.address}/org/app:app`, 'unchanged'],
      [`${secured.address}/org/private:private`, 'unchanged'],
      [`${upstream.address}/org/tool:tool`, 'copied'],
      ['mcr.microsoft.com/dotnet/runtime:8.0', 'failed'],
    ]);
    expect(report.results[3]!.reason).toBe(
      'no copies entry has upstream "mcr.microsoft.com"; add one (or a rule, for a registry the pull-through cache serves)',
    );
  });

  test("without credentials for a registry other than the config's ECR one: no ECR token is fetched or sent, one clear error", async () => {
    const io = recordingIo();
    const code = await run(['copy', '--config', configFile, '--registry-url', target.address, '--ca-file', caFile], io);
    expect(code).toBe(1);
    expect(io.err).toBe(
      `registry https://${target.address} refused access: it needs credentials; pass --username and --password-stdin (the ECR token of your AWS credentials is sent only to the config's ECR registry)\n`,
    );
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 0);
  });

  test('an upstream secret still holding the placeholder stops the run before any request to the target', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'ptc-copy/private' }).resolves({ SecretString: '{"username":"","accessToken":""}' });
    const { code, out, err } = await copyCli([], front.address);
    expect({ code, out }).toEqual({ code: 1, out: '' });
    expect(err).toBe('secret "ptc-copy/private" has no {"username", "accessToken"} value yet; put the upstream\'s credentials in it\n');
    expect(front.requests).toEqual([]);
  });

  test('a --ca-file that holds no certificate is one clear error', async () => {
    const io = recordingIo();
    expect(await run(['copy', '--config', configFile, '--registry-url', target.address, '--ca-file', configFile], io)).toBe(1);
    expect(io.err).toBe(`--ca-file ${configFile}: holds no PEM certificate ("-----BEGIN CERTIFICATE-----")\n`);
  });

  test('a plain-HTTP --registry-url is refused before any request', async () => {
    const io = recordingIo();
    expect(await run(['copy', '--config', configFile, '--registry-url', `http://${target.address}`], io)).toBe(1);
    expect(io.err).toBe(
      `--registry-url http://${target.address} is plain HTTP; ptc copy sends credentials and talks HTTPS only (use --ca-file for a private CA)\n`,
    );
  });
});

describe('copy credentials from AWS', () => {
  test('the ECR token decodes to Basic AWS:<password>', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from('AWS:secret-token-value').toString('base64'),
          proxyEndpoint: 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com',
        },
      ],
    });
    expect(await ecrCredentials(new ECRClient({ region: 'eu-west-2' }))).toEqual({ username: 'AWS', password: 'secret-token-value' });
  });

  test('a malformed token is an error that does not quote it', async () => {
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolves({ authorizationData: [{ authorizationToken: Buffer.from('no-colon-here').toString('base64') }] });
    await expect(ecrCredentials(new ECRClient({ region: 'eu-west-2' }))).rejects.toThrow(
      'GetAuthorizationToken returned a token that is not base64 of "user:password"',
    );
  });

  test('a secret still holding the placeholder is named, with what to put in it', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'ptc-copy/empty' }).resolves({ SecretString: '{"username":"","accessToken":""}' });
    await expect(secretCredentials(new SecretsManagerClient({ region: 'eu-west-2' }), 'ptc-copy/empty')).rejects.toThrow(
      'secret "ptc-copy/empty" has no {"username", "accessToken"} value yet',
    );
  });
});
