/**
 * The mirror map where people look: `ptc plan` prints it per environment, and `ptc audit --mirror`
 * (or a `mirror:` section in the config) counts images of mirrored hosts as through the cache.
 * The audit input is the audit tests' real `kubectl get pods -A -o json` fixture.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { configFile } from './fixtures';

const AUDIT = path.join(__dirname, '..', 'fixtures', 'audit');
const AUDIT_CONFIG = readFileSync(path.join(AUDIT, 'ptc.yaml'), 'utf8');
const PODS = path.join(AUDIT, 'kubectl-get-pods-all-namespaces.json');

interface Row {
  image: string;
  status: string;
  throughCache: boolean;
  throughMirror?: boolean;
  rule: string | null;
}

async function audit(config: string, args: string[]): Promise<Row[]> {
  const io = recordingIo();
  expect(await run(['audit', '--config', config, '--format', 'json', ...args, PODS], io)).toBe(0);
  return (JSON.parse(io.out) as { images: Row[] }).images;
}

describe('ptc plan', () => {
  test('prints the mirror map: upstream host -> mirror URL, and the fallback setting', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--config', configFile(AUDIT_CONFIG)], io)).toBe(0);
    expect(io.out).toContain('  mirror map (ptc node-config; fallback to upstream off):\n');
    expect(io.out).toContain('    docker.io -> https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/docker-hub\n');
    expect(io.out).toContain('    registry.k8s.io -> https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/k8s\n');
  });

  test('says what nodes need: the provider release, and the Bottlerocket variants', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--config', configFile(AUDIT_CONFIG)], io)).toBe(0);
    expect(io.out).toContain(
      "    needs kubelet nodes: ecr-credential-provider v1.29.0 or later (older releases refuse hosts that are not ECR's)\n",
    );
    expect(io.out).toMatch(/^ {4}needs Bottlerocket: an aws-k8s-1\.29 or later variant \(Bottlerocket v1\.18\.0\+\)/m);
  });

  test('--json carries the same map', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--json', '--config', configFile(`${AUDIT_CONFIG}mirror: { fallback: true }\n`)], io)).toBe(0);
    const env = (JSON.parse(io.out) as { environments: { mirror: { fallback: boolean; hosts: { host: string; mirrorUrl: string }[] } }[] })
      .environments[0]!;
    expect(env.mirror.fallback).toBe(true);
    expect(env.mirror.hosts).toContainEqual({
      host: 'ghcr.io',
      mirrorUrl: 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/github',
    });
  });
});

describe('ptc audit --mirror', () => {
  const row = (rows: Row[], image: string) => rows.find((r) => r.image === image)!;

  test('without it, upstream references of covered hosts are not through the cache', async () => {
    const rows = await audit(configFile(AUDIT_CONFIG), []);
    expect(row(rows, 'docker.io/library/nginx:1.27')).toMatchObject({ status: 'uncached', throughCache: false });
  });

  test('with it, images of mirrored hosts count as through the cache; uncovered hosts stay uncovered', async () => {
    const rows = await audit(configFile(AUDIT_CONFIG), ['--mirror']);
    expect(row(rows, 'docker.io/library/nginx:1.27')).toMatchObject({
      status: 'cached',
      throughCache: true,
      throughMirror: true,
      rule: 'docker-hub',
    });
    expect(row(rows, 'ghcr.io/external-secrets/external-secrets:v0.9.11')).toMatchObject({ status: 'cached', throughMirror: true });
    expect(row(rows, 'quay.io/prometheus/node-exporter:v1.8.0')).toMatchObject({ status: 'uncovered', throughCache: false });
  });

  test('a mirror section in the config turns it on without the flag', async () => {
    const rows = await audit(configFile(`${AUDIT_CONFIG}mirror: {}\n`), []);
    const k8s = rows.filter((r) => r.image.startsWith('registry.k8s.io/'));
    expect(k8s.length).toBeGreaterThan(0);
    for (const r of k8s) expect(r).toMatchObject({ status: 'cached', throughMirror: true });
  });

  test('the table says which images go through the mirror', async () => {
    const io = recordingIo();
    expect(await run(['audit', '--config', configFile(AUDIT_CONFIG), '--mirror', PODS], io)).toBe(0);
    expect(io.out).toMatch(/docker\.io\/library\/nginx:1\.27 .* yes .* through the mirror \(node config\)/);
  });
});
