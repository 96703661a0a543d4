import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { fixture } from './helpers';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const R = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const POD = 'kind: Pod # test\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n';

function tempFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptc-rewrite-')), name);
  writeFileSync(file, text);
  return file;
}

describe('ptc resolve', () => {
  test('prints one line per reference in order, invalid ones to stderr, and exits 2', async () => {
    const io = recordingIo();
    const code = await run(
      ['resolve', '-c', EXAMPLE, 'nginx:1.27', 'ghcr.io/Bad/ref', 'ghcr.io/org/app:v1', 'localhost:5000/x', `${R}/k8s/pause:3.9`],
      io,
    );
    expect(code).toBe(2);
    expect(io.out).toBe(`${R}/docker-hub/library/nginx:1.27\n${R}/github/org/app:v1\nlocalhost:5000/x\n${R}/k8s/pause:3.9\n`);
    expect(io.err).toBe('invalid image reference "ghcr.io/Bad/ref": repository path must be lower case ("Bad")\n');
  });

  test('with several environments, --environment picks the cache registry and its absence is a one-line error', async () => {
    const config = tempFile(
      'ptc.yaml',
      'rules: [{ prefix: k8s, upstream: k8s }]\nenvironments:\n  - { name: prod-eu, account: "111122223333", region: eu-west-2 }\n  - { name: prod-us, account: "222233334444", region: us-east-1 }\n',
    );
    const picked = recordingIo();
    expect(await run(['resolve', '-c', config, '-e', 'prod-us', 'registry.k8s.io/pause:3.9'], picked)).toBe(0);
    expect(picked.out).toBe('222233334444.dkr.ecr.us-east-1.amazonaws.com/k8s/pause:3.9\n');
    const explicit = recordingIo();
    expect(await run(['kyverno', '-c', config, '--account', '222233334444', '--region', 'us-east-1'], explicit)).toBe(0);
    expect(explicit.out).toContain('222233334444.dkr.ecr.us-east-1.amazonaws.com');
    const unsure = recordingIo();
    expect(await run(['rewrite', '-c', config, tempFile('pod.yaml', POD)], unsure)).toBe(1);
    expect(unsure.err).toBe('the config lists 2 environments (prod-eu, prod-us); choose one with --environment NAME\n');
  });

  test('exits 0 when every reference is valid', async () => {
    const io = recordingIo();
    expect(await run(['resolve', '-c', EXAMPLE, 'registry.k8s.io/pause:3.9'], io)).toBe(0);
    expect(io.out).toBe(`${R}/k8s/pause:3.9\n`);
  });

  test('--strict makes an uncovered reference an error (exit 1) and still prints the others', async () => {
    const io = recordingIo();
    expect(await run(['resolve', '-c', EXAMPLE, '--strict', 'localhost:5000/x', 'nginx'], io)).toBe(1);
    expect(io.out).toBe(`${R}/docker-hub/library/nginx:latest\n`);
    expect(io.err).toBe('no rule covers "localhost:5000/x" (registry localhost:5000)\n');
  });

  test('--account and --region override the target registry', async () => {
    const io = recordingIo();
    expect(await run(['resolve', '-c', EXAMPLE, '--account', '999988887777', '--region', 'us-east-1', 'nginx:1'], io)).toBe(0);
    expect(io.out).toBe('999988887777.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:1\n');
  });

  test('a bad --account is a plain error naming the option', async () => {
    const io = recordingIo();
    expect(await run(['resolve', '-c', EXAMPLE, '--account', '123', 'nginx'], io)).toBe(1);
    expect(io.err).toBe('--account must be a 12-digit AWS account ID, got "123"\n');
  });
});

describe('ptc rewrite', () => {
  test('reads stdin, writes the manifest to stdout and the summary to stderr', async () => {
    const io = recordingIo({ stdin: POD });
    expect(await run(['rewrite', '-c', EXAMPLE], io)).toBe(0);
    expect(io.out).toBe(POD.replace('nginx:1.27', `${R}/docker-hub/library/nginx:1.27`));
    expect(io.err).toBe(
      `<stdin>:\n  Pod p [doc 1] spec.containers[0] (a): nginx:1.27 -> ${R}/docker-hub/library/nginx:1.27\nrewrote 1 image in 1 file\n`,
    );
  });

  test('--check exits 1 when anything would change and writes nothing', async () => {
    const file = tempFile('pod.yaml', POD);
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', file], io)).toBe(1);
    expect(io.out).toBe('');
    expect(io.err).toMatch(/1 image would change in 1 file\n$/);
    expect(readFileSync(file, 'utf8')).toBe(POD);
  });

  test('--in-place rewrites the files, after which --check passes', async () => {
    const file = tempFile('pod.yaml', POD);
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', file], recordingIo())).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain(`image: ${R}/docker-hub/library/nginx:1.27`);
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', file], io)).toBe(0);
    expect(io.err).toBe('nothing to rewrite\n');
  });

  test('several files go to stdout as one stream', async () => {
    const a = tempFile('a.yaml', POD);
    const b = tempFile('b.yaml', POD.replace('nginx:1.27', 'redis:7'));
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, a, b], io)).toBe(0);
    expect(io.out.split('\n---\n')).toHaveLength(2);
    expect(io.err).toMatch(/rewrote 2 images in 2 files\n$/);
  });

  test('an invalid image is reported and exits 2; uncovered ones are listed', async () => {
    const text = `${POD}    - name: b\n      image: Nginx\n    - name: c\n      image: localhost:5000/c\n`;
    const io = recordingIo({ stdin: text });
    expect(await run(['rewrite', '-c', EXAMPLE], io)).toBe(2);
    expect(io.err).toContain('spec.containers[1] (b): invalid image reference "Nginx": repository path must be lower case ("Nginx")');
    expect(io.err).toContain('spec.containers[2] (c): localhost:5000/c left unchanged (no rule covers it)');
    expect(io.err).toMatch(/rewrote 1 image in 1 file; 1 uncovered left unchanged, 1 invalid reference\n$/);
  });

  test('--helm-values rewrites a values file', async () => {
    const file = tempFile('values.yaml', fixture('values-bitnami.yaml'));
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--helm-values', file], io)).toBe(0);
    expect(parse(io.out).image).toEqual({
      registry: R,
      repository: 'docker-hub/bitnami/redis',
      tag: '7.2.4-debian-12-r9',
      digest: '',
      pullPolicy: 'IfNotPresent',
    });
  });

  test('--helm-values --check exits 3 when an image shape is not understood, and names its path', async () => {
    const file = tempFile('values.yaml', 'global:\n  imageRegistry: docker.io\nimage:\n  registry: quay.io\n  repository: org/app\n');
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--helm-values', '--check', file], io)).toBe(3);
    expect(io.err).toMatch(/  image: image left unchanged: global\.imageRegistry/);
  });

  test('a kustomization whose resource ptc cannot see is reported, not passed: --check exits 3', async () => {
    const file = tempFile('kustomization.yaml', 'resources:\n- deployment.yaml\nimages:\n- name: nginx\n  newTag: "1.27"\n');
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', file], io)).toBe(3);
    expect(io.err).toMatch(/resources\[0\]: deployment\.yaml is a remote \(or missing\) resource/);
  });

  test('--reverse points cache URIs back at their upstream references', async () => {
    const cached = POD.replace('nginx:1.27', `${R}/docker-hub/library/nginx:1.27`);
    const io = recordingIo({ stdin: cached });
    expect(await run(['rewrite', '-c', EXAMPLE, '--reverse'], io)).toBe(0);
    expect(io.out).toBe(POD);
    expect(io.err).toBe(
      `<stdin>:\n  Pod p [doc 1] spec.containers[0] (a): ${R}/docker-hub/library/nginx:1.27 -> nginx:1.27\nrewrote 1 image in 1 file\n`,
    );
  });

  test('--reverse --check exits 1 while cache URIs remain, 0 once they are gone', async () => {
    const file = tempFile('pod.yaml', POD);
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', file], recordingIo())).toBe(0);
    expect(await run(['rewrite', '-c', EXAMPLE, '--reverse', '--check', file], recordingIo())).toBe(1);
    expect(await run(['rewrite', '-c', EXAMPLE, '--reverse', '--in-place', file], recordingIo())).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(POD);
    expect(await run(['rewrite', '-c', EXAMPLE, '--reverse', '--check', file], recordingIo())).toBe(0);
  });

  test('--helm-values --reverse restores a values file', async () => {
    const source = fixture('values-bitnami.yaml');
    const file = tempFile('values.yaml', source);
    expect(await run(['rewrite', '-c', EXAMPLE, '--helm-values', '--in-place', file], recordingIo())).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toBe(source);
    expect(await run(['rewrite', '-c', EXAMPLE, '--helm-values', '--reverse', '--in-place', file], recordingIo())).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(source);
  });

  test('refuses --in-place together with --check, and --in-place on stdin', async () => {
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', '--check', 'x.yaml'], io)).toBe(1);
    expect(io.err).toBe('give --in-place or --check, not both\n');
    const io2 = recordingIo({ stdin: POD });
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place'], io2)).toBe(1);
    expect(io2.err).toMatch(/standard input cannot be written back/);
  });

  test('a YAML error is a plain error naming the file and line, not a stack trace', async () => {
    const io = recordingIo({ stdin: 'kind: Pod\nspec:\n  containers:\n    - image: [x\n' });
    expect(await run(['rewrite', '-c', EXAMPLE], io)).toBe(1);
    expect(io.err).toMatch(/^<stdin>: YAML error at line \d+: /);
    expect(io.err).not.toMatch(/\n\s+at /);
  });

  test('a missing file is a plain error', async () => {
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '/nonexistent/x.yaml'], io)).toBe(1);
    expect(io.err).toBe('cannot read /nonexistent/x.yaml: ENOENT\n');
  });
});

describe('ptc kyverno', () => {
  test("prints a ClusterPolicy for the config's registry", async () => {
    const io = recordingIo();
    expect(await run(['kyverno', '-c', EXAMPLE], io)).toBe(0);
    const policy = parse(io.out) as { kind: string; metadata: { name: string }; spec: { rules: { name: string }[] } };
    expect(policy.kind).toBe('ClusterPolicy');
    expect(policy.metadata.name).toBe('ptc-autopilot-image-cache');
    expect(policy.spec.rules.map((r) => r.name)).toEqual(['containers', 'init-containers', 'ephemeral-containers']);
    expect(io.out).toContain(`'${R}/docker-hub/library/\${1}:latest'`);
  });

  test.each(['', 'Bad Name', '-cache', 'cache_1'])('--name %j, not a Kubernetes resource name, is refused with exit 1', async (name) => {
    const io = recordingIo();
    expect(await run(['kyverno', '-c', EXAMPLE, '--name', name], io)).toBe(1);
    expect(io.err).toBe(
      `--name must be a Kubernetes resource name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit), got "${name}"\n`,
    );
    expect(io.out).toBe('');
  });

  test('--account, --region and --name change the target and the name', async () => {
    const io = recordingIo();
    expect(await run(['kyverno', '-c', EXAMPLE, '--account', '999988887777', '--region', 'us-east-1', '--name', 'cache'], io)).toBe(0);
    expect(parse(io.out).metadata.name).toBe('cache');
    expect(io.out).toContain('999988887777.dkr.ecr.us-east-1.amazonaws.com/k8s/');
    expect(io.out).not.toContain(R);
  });
});
