/**
 * Routing with a `copies` list: `ptc resolve`, `ptc rewrite` (both ways), the Kyverno policy,
 * `ptc audit` (and `--suggest-copies`) and `ptc plan` send an image of a copy upstream to
 * `<registry>/<prefix>/<path>` exactly when the config lists it, and agree with each other.
 * The config is invented for these tests: the example entry plus a platforms-subset one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { run } from '../../cli/main';
import { createResolver, createReverser, digestPinnedPolicy, parseConfig } from '../../core';
import { kyvernoPolicyYaml } from '../../core/kyverno';
import { recordingIo } from '../cli/fake-io';
import { evaluateRule, type PolicyRule } from '../image-ref/kyverno-eval';

const REGISTRY = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const RAW = {
  account: '111122223333',
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  copies: [
    {
      prefix: 'gcr',
      upstream: 'gcr.io',
      images: [
        'gcr.io/distroless/static:nonroot',
        `gcr.io/kaniko-project/executor:v1.23.2@${D1}`,
        `gcr.io/only/digest@${D2}`,
        'gcr.io/tools/latest-one',
      ],
    },
    { prefix: 'nvidia', upstream: 'nvcr.io', platforms: ['linux/amd64'], images: [`nvcr.io/nvidia/cuda:12.4@${D3}`] },
  ],
};
const config = parseConfig(RAW);
const resolve = createResolver({ config, registryHost: REGISTRY });
const policy = digestPinnedPolicy(config, 'upstream');

/** [reference, what the resolver (with the default digest-pinned policy) gives, its reason when it stays upstream]. */
const CASES: [string, string, string?][] = [
  ['gcr.io/distroless/static:nonroot', `${REGISTRY}/gcr/distroless/static:nonroot`],
  ['gcr.io/distroless/static:debug', 'gcr.io/distroless/static:debug', 'not copied: add it to copies[0].images'],
  ['gcr.io/distroless/static', 'gcr.io/distroless/static', 'not copied: add it to copies[0].images'],
  ['gcr.io/kaniko-project/executor:v1.23.2', `${REGISTRY}/gcr/kaniko-project/executor:v1.23.2`],
  [`gcr.io/kaniko-project/executor:v1.23.2@${D1}`, `${REGISTRY}/gcr/kaniko-project/executor:v1.23.2@${D1}`],
  [`gcr.io/kaniko-project/executor@${D1}`, `${REGISTRY}/gcr/kaniko-project/executor@${D1}`],
  [`gcr.io/kaniko-project/executor:other@${D1}`, `${REGISTRY}/gcr/kaniko-project/executor:other@${D1}`],
  [`gcr.io/kaniko-project/executor@${D2}`, `gcr.io/kaniko-project/executor@${D2}`, 'not copied: add it to copies[0].images'],
  [`gcr.io/only/digest@${D2}`, `${REGISTRY}/gcr/only/digest@${D2}`],
  ['gcr.io/only/digest:v1', 'gcr.io/only/digest:v1', 'not copied: add it to copies[0].images'],
  ['gcr.io/tools/latest-one', `${REGISTRY}/gcr/tools/latest-one:latest`],
  ['gcr.io/tools/latest-one:latest', `${REGISTRY}/gcr/tools/latest-one:latest`],
  ['nvcr.io/nvidia/cuda:12.4', `${REGISTRY}/nvidia/nvidia/cuda:12.4`],
  [
    `nvcr.io/nvidia/cuda:12.4@${D3}`,
    `nvcr.io/nvidia/cuda:12.4@${D3}`,
    'not copied by digest: copies[1] copies a platforms subset, so its copy of an index has a new digest; remove "platforms" from copies[1] to copy digests as they are',
  ],
  ['mcr.microsoft.com/dotnet/runtime:8.0', 'mcr.microsoft.com/dotnet/runtime:8.0'],
  ['registry.k8s.io/pause:3.9', `${REGISTRY}/k8s/pause:3.9`],
  [`${REGISTRY}/gcr/distroless/static:nonroot`, `${REGISTRY}/gcr/distroless/static:nonroot`],
];

describe('the resolver with copies', () => {
  test.each(CASES.map(([ref, output, reason]) => [ref, output, reason ?? null] as const))('%s -> %s', (ref, output, reason) => {
    const r = policy(resolve(ref));
    expect(r.output).toBe(output);
    expect(r.reason ?? null).toBe(reason);
  });

  test('a copied image names its entry, an uncopied image of a copy host too, another host none', () => {
    expect(resolve('gcr.io/distroless/static:nonroot')).toMatchObject({
      status: 'resolved',
      copy: { index: 0, prefix: 'gcr' },
      cacheRepository: 'gcr/distroless/static',
    });
    expect(resolve('gcr.io/distroless/static:debug')).toMatchObject({ status: 'uncovered', copy: { index: 0, prefix: 'gcr' } });
    expect(resolve(`${REGISTRY}/nvidia/nvidia/cuda:12.4`)).toMatchObject({ status: 'cached', copy: { index: 1, prefix: 'nvidia' } });
    expect(resolve('mcr.microsoft.com/dotnet/runtime:8.0').copy).toBeUndefined();
  });

  test('the reverser brings every copy URI back to its upstream reference', () => {
    const reverse = createReverser({ config, registryHost: REGISTRY });
    for (const [ref, output] of CASES) {
      if (output === ref || ref.startsWith(REGISTRY)) continue;
      const back = reverse(output).output;
      expect(createResolver({ config, registryHost: REGISTRY })(back).output).toBe(output);
    }
    expect(reverse(`${REGISTRY}/gcr/distroless/static:nonroot`).output).toBe('gcr.io/distroless/static:nonroot');
  });
});

describe('the Kyverno policy with copies', () => {
  test('rewrites exactly what the resolver rewrites, with the default digest-pinned policy', () => {
    const doc = parse(kyvernoPolicyYaml(config, REGISTRY)) as { spec: { rules: PolicyRule[] } };
    const rule = doc.spec.rules.find((r) => r.name === 'containers')!;
    for (const [ref, output] of CASES) {
      expect({ ref, image: evaluateRule(rule, 'containers', ref).image }).toEqual({ ref, image: output });
    }
  });

  test('an image rewritten once is not rewritten again', () => {
    const doc = parse(kyvernoPolicyYaml(config, REGISTRY, { digestPinned: 'cache' })) as { spec: { rules: PolicyRule[] } };
    const rule = doc.spec.rules.find((r) => r.name === 'containers')!;
    for (const [, output] of CASES) expect(evaluateRule(rule, 'containers', output).applied).toBe(0);
  });
});

describe('the CLI with copies', () => {
  let dir: string;
  let configFile: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ptc-copy-routing-'));
    configFile = path.join(dir, 'ptc.yaml');
    writeFileSync(configFile, JSON.stringify(RAW));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (args: string[], stdin?: string) => {
    const io = recordingIo(stdin === undefined ? {} : { stdin });
    const code = await run(args, io);
    return { code, out: io.out, err: io.err };
  };

  test('ptc resolve prints the copy URI of a listed image, and --strict says which entry to add an unlisted one to', async () => {
    expect(await cli(['resolve', '-c', configFile, 'gcr.io/distroless/static:nonroot'])).toEqual({
      code: 0,
      out: `${REGISTRY}/gcr/distroless/static:nonroot\n`,
      err: '',
    });
    const strict = await cli(['resolve', '-c', configFile, '--strict', 'gcr.io/distroless/static:debug']);
    expect(strict).toEqual({
      code: 1,
      out: '',
      err: '"gcr.io/distroless/static:debug" cannot go through the cache: not copied: add it to copies[0].images\n',
    });
  });

  test('ptc rewrite rewrites a listed digest-pinned image (the copy keeps the digest) and reports an unlisted one', async () => {
    const manifest = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: { name: p }',
      'spec:',
      '  containers:',
      `    - { name: a, image: "gcr.io/kaniko-project/executor@${D1}" }`,
      '    - { name: b, image: "gcr.io/distroless/static:debug" }',
      '',
    ].join('\n');
    const { code, out, err } = await cli(['rewrite', '-c', configFile], manifest);
    expect(code).toBe(0);
    expect(out).toContain(`image: "${REGISTRY}/gcr/kaniko-project/executor@${D1}"`);
    expect(out).toContain('image: "gcr.io/distroless/static:debug"');
    expect(err).toContain('not copied: add it to copies[0].images');
    expect(err).toMatch(/rewrote 1 image in 1 file; 1 uncovered left unchanged\n$/);
  });

  test('ptc audit names the copy entry of each image and why an unlisted one stays upstream', async () => {
    const pods = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'a', namespace: 'x' },
          spec: {
            containers: [
              { name: 'a', image: 'gcr.io/distroless/static:nonroot' },
              { name: 'b', image: 'gcr.io/distroless/base:latest' },
              { name: 'c', image: 'mcr.microsoft.com/dotnet/runtime:8.0' },
              { name: 'd', image: 'quay.io/org/tool:1' },
            ],
          },
        },
      ],
    });
    const { code, out } = await cli(['audit', '-c', configFile, '--format', 'json'], pods);
    expect(code).toBe(0);
    const rows = (
      JSON.parse(out) as { images: { image: string; status: string; rule: string | null; note?: string; cacheReference?: string }[] }
    ).images;
    const row = (image: string) => rows.find((r) => r.image === image);
    expect(row('gcr.io/distroless/static:nonroot')).toMatchObject({
      status: 'uncached',
      rule: 'gcr',
      cacheReference: `${REGISTRY}/gcr/distroless/static:nonroot`,
    });
    expect(row('gcr.io/distroless/base:latest')).toMatchObject({
      status: 'uncovered',
      rule: 'gcr',
      note: 'not copied: add it to copies[0].images',
    });
    expect(row('mcr.microsoft.com/dotnet/runtime:8.0')).toMatchObject({ status: 'uncovered', rule: null });

    const suggested = await cli(['audit', '-c', configFile, '--suggest-copies'], pods);
    expect(suggested.code).toBe(0);
    expect(suggested.out).toBe(
      [
        '# add to copies[0].images (gcr.io):',
        '      - gcr.io/distroless/base:latest',
        'copies:',
        '  - prefix: mcr',
        '    upstream: mcr.microsoft.com',
        '    images:',
        '      - mcr.microsoft.com/dotnet/runtime:8.0',
        '',
      ].join('\n'),
    );
  });

  test('the suggested lines, added to the config, make the audit find every image covered', async () => {
    const more = {
      ...RAW,
      copies: [
        { ...RAW.copies[0]!, images: [...RAW.copies[0]!.images, 'gcr.io/distroless/base:latest'] },
        RAW.copies[1]!,
        { prefix: 'mcr', upstream: 'mcr.microsoft.com', images: ['mcr.microsoft.com/dotnet/runtime:8.0'] },
      ],
    };
    const file = path.join(dir, 'more.yaml');
    writeFileSync(file, JSON.stringify(more));
    const pods = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'a', namespace: 'x' },
      spec: {
        containers: [
          { name: 'b', image: 'gcr.io/distroless/base:latest' },
          { name: 'c', image: 'mcr.microsoft.com/dotnet/runtime:8.0' },
        ],
      },
    });
    const { out } = await cli(['audit', '-c', file, '--format', 'json'], pods);
    expect((JSON.parse(out) as { summary: { uncovered: number; uncached: number } }).summary).toMatchObject({ uncovered: 0, uncached: 2 });
    expect((await cli(['audit', '-c', file, '--suggest-copies'], pods)).out).toBe(
      '# every image of a registry the pull-through cache cannot serve is already copied\n',
    );
  });

  test('ptc plan lists each copy entry and where each listed image is pulled from', async () => {
    const { code, out } = await cli(['plan', '-c', configFile]);
    expect(code).toBe(0);
    expect(out).toContain('  copy gcr <- gcr.io (4 images, every platform, rate(1 day), anonymous)\n');
    expect(out).toContain(`    gcr.io/distroless/static:nonroot -> ${REGISTRY}/gcr/distroless/static:nonroot\n`);
    expect(out).toContain(
      `    nvcr.io/nvidia/cuda:12.4@${D3} -> (stays upstream: not copied by digest: copies[1] copies a platforms subset`,
    );
  });
});
