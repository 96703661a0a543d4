/**
 * The containerd config drop-ins that point the CRI plugin at the hosts directory, one per
 * containerd line: the 1.x one read back by the real containerd 1.6.20 (`containerd config dump`),
 * the 2.x one checked against the config version 3 reference of containerd v2.1.4
 * (docs/cri/config.md, "Full configuration") and against the CRI config structs of v2.0.11, v2.1.0
 * and v2.2.7 (internal/cri/config/config.go). The hosts.toml keys checked against the hosts parser
 * of v1.7.34, v2.0.11, v2.1.9 and v2.2.7 (remotes/docker/config/hosts.go, core/ from 2.0).
 * Copies with provenance in test/fixtures/node-config/SOURCE. docs/mirror-mode.md shows the same
 * drop-ins.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { CONTAINERD_CERTS_DIR, buildMirrorMap, containerdConfigDropIn, containerdHostsFiles } from '../../core/node-config';
import { ALL_UPSTREAMS_YAML, configOf } from './fixtures';

type Table = Record<string, unknown>;

/** Every dotted key path of the leaf values of a TOML table. */
function leafPaths(table: Table, prefix: string[] = []): string[][] {
  return Object.entries(table).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? leafPaths(v as Table, [...prefix, k]) : [[...prefix, k]],
  );
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'node-config');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** The `toml:"..."` names of a Go struct's fields (a named struct, or the first `struct {` after `anchor`). */
function tomlTags(source: string, anchor: string): string[] {
  const start = source.indexOf(anchor);
  if (start < 0) throw new Error(`no ${anchor}`);
  const body = /\{([\s\S]*?)\n\t?\}/.exec(source.slice(start))?.[1] ?? '';
  return [...body.matchAll(/toml:"([a-z_]+)"/g)].map((m) => m[1]!);
}

const at = (table: Table, keys: string[]): unknown => keys.reduce<unknown>((t, k) => (t as Table | undefined)?.[k], table);

describe('containerd 1.6/1.7 drop-in', () => {
  test('the real containerd 1.6.20 reads config_path from it into the CRI registry config', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptc-containerd-dump-'));
    const file = path.join(dir, 'config.toml');
    writeFileSync(
      file,
      `root = ${JSON.stringify(path.join(dir, 'root'))}\nstate = ${JSON.stringify(path.join(dir, 'state'))}\n${containerdConfigDropIn('1.x')}`,
    );
    const dump = spawnSync('containerd', ['--config', file, 'config', 'dump'], { encoding: 'utf8', timeout: 30_000 });
    expect(dump.status).toBe(0);
    const effective = parse(dump.stdout) as Table;
    expect(at(effective, ['plugins', 'io.containerd.grpc.v1.cri', 'registry', 'config_path'])).toBe(CONTAINERD_CERTS_DIR);
    expect(effective.version).toBe(2);
  });
});

describe('containerd 2.x drop-in', () => {
  const reference = (() => {
    const text = readFileSync(path.join(__dirname, '..', 'fixtures', 'node-config', 'containerd-v2.1.4-cri-config.md'), 'utf8');
    const full = text.indexOf('## Full configuration');
    const v2 = text.indexOf('+ In containerd 2.x', full);
    const start = text.indexOf('```toml', v2) + '```toml'.length;
    return parse(text.slice(start, text.indexOf('```', start))) as Table;
  })();

  test('every key it sets is a key of the config version 3 reference', () => {
    const ours = parse(containerdConfigDropIn('2.x')) as Table;
    expect(ours.version).toBe(3);
    for (const keys of leafPaths(ours)) expect({ keys, known: at(reference, keys) !== undefined }).toEqual({ keys, known: true });
  });

  test('it sets one hosts directory, which the 2.1+ transfer service reads as well as the client pull, and nothing else', () => {
    const ours = parse(containerdConfigDropIn('2.x')) as Table;
    expect(leafPaths(ours)).toEqual([['version'], ['plugins', 'io.containerd.cri.v1.images', 'registry', 'config_path']]);
    expect(at(ours, ['plugins', 'io.containerd.cri.v1.images', 'registry', 'config_path'])).toBe(CONTAINERD_CERTS_DIR);
    expect(String(at(ours, ['plugins', 'io.containerd.cri.v1.images', 'registry', 'config_path']))).not.toContain(':');
  });
});

describe('containerd 2.x drop-in against the CRI config of each 2.x line', () => {
  const ours = parse(containerdConfigDropIn('2.x')) as Table;
  const versions = {
    'v2.0.11': 'containerd-v2.0.11-cri-config.go.txt',
    'v2.1.0': 'containerd-v2.1.0-cri-config.go.txt',
    'v2.2.7': 'containerd-v2.2.7-cri-config.go.txt',
  };

  test.each(Object.entries(versions))('%s: the image plugin has registry.config_path, the one key the drop-in sets', (_v, file) => {
    const source = fixture(file);
    expect(tomlTags(source, 'type ImageConfig struct')).toContain('registry');
    expect(tomlTags(source, 'type Registry struct')).toContain('config_path');
    expect(leafPaths(ours).filter((k) => k[0] !== 'version')).toEqual([
      ['plugins', 'io.containerd.cri.v1.images', 'registry', 'config_path'],
    ]);
  });

  test('use_local_image_pull exists from v2.1.0 only, so the drop-in for every 2.x leaves it out', () => {
    const has = Object.fromEntries(
      Object.entries(versions).map(([v, file]) => [v, tomlTags(fixture(file), 'type ImageConfig struct').includes('use_local_image_pull')]),
    );
    expect(has).toEqual({ 'v2.0.11': false, 'v2.1.0': true, 'v2.2.7': true });
    expect(containerdConfigDropIn('2.x')).not.toContain('use_local_image_pull');
  });

  test('docs/mirror-mode.md shows exactly the drop-ins ptc-autopilot writes', () => {
    const docs = readFileSync(path.join(__dirname, '..', '..', 'docs', 'mirror-mode.md'), 'utf8');
    for (const line of ['1.x', '2.x'] as const) expect(docs).toContain(`\`\`\`toml\n${containerdConfigDropIn(line)}\`\`\``);
  });
});

describe('hosts.toml keys against the hosts parser of each containerd line', () => {
  const map = buildMirrorMap(
    configOf(ALL_UPSTREAMS_YAML),
    { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' },
    'eu-west-2',
  );
  const files = [false, true].flatMap((fallback) => containerdHostsFiles(map, { fallback }).map((f) => parse(f.content) as Table));
  const parsers = {
    'v1.7.34': 'containerd-v1.7.34-hosts.go.txt',
    'v2.0.11': 'containerd-v2.0.11-hosts.go.txt',
    'v2.1.9': 'containerd-v2.1.9-hosts.go.txt',
    'v2.2.7': 'containerd-v2.2.7-hosts.go.txt',
  };

  test.each(Object.entries(parsers))('%s reads every key and capability we write', (_v, file) => {
    const source = fixture(file);
    const hostKeys = tomlTags(source, 'type hostFileConfig struct');
    // parseHostsFile: the top level is a hostFileConfig plus server and host.
    const topKeys = [...hostKeys, ...tomlTags(source, 'c := struct {')];
    const capabilities = [...source.matchAll(/case "(pull|resolve|push)":/g)].map((m) => m[1]!);
    expect(topKeys).toEqual(expect.arrayContaining(['server', 'host', 'capabilities', 'override_path']));
    for (const file of files) {
      for (const key of Object.keys(file)) expect({ key, known: topKeys.includes(key) }).toEqual({ key, known: true });
      for (const host of Object.values(file.host as Record<string, Table>)) {
        for (const key of Object.keys(host)) expect({ key, known: hostKeys.includes(key) }).toEqual({ key, known: true });
        for (const c of host.capabilities as string[]) expect(capabilities).toContain(c);
      }
      for (const c of (file.capabilities as string[] | undefined) ?? []) expect(capabilities).toContain(c);
    }
  });
});
