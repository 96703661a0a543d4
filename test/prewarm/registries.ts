/**
 * The real registries of the integration tests and the benchmark: Debian's `docker-registry`
 * (CNCF distribution), started and stopped by `scripts/registry.sh`, which picks free ports on
 * 127.0.0.1, keeps all state in one temporary directory and stops the registries when this
 * process ends even if `down` never runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export const REGISTRY_SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'registry.sh');

/** An upstream registry and an authenticated pull-through proxy of it. */
export interface LocalRegistries {
  /** The directory holding both registries' state (removed by `stopRegistries`). */
  base: string;
  /** `127.0.0.1:PORT` of the upstream (no auth). */
  upstream: string;
  /** `127.0.0.1:PORT` of the proxy (Basic auth). */
  proxy: string;
  user: string;
  password: string;
}

function script(args: string[]): string {
  const result = spawnSync('bash', [REGISTRY_SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`scripts/registry.sh ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** Starts an upstream and an authenticated proxy of it in a new temporary directory. */
export function startRegistries(): LocalRegistries {
  const base = path.join(tmpdir(), `ptc-prewarm-${randomBytes(6).toString('hex')}`);
  const env = Object.fromEntries(
    script(['up', base, '--owner-pid', String(process.pid)])
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { base: env.BASE!, upstream: env.UPSTREAM!, proxy: env.PROXY!, user: env.PROXY_USER!, password: env.PROXY_PASSWORD! };
}

/** Starts one more proxy of the same upstream (its own cold cache) in `base/<name>`; returns its address. */
export function startProxy(r: LocalRegistries, name: string): string {
  return script([
    'start',
    path.join(r.base, name),
    '--proxy',
    `http://${r.upstream}`,
    '--auth',
    `${r.user}:${r.password}`,
    '--owner-pid',
    String(process.pid),
  ]).trim();
}

/** Stops the upstream only; the proxy keeps running on what it cached. */
export function stopUpstream(r: LocalRegistries): void {
  script(['stop', path.join(r.base, 'upstream')]);
}

/** Stops every registry under `base` and removes the directory. */
export function stopRegistries(r: LocalRegistries | undefined): void {
  if (r === undefined || !existsSync(r.base)) return;
  script(['down', r.base]);
}

/**
 * Whether the proxy has committed a blob of `repository` to its storage. distribution's proxy
 * stores a blob in the background while it streams it to the client, so a test waits for this
 * before it takes the upstream away.
 */
export function proxyHasBlob(r: LocalRegistries, repository: string, digest: string, proxyDir = 'proxy'): boolean {
  const hex = digest.slice('sha256:'.length);
  const root = path.join(r.base, proxyDir, 'storage', 'docker', 'registry', 'v2');
  return (
    existsSync(path.join(root, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data')) &&
    existsSync(path.join(root, 'repositories', repository, '_layers', 'sha256', hex, 'link'))
  );
}
