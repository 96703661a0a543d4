import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { imageUses, parseDocuments } from '../../cli/audit/extract';
import { recordingIo } from '../cli/fake-io';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'audit');
const CONFIG = path.join(FIXTURES, 'ptc.yaml');
const PODS = path.join(FIXTURES, 'kubectl-get-pods-all-namespaces.json');
const MANIFESTS = path.join(FIXTURES, 'manifests.yaml');
const ECR = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';

interface Row {
  image: string;
  pods: number;
  status: string;
  throughCache: boolean;
  rule: string | null;
  cacheReference?: string;
  dockerHubDirect: boolean;
  digests: string[];
  containerKinds: string[];
}

async function auditJson(
  args: string[],
  stdin?: string,
): Promise<{ code: number; images: Row[]; summary: Record<string, number>; err: string }> {
  const io = recordingIo(stdin === undefined ? {} : { stdin });
  const code = await run(['audit', '--config', CONFIG, '--format', 'json', ...args], io);
  const out = JSON.parse(io.out);
  return { code, images: out.images, summary: out.summary, err: io.err };
}

const find = (images: Row[], image: string) => {
  const row = images.find((i) => i.image === image);
  if (row === undefined) throw new Error(`no row for ${image}; rows: ${images.map((i) => i.image).join(', ')}`);
  return row;
};

describe('ptc audit on kubectl get pods -A -o json', () => {
  test('lists every distinct image once, with the number of pods using it', async () => {
    const { code, images, summary } = await auditJson([PODS]);
    expect(code).toBe(0);
    // The digest-pinned ingress-nginx controller is left upstream by default (--digest-pinned upstream).
    expect(summary).toEqual({
      images: 12,
      pods: 8,
      workloads: 0,
      cached: 1,
      uncached: 5,
      uncovered: 5,
      invalid: 0,
      pinned: 1,
      dockerHubDirect: 4,
    });
    // `nginx:1.27` in two replicas is one image, normalized the way Docker does.
    expect(find(images, 'docker.io/library/nginx:1.27')).toMatchObject({
      pods: 2,
      status: 'uncached',
      rule: 'docker-hub',
      dockerHubDirect: true,
    });
  });

  test('init and ephemeral containers count, and say where they appear', async () => {
    const { images } = await auditJson([PODS]);
    expect(find(images, 'docker.io/library/busybox:1.36')).toMatchObject({
      pods: 2,
      containerKinds: ['initContainer'],
      dockerHubDirect: true,
    });
    expect(find(images, 'docker.io/nicolaka/netshoot:v0.13')).toMatchObject({
      pods: 1,
      containerKinds: ['ephemeralContainer'],
      rule: 'docker-hub',
    });
    expect(find(images, '602401143452.dkr.ecr.eu-west-2.amazonaws.com/amazon-k8s-cni-init:v1.18.1-eksbuild.3').containerKinds).toEqual([
      'initContainer',
    ]);
  });

  test('digests come from status imageID (containerd, docker-pullable and pinned references)', async () => {
    const { images } = await auditJson([PODS]);
    expect(find(images, 'docker.io/library/nginx:1.27').digests).toEqual([
      'sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614',
    ]);
    expect(find(images, 'docker.io/bitnami/kubectl:1.29').digests).toEqual([expect.stringMatching(/^sha256:[a-f0-9]{64}$/)]);
    const pinned = images.find((i) => i.image.startsWith('registry.k8s.io/ingress-nginx/controller:v1.10.0@sha256:'))!;
    expect(pinned).toMatchObject({ status: 'pinned', rule: 'k8s', dockerHubDirect: false, digestCached: false });
    expect(pinned.cacheReference).toBeUndefined();
  });

  test('an image already under a managed prefix of the cache registry goes through the cache', async () => {
    const { images } = await auditJson([PODS]);
    expect(find(images, `${ECR}/docker-hub/library/redis:7.2`)).toMatchObject({
      status: 'cached',
      throughCache: true,
      rule: 'docker-hub',
      dockerHubDirect: false,
    });
    expect(images.filter((i) => i.throughCache).map((i) => i.image)).toEqual([`${ECR}/docker-hub/library/redis:7.2`]);
  });

  test('registries without a rule are uncovered and say so', async () => {
    const { images } = await auditJson([PODS]);
    expect(find(images, 'quay.io/prometheus/node-exporter:v1.8.0')).toMatchObject({
      status: 'uncovered',
      rule: null,
      dockerHubDirect: false,
    });
    expect(find(images, '602401143452.dkr.ecr.eu-west-2.amazonaws.com/eks/coredns:v1.11.1-eksbuild.4')).toMatchObject({
      status: 'uncovered',
      rule: null,
    });
  });

  test('the table shows each image, its pods, whether it is cached, the rule and the Docker Hub flag', async () => {
    const io = recordingIo();
    expect(await run(['audit', '--config', CONFIG, PODS], io)).toBe(0);
    const lines = io.out.split('\n');
    expect(lines[0]).toMatch(/^IMAGE\s+PODS\s+THROUGH CACHE\s+RULE\s+NOTE$/);
    expect(lines.find((l) => l.startsWith('docker.io/library/nginx:1.27 '))).toMatch(
      /\s2\s+no\s+docker-hub\s+Docker Hub pulled directly \(rate limits\)$/,
    );
    expect(lines.find((l) => l.startsWith('quay.io/prometheus/node-exporter:v1.8.0 '))).toMatch(/\s1\s+no rule\s+-$/);
    expect(lines.find((l) => l.startsWith(`${ECR}/docker-hub/library/redis:7.2 `))).toMatch(/\s1\s+yes\s+docker-hub$/);
    expect(io.out).toContain(
      '12 images in 8 pods: 1 through the cache, 5 a rule would cover, 5 with no rule, 1 digest-pinned left upstream; 4 pulled directly from Docker Hub',
    );
  });

  test('--fail-on-uncached exits 2 when an image does not go through the cache, 0 when all do', async () => {
    expect((await auditJson([PODS, '--fail-on-uncached'])).code).toBe(2);
    const allCached = JSON.stringify({
      kind: 'Pod',
      metadata: { name: 'ok', namespace: 'a' },
      spec: { containers: [{ name: 'c', image: `${ECR}/k8s/pause:3.9` }] },
    });
    expect((await auditJson(['--fail-on-uncached'], allCached)).code).toBe(0);
  });
});

describe('ptc audit with replication', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-audit-'));
  const config = path.join(dir, 'ptc.yaml');
  writeFileSync(
    config,
    `${readFileSync(CONFIG, 'utf8')}replication:\n  destinations:\n    - { region: us-east-1 }\n    - { region: ap-south-1, account: "444455556666", prefixes: [k8s] }\n`,
  );
  const pod = (name: string, image: string) => ({
    kind: 'Pod',
    metadata: { name, namespace: 'apps' },
    spec: { containers: [{ name: 'c', image }] },
  });
  const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

  test('a pull from a replica of the cache in another region or account goes through the cache', async () => {
    const io = recordingIo({
      stdin: list(
        pod('a', '111122223333.dkr.ecr.us-east-1.amazonaws.com/k8s/pause:3.9'),
        pod('b', '444455556666.dkr.ecr.ap-south-1.amazonaws.com/k8s/pause:3.9'),
        pod('c', '555566667777.dkr.ecr.us-east-1.amazonaws.com/k8s/pause:3.9'),
      ),
    });
    expect(await run(['audit', '--config', config, '--format', 'json', '--fail-on-uncached', '-'], io)).toBe(2);
    const { images } = JSON.parse(io.out) as { images: Row[] };
    expect(find(images, '111122223333.dkr.ecr.us-east-1.amazonaws.com/k8s/pause:3.9')).toMatchObject({
      status: 'cached',
      throughCache: true,
      rule: 'k8s',
    });
    expect(find(images, '444455556666.dkr.ecr.ap-south-1.amazonaws.com/k8s/pause:3.9')).toMatchObject({
      status: 'cached',
      throughCache: true,
    });
    // Another account's registry is not this config's cache: it fails the gate.
    expect(find(images, '555566667777.dkr.ecr.us-east-1.amazonaws.com/k8s/pause:3.9')).toMatchObject({ throughCache: false, rule: null });
  });

  test('--fail-on-uncached fails (exit 1) on an input with no image at all, as a failed kubectl upstream of the pipe gives; without it, exit 0', async () => {
    const gate = await auditJson(['--fail-on-uncached'], '');
    expect(gate.code).toBe(1);
    expect(gate.err).toBe('ptc audit: no pods, pod templates or containers found in the input\n');
    expect((await auditJson([], '')).code).toBe(0);
  });

  test('--fail-on-uncached passes when every image comes from a cache registry of the config', async () => {
    const io = recordingIo({
      stdin: list(pod('a', '111122223333.dkr.ecr.us-east-1.amazonaws.com/k8s/pause:3.9'), pod('b', `${ECR}/docker-hub/library/nginx:1.27`)),
    });
    expect(await run(['audit', '--config', config, '--fail-on-uncached'], io)).toBe(0);
    expect(io.out).toContain(
      '2 images in 2 pods: 2 through the cache, 0 a rule would cover, 0 with no rule; 0 pulled directly from Docker Hub',
    );
  });
});

describe('ptc audit on manifests', () => {
  test('reads every workload kind of a multi-document YAML from stdin and skips other kinds', async () => {
    const { images, summary } = await auditJson([], readFileSync(MANIFESTS, 'utf8'));
    expect(summary).toMatchObject({ images: 5, pods: 0, workloads: 3 });
    expect(find(images, 'docker.io/library/python:3.12-slim')).toMatchObject({ pods: 1, status: 'uncached', dockerHubDirect: true });
    expect(find(images, `${ECR}/docker-hub/library/python:3.12-slim`)).toMatchObject({ status: 'cached' });
    expect(find(images, 'ghcr.io/acme/api-migrations:2024.07.1')).toMatchObject({ containerKinds: ['initContainer'], rule: 'github' });
    expect(find(images, 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2')).toMatchObject({
      rule: 'ecr',
      cacheReference: `${ECR}/ecr/aws-observability/aws-for-fluent-bit:2.32.2`,
    });
  });

  test('several files are audited together', async () => {
    const { summary } = await auditJson([PODS, MANIFESTS]);
    expect(summary).toMatchObject({ pods: 8, workloads: 3, images: 17 });
  });
});

describe('ptc audit input errors', () => {
  test('an invalid image is reported as a row, not a crash', async () => {
    const pod = JSON.stringify({ kind: 'Pod', metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', image: 'Not An Image' }] } });
    const { images, code } = await auditJson([], pod);
    expect(code).toBe(0);
    expect(images).toEqual([expect.objectContaining({ image: 'Not An Image', status: 'invalid', rule: null })]);
  });

  test('broken YAML names the source and line', async () => {
    const io = recordingIo({ stdin: 'kind: Pod\nspec:\n  containers: [\n' });
    expect(await run(['audit', '--config', CONFIG], io)).toBe(1);
    expect(io.err).toMatch(/^stdin: not valid YAML \(line \d+\)/);
  });

  test('a missing file is named', async () => {
    const io = recordingIo();
    expect(await run(['audit', '--config', CONFIG, 'nope.json'], io)).toBe(1);
    expect(io.err).toBe('nope.json: file not found\n');
  });

  test('an unknown --format is a usage error', async () => {
    const io = recordingIo();
    expect(await run(['audit', '--config', CONFIG, '--format', 'csv', PODS], io)).toBe(1);
    expect(io.err).toMatch(/argument 'csv' is invalid. Allowed choices are table, json/);
  });

  test('imageUses ignores documents without pods', () => {
    expect(parseDocuments('kind: ConfigMap\ndata: { image: x }\n', 'cm.yaml').flatMap(imageUses)).toEqual([]);
  });
});

describe('ptc audit and digest-pinned images', () => {
  const D = `sha256:${'ab'.repeat(32)}`;
  const pod = (image: string) =>
    JSON.stringify({ kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec: { containers: [{ name: 'c', image }] } });

  test('by default a digest-pinned image is left upstream, reported with what to do, and does not fail the gate', async () => {
    const { code, images } = await auditJson(['--fail-on-uncached'], pod(`registry.k8s.io/pause:3.9@${D}`));
    expect(code).toBe(0);
    expect(images[0]).toMatchObject({ status: 'pinned', rule: 'k8s', digestCached: false });
    expect((images[0] as Row & { note: string }).note).toMatch(
      /^digest-pinned, left upstream: .*list registry\.k8s\.io\/pause:3\.9@sha256:.* in prewarm\.images/,
    );
  });

  test('with --digest-pinned cache it is uncached, fails the gate, and is reported as not known to be cached', async () => {
    const { code, images } = await auditJson(['--fail-on-uncached', '--digest-pinned', 'cache'], pod(`registry.k8s.io/pause:3.9@${D}`));
    expect(code).toBe(2);
    expect(images[0]).toMatchObject({ status: 'uncached', digestCached: false, cacheReference: `${ECR}/k8s/pause:3.9@${D}` });
    expect((images[0] as Row & { note: string }).note).toMatch(/^digest-pinned and not known to be cached/);
  });

  test('with --digest-pinned prewarmed, one listed as name:tag@digest in prewarm.images is due for the cache', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptc-audit-pinned-'));
    const config = path.join(dir, 'ptc.yaml');
    writeFileSync(config, `${readFileSync(CONFIG, 'utf8')}prewarm:\n  images: ["registry.k8s.io/pause:3.9@${D}"]\n`);
    const io = recordingIo({
      stdin: `[${pod(`registry.k8s.io/pause@${D}`)}, ${pod(`registry.k8s.io/pause:3.10@sha256:${'cd'.repeat(32)}`)}]`,
    });
    expect(await run(['audit', '--config', config, '--format', 'json', '--digest-pinned', 'prewarmed'], io)).toBe(0);
    const rows = JSON.parse(io.out).images as (Row & { digestCached?: boolean })[];
    // The same digest without the tag is known too: prewarm cached it under the tag.
    expect(find(rows, `registry.k8s.io/pause@${D}`)).toMatchObject({ status: 'uncached', digestCached: true });
    expect(find(rows, `registry.k8s.io/pause:3.10@sha256:${'cd'.repeat(32)}`)).toMatchObject({ status: 'pinned', digestCached: false });
  });
});

describe('ptc audit and the length of the cache name', () => {
  test('an image whose cache name would pass 255 characters is uncovered, with the reason in the note', async () => {
    const long = `ghcr.io/org/${'a'.repeat(200)}:1`;
    const { images } = await auditJson(
      [],
      JSON.stringify({ kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec: { containers: [{ name: 'c', image: long }] } }),
    );
    expect(images[0]).toMatchObject({ status: 'uncovered', rule: null });
    expect((images[0] as Row & { note: string }).note).toMatch(
      /would be 2\d\d characters long; kubelet and containerd refuse names over 255$/,
    );
  });
});
