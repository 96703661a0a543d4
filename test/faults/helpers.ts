/**
 * Runs the real `ptc` command (bin/ptc.js, a child process) so faults the kernel injects (a
 * file-size limit, a read-only directory, a full file system, a closed pipe) hit the code the way
 * they hit a user.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'ptc.js');
export const EXAMPLE = path.join(ROOT, 'config', 'example.yaml');
/** Our own Kubernetes manifests fixture (test/fixtures/manifests/workloads.yaml): 15 images the example config rewrites. */
export const WORKLOADS = readFileSync(path.join(ROOT, 'test', 'fixtures', 'manifests', 'workloads.yaml'), 'utf8');

/** `WORKLOADS` repeated as one multi-document stream of about `bytes` bytes. */
export function manifestsOfSize(bytes: number): string {
  const copies = Math.max(1, Math.ceil(bytes / WORKLOADS.length));
  return Array.from({ length: copies }, () => WORKLOADS.replace(/\n*$/, '\n')).join('---\n');
}

/** A fresh temporary directory. */
export const tempDir = (label: string): string => mkdtempSync(path.join(tmpdir(), `ptc-${label}-`));

export interface PtcRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `ptc ARGS` in `cwd`, through `bash -c` when `shell` (a prefix such as `ulimit -f 64;`) is
 * given, optionally as another user. Bounded in time: a run that hangs is killed and reported with
 * a null status.
 */
export function runPtc(
  args: readonly string[],
  options: { cwd: string; shell?: string; input?: string; uid?: number; gid?: number; timeoutMs?: number; env?: NodeJS.ProcessEnv },
): PtcRun {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, ...options.env };
  const common = {
    cwd: options.cwd,
    env,
    encoding: 'utf8' as const,
    timeout: options.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL' as const,
    maxBuffer: 16 * 1024 * 1024,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  };
  const out: SpawnSyncReturns<string> =
    options.shell !== undefined
      ? spawnSync('bash', ['-c', `${options.shell} exec ${quoted}`], common)
      : spawnSync(process.execPath, [BIN, ...args], common);
  return { status: out.status, signal: out.signal, stdout: out.stdout ?? '', stderr: out.stderr ?? '' };
}
