/**
 * `ptc rewrite` on a 5,000-document manifest stream (`npm run bench -- rewrite`), beside a plain
 * yaml parse-and-stringify of the same stream (the floor any Document-API rewrite pays), in one
 * run. Two streams: a realistic chart-render mix (CRDs, RBAC, Services, ConfigMaps and workloads)
 * and a worst case in which every document is a Deployment. Target: rewrite <= 1.5x the floor.
 * Then 50 MB of Helm values (real charts' values) beside 50 MB of manifests, with peak RSS.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run } from '../cli/main';
import type { CliIo } from '../cli/io';

const ROOT = path.join(__dirname, '..');
const CONFIG = path.join(ROOT, 'config', 'example.yaml');
const DOCS = Number(process.env.BENCH_DOCS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function documentsOf(file: string): string[] {
  return readFileSync(path.join(ROOT, 'test', 'fixtures', 'manifests', file), 'utf8')
    .split(/^---\n/m)
    .filter((d) => d.trim() !== '');
}

function stream(docs: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; out.length < DOCS; i++) out.push(`---\n${docs[i % docs.length]!.replace(/name: ([a-z-]+)/, `name: $1-${i}`)}`);
  return out.join('');
}

function io(stdin: string): CliIo & { bytes: number } {
  const sink = { bytes: 0 };
  return Object.assign(sink, {
    stdout: (t: string) => {
      sink.bytes += t.length;
    },
    stderr: () => undefined,
    readStdin: async () => stdin,
    env: {},
    cwd: ROOT,
  });
}

async function median(fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

async function compare(name: string, text: string): Promise<void> {
  const floor = await median(() => parseAllDocuments(text).map((d) => d.toString()).join(''));
  let code = -1;
  const rewrite = await median(async () => {
    code = await run(['rewrite', '-c', CONFIG], io(text));
  });
  const ratio = rewrite / floor;
  process.stdout.write(
    `${name}: ${DOCS} documents, ${(text.length / 1024).toFixed(0)} KiB\n` +
      `  yaml parse + stringify (floor)  ${floor.toFixed(1).padStart(8)} ms\n` +
      `  ptc rewrite (in process)        ${rewrite.toFixed(1).padStart(8)} ms  (exit ${code})\n` +
      `  ratio                           ${ratio.toFixed(2).padStart(8)}x  (target <= 1.5x: ${ratio <= 1.5 ? 'met' : 'NOT met'})\n`,
  );
}

/** 50 MB of values: real charts' values (test/fixtures/charts) nested under one key each. */
function helmValues(bytes: number): string {
  const files = ['redis/redis/values.yaml', 'kube-prometheus-stack/values.yaml', 'ingress-nginx/values.yaml', 'cert-manager/values.yaml', 'grafana/values.yaml'];
  const bodies = files.map((f) => readFileSync(path.join(ROOT, 'test', 'fixtures', 'charts', f), 'utf8').replace(/^/gm, '  '));
  const out: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const part = `chart${i}:\n${bodies[i % bodies.length]!}\n`;
    out.push(part);
    size += part.length;
  }
  return out.join('');
}

/** The 50 MB comparison: `--helm-values` beside the manifests path on as many bytes (target: within 3x, under 500 MB RSS). */
async function fiftyMegabytes(): Promise<void> {
  const bytes = Number(process.env.BENCH_BYTES ?? 50e6);
  const deployment = documentsOf('chart-render.yaml').find((d) => d.includes('kind: Deployment'))!;
  const docs: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const d = `---\n${deployment.replace(/name: ([a-z-]+)/, `name: $1-${i}`)}`;
    docs.push(d);
    size += d.length;
  }
  const manifests = docs.join('');
  const values = helmValues(bytes);
  const time = async (args: string[], text: string): Promise<{ ms: number; rss: number; code: number }> => {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const start = process.hrtime.bigint();
    const code = await run(args, io(text));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    clearInterval(timer);
    return { ms, rss: Math.max(peak, process.memoryUsage().rss) / 1e6, code };
  };
  const m = await time(['rewrite', '-c', CONFIG], manifests);
  const h = await time(['rewrite', '-c', CONFIG, '--helm-values'], values);
  const ratio = h.ms / m.ms;
  process.stdout.write(
    `50 MB: manifests ${(manifests.length / 1e6).toFixed(1)} MB, Helm values ${(values.length / 1e6).toFixed(1)} MB\n` +
      `  ptc rewrite (manifests)         ${m.ms.toFixed(0).padStart(8)} ms  peak RSS ${m.rss.toFixed(0)} MB  (exit ${m.code})\n` +
      `  ptc rewrite --helm-values       ${h.ms.toFixed(0).padStart(8)} ms  peak RSS ${h.rss.toFixed(0)} MB  (exit ${h.code})\n` +
      `  ratio                           ${ratio.toFixed(2).padStart(8)}x  (target <= 3x: ${ratio <= 3 ? 'met' : 'NOT met'}; RSS < 500 MB: ${h.rss < 500 ? 'met' : 'NOT met'})\n`,
  );
}

async function main(): Promise<void> {
  const chart = [...documentsOf('chart-render.yaml'), ...documentsOf('workloads.yaml')];
  await compare('chart-render mix', stream(chart));
  const deployment = documentsOf('chart-render.yaml').find((d) => d.includes('kind: Deployment'))!;
  await compare('every document a Deployment', stream([deployment]));
  await fiftyMegabytes();
}

void main();
