/**
 * The cache registry of the mirror tests: Debian's `docker-registry` (CNCF distribution) behind
 * htpasswd Basic auth, as ECR's endpoint is, holding images at `/v2/<prefix>/<upstream path>`
 * exactly as a pull through cache names its repositories. Unlike scripts/registry.sh it keeps
 * its access and application log (info level), so a test can read which paths containerd asked
 * for and which user authenticated.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

/** A running registry. */
export interface MirrorRegistry {
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  readonly user: string;
  readonly password: string;
  readonly dir: string;
  readonly process: ChildProcess;
}

/** A port that nothing listened on a moment ago (the OS picked it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${readFileSync(log, 'utf8').slice(0, 500)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.arrayBuffer();
      return;
    } catch {
      // Not listening yet: try again shortly (bounded by the deadline).
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`docker-registry did not listen on 127.0.0.1:${port} within 20 s`);
}

/** Starts an authenticated registry with its state and log in `dir`. */
export async function startMirrorRegistry(dir: string): Promise<MirrorRegistry> {
  mkdirSync(path.join(dir, 'storage'), { recursive: true });
  const user = 'ptc-mirror';
  const password = randomBytes(12).toString('hex');
  const htpasswd = spawnSync('htpasswd', ['-Bbn', '-C', '4', user, password], { encoding: 'utf8' });
  if (htpasswd.status !== 0) throw new Error(`htpasswd failed: ${htpasswd.stderr}`);
  writeFileSync(path.join(dir, 'htpasswd'), htpasswd.stdout);
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'storage')}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    'auth:',
    '  htpasswd:',
    '    realm: ptc-mirror-test',
    `    path: ${path.join(dir, 'htpasswd')}`,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'config.yml'), config);
  const log = path.join(dir, 'registry.log');
  const out = openSync(log, 'a');
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', out, out] });
  await waitForPort(port, child, log);
  return { address: `127.0.0.1:${port}`, user, password, dir, process: child };
}

/** Stops a registry this test started. */
export async function stopMirrorRegistry(r: MirrorRegistry | undefined): Promise<void> {
  if (r === undefined || r.process.exitCode !== null) return;
  const exited = new Promise((resolve) => r.process.once('exit', resolve));
  r.process.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
}

/** One request from the registry's access log. */
export interface AccessLogLine {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** Every request the registry logged, in order (its access log, combined log format). */
export function accessLog(r: MirrorRegistry): AccessLogLine[] {
  const lines: AccessLogLine[] = [];
  for (const match of readFileSync(path.join(r.dir, 'registry.log'), 'utf8').matchAll(
    /"(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP\/[\d.]+" (\d{3})/g,
  )) {
    lines.push({ method: match[1]!, path: match[2]!, status: Number(match[3]) });
  }
  return lines;
}

/** The user names the registry's application log says authenticated requests (`auth.user.name`). */
export function authenticatedUsers(r: MirrorRegistry): string[] {
  return [
    ...new Set([...readFileSync(path.join(r.dir, 'registry.log'), 'utf8').matchAll(/auth\.user\.name="?([^"\s]+)"?/g)].map((m) => m[1]!)),
  ];
}

/** Pushes `tag` of an OCI layout to `repository` of the authenticated registry, every platform. */
export function pushImage(r: MirrorRegistry, layoutDir: string, tag: string, repository: string): void {
  const args = [
    'copy',
    '--quiet',
    '--all',
    '--preserve-digests',
    '--dest-tls-verify=false',
    '--dest-creds',
    `${r.user}:${r.password}`,
    `oci:${layoutDir}:${tag}`,
    `docker://${r.address}/${repository}:${tag}`,
  ];
  const result = spawnSync('skopeo', args, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`skopeo copy to ${repository}:${tag} failed: ${result.stderr || result.error?.message}`);
}
