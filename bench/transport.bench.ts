/**
 * Transport benchmark (`npm run bench -- transport`): node's http/https with keep-alive agents
 * (registry/http.ts, what the registry session uses) against Node's built-in `fetch` (undici),
 * side by side in one run, against a real docker-registry on 127.0.0.1 over TLS: BENCH_HEADS
 * (default 1000) blob `HEAD`s 8 at a time, a BENCH_TRANSPORT_MIB (default 256) MiB blob `GET`
 * hashed as it arrives, and the same blob uploaded in one streamed `PATCH`. Wall time and this
 * process's CPU time are printed for each. The process re-runs itself with NODE_EXTRA_CA_CERTS
 * so that `fetch` trusts the throw-away certificate.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { HttpTransport } from '../registry/http';
import { selfSignedCertificate } from '../test/prewarm/hostile-registry';
import { startRegistry, stopRegistry, type TestRegistry } from '../test/copy/registries';

const HEADS = Number(process.env.BENCH_HEADS ?? 1000);
const MIB = Number(process.env.BENCH_TRANSPORT_MIB ?? 256);

interface Measure {
  wall: number;
  cpu: number;
}

async function measure(fn: () => Promise<void>): Promise<Measure> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (cpu.user + cpu.system) / 1e6 };
}

const show = (m: Measure) => `${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU`;

/** Pieces of the blob, 1 MiB each, generated again for each upload (so no run shares buffers). */
function blobStream(seed: Buffer): Readable {
  let i = 0;
  return new Readable({
    read() {
      this.push(i++ < MIB ? seed : null);
    },
  });
}

async function child(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'ptc-transport-bench-'));
  const dir = process.env.PTC_TRANSPORT_CERT_DIR!;
  const cert = { cert: readFileSync(path.join(dir, 'ca.pem'), 'utf8'), key: readFileSync(path.join(dir, 'key.pem'), 'utf8') };
  let registry: TestRegistry | undefined;
  try {
    registry = await startRegistry(path.join(work, 'r'), cert);
    const base = `https://${registry.address}`;
    const seed = randomBytes(1024 * 1024);
    const hash = createHash('sha256');
    for (let i = 0; i < MIB; i++) hash.update(seed);
    const digest = `sha256:${hash.digest('hex')}`;
    const node = new HttpTransport(10, cert.cert);

    const nodeUpload = async (repo: string) => {
      const post = await node.request('POST', `${base}/v2/${repo}/blobs/uploads/`, {}, Buffer.alloc(0));
      post.body.resume();
      const patch = await node.request('PATCH', new URL(post.header('location')!, base).toString(), {}, blobStream(seed));
      patch.body.resume();
      const put = new URL(patch.header('location')!, base);
      put.searchParams.set('digest', digest);
      const done = await node.request('PUT', put.toString(), {}, Buffer.alloc(0));
      done.body.resume();
      if (done.status !== 201) throw new Error(`node upload answered ${done.status}`);
    };
    const fetchUpload = async (repo: string) => {
      const post = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
      await post.arrayBuffer();
      const patch = await fetch(new URL(post.headers.get('location')!, base), {
        method: 'PATCH',
        body: Readable.toWeb(blobStream(seed)) as ReadableStream,
        duplex: 'half',
      });
      await patch.arrayBuffer();
      const put = new URL(patch.headers.get('location')!, base);
      put.searchParams.set('digest', digest);
      const done = await fetch(put, { method: 'PUT' });
      await done.arrayBuffer();
      if (done.status !== 201) throw new Error(`fetch upload answered ${done.status}`);
    };
    const url = `${base}/v2/bench/a/blobs/${digest}`;
    const nodeGet = async () => {
      const res = await node.get(url, {});
      const h = createHash('sha256');
      for await (const chunk of res.body as AsyncIterable<Buffer>) h.update(chunk);
    };
    const fetchGet = async () => {
      const res = await fetch(url);
      const h = createHash('sha256');
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) h.update(chunk);
    };
    const heads = (one: () => Promise<void>) => async () => {
      let left = HEADS;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (left-- > 0) await one();
        }),
      );
    };
    const nodeHead = async () => {
      const res = await node.request('HEAD', url, {});
      res.body.resume();
    };
    const fetchHead = async () => {
      const res = await fetch(url, { method: 'HEAD' });
      await res.arrayBuffer();
    };

    const lines: string[] = [];
    const upNode = await measure(() => nodeUpload('bench/a'));
    const upFetch = await measure(() => fetchUpload('bench/b'));
    lines.push(`upload ${MIB} MiB (one streamed PATCH): node:https ${show(upNode)}; fetch ${show(upFetch)}`);
    const getNode = await measure(nodeGet);
    const getFetch = await measure(fetchGet);
    lines.push(`download ${MIB} MiB, hashed: node:https ${show(getNode)}; fetch ${show(getFetch)}`);
    const headNode = await measure(heads(nodeHead));
    const headFetch = await measure(heads(fetchHead));
    lines.push(`${HEADS} HEADs, 8 at a time: node:https ${show(headNode)}; fetch ${show(headFetch)}`);
    node.close();
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await stopRegistry(registry);
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.env.PTC_TRANSPORT_CHILD === '1') {
  child().catch((err: unknown) => {
    process.stderr.write(`transport benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
} else {
  // fetch trusts only NODE_EXTRA_CA_CERTS (read at start-up): the child gets the certificate the registry will use.
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-transport-ca-'));
  const cert = selfSignedCertificate();
  writeFileSync(path.join(dir, 'ca.pem'), cert.cert);
  writeFileSync(path.join(dir, 'key.pem'), cert.key);
  const result = spawnSync(process.execPath, [...process.execArgv, __filename], {
    stdio: 'inherit',
    env: { ...process.env, PTC_TRANSPORT_CHILD: '1', NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem'), PTC_TRANSPORT_CERT_DIR: dir },
  });
  rmSync(dir, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
