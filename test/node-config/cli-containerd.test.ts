/**
 * `ptc node-config --format containerd --out DIR`: the hosts directory layout, the hosts.toml
 * keys containerd reads (docs/hosts.md: `server`, `capabilities`, `[host."<url>"]`,
 * `override_path`), parsed back with smol-toml, and the fallback switch; `--kubelet-version`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';
import { ALL_UPSTREAMS_YAML, configFile } from './fixtures';

const out = (): string => mkdtempSync(path.join(tmpdir(), 'ptc-hosts-'));

describe('ptc node-config --format containerd', () => {
  test('writes DIR/<upstream host>/hosts.toml for every covered host and nothing else', async () => {
    const dir = out();
    const io = recordingIo();
    expect(await run(['node-config', '-c', configFile(ALL_UPSTREAMS_YAML), '--format', 'containerd', '--out', dir], io)).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      '444455556666.dkr.ecr.us-east-1.amazonaws.com',
      'cgr.dev',
      'docker.io',
      'ghcr.io',
      'index.docker.io',
      'myregistry.azurecr.io',
      'public.ecr.aws',
      'quay.io',
      'registry-1.docker.io',
      'registry.gitlab.com',
      'registry.k8s.io',
    ]);
    const ghcr = parse(readFileSync(path.join(dir, 'ghcr.io', 'hosts.toml'), 'utf8'));
    expect(ghcr).toEqual({
      server: 'https://ghcr.io',
      capabilities: ['push'],
      host: {
        'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/github': { capabilities: ['pull', 'resolve'], override_path: true },
      },
    });
    expect(io.err).toMatch(/note: on kubelet nodes public\.ecr\.aws cannot go through the mirror/);
    // How to point containerd at the directory, for both config versions.
    expect(io.err).toContain(`[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "${dir}"`);
    expect(io.err).toContain(`[plugins."io.containerd.cri.v1.images".registry]\n  config_path = "${dir}"`);
  });

  test('without a rule for a host there is no directory for it', async () => {
    const dir = out();
    const yaml = ALL_UPSTREAMS_YAML.replace(/^  - \{ prefix: quay.*\n/m, '');
    expect(await run(['node-config', '-c', configFile(yaml), '--format', 'containerd', '--out', dir], recordingIo())).toBe(0);
    expect(existsSync(path.join(dir, 'quay.io'))).toBe(false);
    expect(existsSync(path.join(dir, 'ghcr.io', 'hosts.toml'))).toBe(true);
  });

  test('--fallback leaves the upstream every capability; --no-fallback and the default keep it to push', async () => {
    const parsed = async (args: string[]) => {
      const dir = out();
      expect(
        await run(['node-config', '-c', configFile(ALL_UPSTREAMS_YAML), '--format', 'containerd', '--out', dir, ...args], recordingIo()),
      ).toBe(0);
      return parse(readFileSync(path.join(dir, 'docker.io', 'hosts.toml'), 'utf8'));
    };
    expect(await parsed(['--fallback'])).not.toHaveProperty('capabilities');
    expect((await parsed(['--fallback'])).server).toBe('https://registry-1.docker.io');
    expect((await parsed(['--no-fallback'])).capabilities).toEqual(['push']);
    expect((await parsed([])).capabilities).toEqual(['push']);
  });

  test('mirror.fallback: true in the config turns fallback on; --no-fallback still wins', async () => {
    const yaml = `${ALL_UPSTREAMS_YAML}mirror:\n  fallback: true\n`;
    const dir1 = out();
    expect(await run(['node-config', '-c', configFile(yaml), '--format', 'containerd', '--out', dir1], recordingIo())).toBe(0);
    expect(parse(readFileSync(path.join(dir1, 'quay.io', 'hosts.toml'), 'utf8'))).not.toHaveProperty('capabilities');
    const dir2 = out();
    expect(
      await run(['node-config', '-c', configFile(yaml), '--format', 'containerd', '--out', dir2, '--no-fallback'], recordingIo()),
    ).toBe(0);
    expect(parse(readFileSync(path.join(dir2, 'quay.io', 'hosts.toml'), 'utf8')).capabilities).toEqual(['push']);
  });

  test('--registry-url replaces the registry in every mirror URL', async () => {
    const dir = out();
    expect(
      await run(
        [
          'node-config',
          '-c',
          configFile(ALL_UPSTREAMS_YAML),
          '--format',
          'containerd',
          '--out',
          dir,
          '--registry-url',
          'http://127.0.0.1:5000',
        ],
        recordingIo(),
      ),
    ).toBe(0);
    const k8s = parse(readFileSync(path.join(dir, 'registry.k8s.io', 'hosts.toml'), 'utf8')) as { host: Record<string, unknown> };
    expect(Object.keys(k8s.host)).toEqual(['http://127.0.0.1:5000/v2/k8s']);
  });

  test('refuses to replace a hosts.toml it did not write, and writes nothing then', async () => {
    const dir = out();
    mkdirSync(path.join(dir, 'quay.io'));
    writeFileSync(path.join(dir, 'quay.io', 'hosts.toml'), 'server = "https://quay.io"\n');
    const io = recordingIo();
    expect(await run(['node-config', '-c', configFile(ALL_UPSTREAMS_YAML), '--format', 'containerd', '--out', dir], io)).toBe(1);
    expect(io.err).toMatch(/quay\.io\/hosts\.toml exists and was not written by ptc-autopilot/);
    expect(readFileSync(path.join(dir, 'quay.io', 'hosts.toml'), 'utf8')).toBe('server = "https://quay.io"\n');
    expect(existsSync(path.join(dir, 'docker.io'))).toBe(false);
  });

  test('rewrites the files it wrote before', async () => {
    const dir = out();
    const args = ['node-config', '-c', configFile(ALL_UPSTREAMS_YAML), '--format', 'containerd', '--out', dir];
    expect(await run([...args, '--fallback'], recordingIo())).toBe(0);
    expect(await run(args, recordingIo())).toBe(0);
    expect(parse(readFileSync(path.join(dir, 'docker.io', 'hosts.toml'), 'utf8')).capabilities).toEqual(['push']);
  });

  test('a bad --registry-url and a missing --format are one line each', async () => {
    const io = recordingIo();
    expect(
      await run(['node-config', '-c', configFile(ALL_UPSTREAMS_YAML), '--format', 'containerd', '--registry-url', 'ftp://x'], io),
    ).toBe(1);
    expect(io.err).toBe(
      '--registry-url must be a registry host such as "111122223333.dkr.ecr.eu-west-2.amazonaws.com" or "http://127.0.0.1:5000", got "ftp://x"\n',
    );
    const io2 = recordingIo();
    expect(await run(['node-config', '-c', configFile(ALL_UPSTREAMS_YAML)], io2)).toBe(1);
    expect(io2.err).toMatch(/required option '--format <format>' not specified/);
  });
});

describe('ptc node-config --kubelet-version', () => {
  const matchImages = (text: string): string[] => (parseYaml(text) as { providers: { matchImages: string[] }[] }).providers[0]!.matchImages;

  test('decides, as nodeadm does, whether the provider config matches ecr-public.aws.com; public.ecr.aws always', async () => {
    const old = recordingIo();
    expect(
      await run(
        ['node-config', '-c', configFile(ALL_UPSTREAMS_YAML), '--format', 'credential-provider', '--kubelet-version', 'v1.31.4'],
        old,
      ),
    ).toBe(0);
    expect(matchImages(old.out)).toContain('public.ecr.aws');
    expect(matchImages(old.out)).not.toContain('ecr-public.aws.com');
    const current = recordingIo();
    expect(await run(['node-config', '-c', configFile(ALL_UPSTREAMS_YAML), '--format', 'credential-provider'], current)).toBe(0);
    expect(matchImages(current.out)).toContain('ecr-public.aws.com');
    expect(current.out).toContain('# For kubelet 1.32 (--kubelet-version)');
  });

  test('a version that is not one is one line, before the config is read', async () => {
    const io = recordingIo();
    expect(await run(['node-config', '-c', '/nonexistent/ptc.yaml', '--format', 'al2023', '--kubelet-version', 'latest'], io)).toBe(1);
    expect(io.err).toBe('--kubelet-version must be a Kubernetes version such as "1.33" or "v1.31.4", got "latest"\n');
  });
});
