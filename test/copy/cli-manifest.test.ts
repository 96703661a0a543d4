/**
 * `ptc copy` reads each entry's `copies[N].manifest` (an SSM parameter here) as the copy-images
 * Lambda does, against real registries over TLS (docker-registry, throw-away CA): the listed image
 * copies byte for byte, an image of the list on another host fails naming the list, `--images FILE`
 * is used instead of the lists. SSM through aws-sdk-client-mock with GetParameter's documented
 * response shape (test/fixtures/copy-lambda/get-parameter.string.json, its README gives the address).
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { copyFixture } from '../copy-lambda/helpers';
import { selfSignedCertificate } from '../prewarm/hostile-registry';
import { OciLayoutWriter, type BuiltImage } from '../prewarm/oci-images';
import { inspectRaw, pushLayout, startRegistry, stopRegistry, type TestRegistry } from './registries';

const ssm = mockClient(SSMClient);
let work: string;
let upstream: TestRegistry;
let target: TestRegistry;
let caFile: string;
let configFile: string;
let built: BuiltImage;

beforeAll(async () => {
  const cert = selfSignedCertificate();
  work = mkdtempSync(path.join(tmpdir(), 'ptc-copy-manifest-'));
  [upstream, target] = await Promise.all([
    startRegistry(path.join(work, 'upstream'), cert),
    startRegistry(path.join(work, 'target'), cert, { kind: 'basic' }),
  ]);
  const layout = new OciLayoutWriter(path.join(work, 'layout'));
  built = layout.addImage('v1', { platforms: ['linux/amd64', 'linux/arm64'] });
  await pushLayout(upstream, layout.dir, 'v1', 'team/listed-outside');
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
      `  - { prefix: local, upstream: "${upstream.address}", images: [], manifest: { ssmParameter: /ptc/copies/upstream } }`,
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([stopRegistry(upstream), stopRegistry(target)]);
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  ssm.reset();
  const parameter = copyFixture('get-parameter.string.json');
  parameter.Parameter.Value = parameter.Parameter.Value.replace('UPSTREAM', upstream.address);
  ssm.on(GetParameterCommand).resolves(parameter);
});

async function copyCli(args: string[]) {
  const io = recordingIo({ stdin: `${target.password}\n` });
  const code = await run(
    [
      'copy',
      '--config',
      configFile,
      '--registry-url',
      target.address,
      '--username',
      'AWS',
      '--password-stdin',
      '--ca-file',
      caFile,
      ...args,
    ],
    io,
  );
  return { code, out: io.out, err: io.err };
}

interface Report {
  results: { image: string; status: string; reason?: string; digest?: string }[];
}

describe('ptc copy with copies[N].manifest', () => {
  test('copies the SSM-listed image byte for byte, and fails the one on another host naming the list (exit 1)', async () => {
    const { code, out } = await copyCli(['--json']);
    expect(code).toBe(1);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/ptc/copies/upstream', WithDecryption: true });
    const report = JSON.parse(out) as Report;
    expect(report.results.map((r) => [r.image, r.status])).toEqual([
      [`${upstream.address}/team/listed-outside:v1`, 'copied'],
      ['quay.io/org/elsewhere:v2', 'failed'],
    ]);
    expect(report.results[1]!.reason).toContain('ssm:/ptc/copies/upstream');
    expect(report.results[1]!.reason).toContain('pass --images FILE to use a local list instead');
    expect(await inspectRaw(target, 'local/team/listed-outside:v1')).toBe(await inspectRaw(upstream, 'team/listed-outside:v1'));
    expect(report.results[0]!.digest).toBe(built.digest);
  });

  test('--images FILE is used instead of the lists: SSM is not read', async () => {
    const list = path.join(work, 'images.txt');
    writeFileSync(list, `${upstream.address}/team/listed-outside:v1\n`);
    const { code, out } = await copyCli(['--json', '--images', list]);
    expect(code).toBe(0);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 0);
    expect((JSON.parse(out) as Report).results.map((r) => [r.image, r.status])).toEqual([
      [`${upstream.address}/team/listed-outside:v1`, 'unchanged'],
    ]);
  });
});
