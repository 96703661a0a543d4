import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildProgram, run } from '../../cli/main';
import { registryBaseUrl } from '../../cli/commands/prewarm';
import { parseConfig } from '../../core';
import { recordingIo } from '../cli/fake-io';
import { FakeRegistry, PASSWORD, USER } from './fake-registry';

const s3Mock = mockClient(S3Client);
const RULES = ['rules:', '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }'];
let dir: string;

function configFile(lines: string[]): string {
  const file = path.join(dir, `ptc-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, ['account: "111122223333"', 'region: eu-west-2', ...RULES, ...lines, ''].join('\n'));
  return file;
}

async function ptc(args: string[], stdin?: string) {
  const io = recordingIo(stdin === undefined ? {} : { stdin });
  const code = await run(['prewarm', ...args], io);
  return { code, out: io.out, err: io.err };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ptc-prewarm-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => s3Mock.reset());

describe('ptc prewarm flags', () => {
  const withImages = () => configFile(['prewarm:', '  images: [nginx:1.27]']);

  test("offers the issue's flags, with their arguments, plus --environment", async () => {
    const io = recordingIo();
    const program = await buildProgram(io, { code: 0 });
    const command = program.commands.find((c) => c.name() === 'prewarm')!;
    expect(command.options.map((o) => o.flags).sort()).toEqual(
      [
        '-c, --config <file>',
        '--images <file>',
        '--registry-url <url>',
        '--username <user>',
        '--password-stdin',
        '--insecure-http',
        '--concurrency <n>',
        '--json',
        '-e, --environment <name>',
      ].sort(),
    );
  });

  test('an unknown flag is refused by name', async () => {
    const { code, err } = await ptc(['--config', withImages(), '--registry', 'x']);
    expect(code).toBe(1);
    expect(err).toContain("unknown option '--registry'");
  });

  test.each([
    [
      ['--username', 'AWS'],
      '--username needs --password-stdin (pipe the password, e.g. aws ecr get-login-password | ptc prewarm --username AWS --password-stdin)',
    ],
    [['--password-stdin'], '--password-stdin needs --username'],
    [
      ['--registry-url', 'http://127.0.0.1:5000'],
      '--registry-url http://127.0.0.1:5000 is plain HTTP, which sends the credentials in clear text; add --insecure-http to allow it',
    ],
    [
      ['--registry-url', 'https://r.example.com', '--insecure-http'],
      '--registry-url https://r.example.com is HTTPS, but --insecure-http asks for plain HTTP; drop one of them',
    ],
    [['--insecure-http'], '--insecure-http needs --registry-url (the ECR endpoint is HTTPS only)'],
    [
      ['--registry-url', 'r.example.com/v2/'],
      '--registry-url "r.example.com/v2/" must be a host and port only, without path, query or credentials',
    ],
    [['--concurrency', '0'], '--concurrency must be a whole number from 1 to 64, got "0"'],
    [['--concurrency', 'lots'], '--concurrency must be a whole number from 1 to 64, got "lots"'],
    [['--images', 'no-such-file.txt'], 'prewarm image list no-such-file.txt: cannot be read (ENOENT)'],
  ])('%j is refused with a message naming the flag', async (args, message) => {
    const { code, out, err } = await ptc(['--config', withImages(), ...args]);
    expect({ code, out, err }).toEqual({ code: 1, out: '', err: `${message}\n` });
  });

  test('an empty password on standard input is refused', async () => {
    const { code, err } = await ptc(['--config', withImages(), '--username', 'AWS', '--password-stdin'], '\n');
    expect({ code, err }).toEqual({ code: 1, err: '--password-stdin read an empty password from standard input\n' });
  });

  test('nothing to prewarm says so and exits 0', async () => {
    const { code, err } = await ptc(['--config', configFile([])]);
    expect({ code, err }).toEqual({
      code: 0,
      err: 'no images to prewarm: list them in prewarm.images, prewarm.manifest or --images FILE\n',
    });
  });

  test("without --registry-url the target is the config's ECR endpoint over HTTPS", () => {
    const config = parseConfig({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] });
    expect(registryBaseUrl(config, {})).toBe('https://111122223333.dkr.ecr.eu-west-2.amazonaws.com');
    expect(registryBaseUrl(config, { registryUrl: '127.0.0.1:5000', insecureHttp: true })).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl(config, { registryUrl: 'registry.example.com:8443' })).toBe('https://registry.example.com:8443');
  });
});

describe('ptc prewarm image lists', () => {
  let registry: FakeRegistry;
  beforeAll(async () => {
    registry = await new FakeRegistry().start();
    registry.addImage('docker-hub/library/nginx', '1.27', { platforms: ['linux/amd64'] });
    registry.addImage('docker-hub/library/redis', '7', { platforms: ['linux/amd64'] });
  });
  afterAll(() => registry.stop());

  test('adds the S3 manifest of the config to prewarm.images', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: { transformToString: async () => 'redis:7\nnginx:1.27\n' } as never });
    const file = configFile(['prewarm:', '  images: [nginx:1.27]', '  manifest: { s3: { bucket: team-lists, key: prewarm.txt } }']);
    const { code, out } = await ptc(['--config', file, '--registry-url', registry.url, '--insecure-http', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out).results.map((r: { image: string; status: string }) => `${r.image} ${r.status}`)).toEqual([
      'nginx:1.27 ok',
      'redis:7 ok',
    ]);
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'team-lists', Key: 'prewarm.txt' });
  });

  test('--images FILE is used instead of the external manifest, so no AWS call is made', async () => {
    const list = path.join(dir, 'list.yaml');
    writeFileSync(list, '- redis:7\n');
    const file = configFile(['prewarm:', '  images: [nginx:1.27]', '  manifest: { s3: { bucket: team-lists, key: prewarm.txt } }']);
    const { code } = await ptc(['--config', file, '--images', list, '--registry-url', registry.url, '--insecure-http']);
    expect(code).toBe(0);
    expect(s3Mock).not.toHaveReceivedAnyCommand();
  });

  test('an unreadable external manifest is an error that suggests --images', async () => {
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const file = configFile(['prewarm:', '  manifest: { s3: { bucket: team-lists, key: prewarm.txt } }']);
    const { code, err } = await ptc(['--config', file, '--registry-url', registry.url, '--insecure-http']);
    expect({ code, err }).toEqual({
      code: 1,
      err: 'prewarm image list s3://team-lists/prewarm.txt: cannot be read (AccessDenied: Access Denied); pass --images FILE to use a local list instead\n',
    });
  });
});

describe('ptc prewarm credentials', () => {
  let registry: FakeRegistry;
  beforeAll(async () => {
    registry = await new FakeRegistry({ auth: 'basic' }).start();
    registry.addImage('docker-hub/library/nginx', '1.27', { platforms: ['linux/amd64'] });
  });
  afterAll(() => registry.stop());

  test('a registry that needs credentials when none were given is one error saying how to pass them', async () => {
    const file = configFile(['prewarm:', '  images: [nginx:1.27]']);
    const { code, out, err } = await ptc(['--config', file, '--registry-url', registry.url, '--insecure-http']);
    expect({ code, out, err }).toEqual({
      code: 1,
      out: '',
      err: `registry ${registry.url} refused access: it needs credentials; pass --username and --password-stdin (ECR: aws ecr get-login-password | ptc prewarm --username AWS --password-stdin)\n`,
    });
  });

  test('the password from standard input signs in, and the JSON results never show it', async () => {
    const file = configFile(['prewarm:', '  images: [nginx:1.27]']);
    const { code, out } = await ptc(
      ['--config', file, '--registry-url', registry.url, '--insecure-http', '--username', USER, '--password-stdin', '--json'],
      `${PASSWORD}\n`,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out).summary).toEqual({ images: 1, ok: 1, missing: 0, denied: 0, failed: 0 });
    expect(out).not.toContain(PASSWORD);
  });
});
