/**
 * The containerd config drop-ins that point the CRI plugin at the hosts directory, one per
 * containerd line: the 1.x one read back by the real containerd 1.6.20 (`containerd config dump`),
 * the 2.x one checked against the config version 3 reference of containerd v2.1.4
 * (docs/cri/config.md, "Full configuration", copy in test/fixtures/node-config).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { CONTAINERD_CERTS_DIR, containerdConfigDropIn } from '../../core/node-config';

type Table = Record<string, unknown>;

/** Every dotted key path of the leaf values of a TOML table. */
function leafPaths(table: Table, prefix: string[] = []): string[][] {
  return Object.entries(table).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? leafPaths(v as Table, [...prefix, k]) : [[...prefix, k]],
  );
}

const at = (table: Table, keys: string[]): unknown => keys.reduce<unknown>((t, k) => (t as Table | undefined)?.[k], table);

describe('containerd 1.6/1.7 drop-in', () => {
  test('the real containerd 1.6.20 reads config_path from it into the CRI registry config', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptc-containerd-dump-'));
    const file = path.join(dir, 'config.toml');
    writeFileSync(file, `root = ${JSON.stringify(path.join(dir, 'root'))}\nstate = ${JSON.stringify(path.join(dir, 'state'))}\n${containerdConfigDropIn('1.x')}`);
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
