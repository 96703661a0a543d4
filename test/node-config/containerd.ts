/**
 * A real containerd for the mirror tests (Debian's `containerd`, 1.6.20 here): started with its
 * own config, root, state and socket under a temporary directory, no system service, and the
 * plugins that need privileges or are not needed for `ctr content fetch` (CRI, tasks, runtimes,
 * snapshotters other than native) disabled. `ctr` resolves and fetches on the client side with
 * `--hosts-dir`, exactly the registry host code the CRI plugin uses with `config_path`, and
 * stores what it fetched in this containerd's content store.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Plugins off: they need root privileges the tests do not want, or nothing uses them. */
const DISABLED_PLUGINS = [
  'io.containerd.grpc.v1.cri',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.overlayfs',
  'io.containerd.internal.v1.opt',
  'io.containerd.internal.v1.tracing',
  'io.containerd.tracing.processor.v1.otlp',
  'io.containerd.runtime.v1.linux',
  'io.containerd.runtime.v2.task',
  'io.containerd.monitor.v1.cgroups',
  'io.containerd.service.v1.tasks-service',
  'io.containerd.grpc.v1.tasks',
  'io.containerd.nri.v1.nri',
];

/** A running containerd. */
export interface TestContainerd {
  readonly socket: string;
  readonly dir: string;
  readonly process: ChildProcess;
}

/** Starts containerd with everything under `dir`; resolves when its socket answers. */
export async function startContainerd(dir: string): Promise<TestContainerd> {
  mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, 'containerd.sock');
  const config = [
    'version = 2',
    `root = ${JSON.stringify(path.join(dir, 'root'))}`,
    `state = ${JSON.stringify(path.join(dir, 'state'))}`,
    `disabled_plugins = ${JSON.stringify(DISABLED_PLUGINS)}`,
    '[grpc]',
    `  address = ${JSON.stringify(socket)}`,
    '[ttrpc]',
    `  address = ${JSON.stringify(`${socket}.ttrpc`)}`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'config.toml'), config);
  const log = openSync(path.join(dir, 'containerd.log'), 'a');
  const child = spawn('containerd', ['--config', path.join(dir, 'config.toml')], { stdio: ['ignore', log, log] });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`containerd exited: ${readFileSync(path.join(dir, 'containerd.log'), 'utf8').slice(-800)}`);
    if (existsSync(socket) && spawnSync('ctr', ['--address', socket, 'version'], { timeout: 5000 }).status === 0) {
      return { socket, dir, process: child };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('containerd did not answer on its socket within 20 s');
}

/** Stops a containerd this test started. */
export async function stopContainerd(c: TestContainerd | undefined): Promise<void> {
  if (c === undefined || c.process.exitCode !== null) return;
  const exited = new Promise((resolve) => c.process.once('exit', resolve));
  c.process.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  if (c.process.exitCode === null) c.process.kill('SIGKILL');
}

/** The outcome of one `ctr content fetch`. */
export interface FetchResult {
  readonly ok: boolean;
  readonly output: string;
}

/**
 * `ctr --address SOCK content fetch --hosts-dir DIR --user USER:PASSWORD --all-platforms REF`
 * (ctr 1.6 flags: `ctr content fetch --help`), bounded to 60 seconds. Asynchronous, so a
 * recording server in this process can answer ctr meanwhile.
 */
export function ctrFetch(c: TestContainerd, hostsDir: string, reference: string, credentials: string): Promise<FetchResult> {
  const args = ['--address', c.socket, 'content', 'fetch', '--hosts-dir', hostsDir, '--user', credentials, '--all-platforms', reference];
  return new Promise((resolve) => {
    const child = spawn('ctr', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

/** Every digest in containerd's content store. */
export function contentDigests(c: TestContainerd): string[] {
  const result = spawnSync('ctr', ['--address', c.socket, 'content', 'ls', '--quiet'], { encoding: 'utf8', timeout: 30_000 });
  return result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('sha256:'));
}
