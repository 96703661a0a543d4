/**
 * `ptc rewrite` on a 5,000-document manifest stream (`npm run bench -- rewrite`), beside a plain
 * yaml parse-and-stringify of the same stream (the floor any Document-API rewrite pays), in one
 * run. Two streams: a realistic chart-render mix (ingress-nginx's published render: RBAC, Services, a
 * ConfigMap, a Deployment, Jobs, webhooks; and the workload kinds of workloads.yaml)
 * and a worst case in which every document is a Deployment. Target: rewrite <= 1.5x the floor.
 * Then 50 MB of Helm values (real charts' values) beside 50 MB of manifests, each in a process of
 * its own, with its peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run } from '../cli/main';
import type { CliIo } from '../cli/io';

const ROOT = path.join(__dirname, '..');
const CONFIG = path.join(ROOT, 'config', 'example.yaml');
const DOCS = Number(process.env.BENCH_DOCS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** A real chart render (test/fixtures/manifests/SOURCE). */
const RENDER = 'ingress-nginx-deploy.yaml';

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

async function median(fn: () => unknown): Promise<number> {
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
  const floor = await median(() =>
    parseAllDocuments(text)
      .map((d) => d.toString())
      .join(''),
  );
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
  const files = [
    'redis/redis/values.yaml',
    'kube-prometheus-stack/values.yaml',
    'ingress-nginx/values.yaml',
    'cert-manager/values.yaml',
    'grafana/values.yaml',
  ];
  const bodies = files.map((f) => readFileSync(path.join(ROOT, 'test', 'fixtures', 'charts', f), 'utf8').replace(/^/gm, '  '));
  const out: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const part = `chart${i}:\n${bodies[i % bodies.length]!}\n`;
    out.push(part);
    size += part.length;
  }
  return out.join('');
}

interface ChildRun {
  ms: number;
  rssMB: number;
  code: number;
}

/**
 * `ptc rewrite ARGS FILE` in a process of its own (bench/rewrite-child.ts), standard output to
 * /dev/null: its wall time and peak RSS (`maxRSS`), which nothing of this process adds to.
 */
function child(args: readonly string[]): ChildRun {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'rewrite-child.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 20,
  });
  const report = result.output[3]?.toString() ?? '';
  if (result.status === null || report === '')
    throw new Error(`rewrite-child ${args.join(' ')} failed (status ${result.status}, signal ${result.signal})`);
  return JSON.parse(report) as ChildRun;
}

/**
 * The 50 MB comparison: `--helm-values` beside the manifests path on as many bytes, each run in a
 * child process of its own reading the input from a file, as users run it (target: within 3x,
 * under 500 MB peak RSS). The baseline is the same command on a one-line file: what node, tsx and
 * the CLI's modules hold before any input.
 */
async function fiftyMegabytes(): Promise<void> {
  const bytes = Number(process.env.BENCH_BYTES ?? 50e6);
  const deployment = documentsOf(RENDER).find((d) => d.includes('kind: Deployment'))!;
  const docs: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const d = `---\n${deployment.replace(/name: ([a-z-]+)/, `name: $1-${i}`)}`;
    docs.push(d);
    size += d.length;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-bench-'));
  try {
    const manifests = path.join(dir, 'manifests.yaml');
    const values = path.join(dir, 'values.yaml');
    const tiny = path.join(dir, 'tiny.yaml');
    writeFileSync(manifests, docs.join(''));
    docs.length = 0;
    writeFileSync(values, helmValues(bytes));
    writeFileSync(tiny, 'image: nginx:1.27\n');
    const base = child(['rewrite', '-c', CONFIG, '--helm-values', tiny]);
    const m = child(['rewrite', '-c', CONFIG, manifests]);
    const h = child(['rewrite', '-c', CONFIG, '--helm-values', values]);
    const ratio = h.ms / m.ms;
    const mb = (file: string): string => (statSync(file).size / 1e6).toFixed(1);
    process.stdout.write(
      `${(bytes / 1e6).toFixed(0)} MB, each run in its own process: manifests ${mb(manifests)} MB, Helm values ${mb(values)} MB\n` +
        `  baseline (one-line file)        ${base.ms.toFixed(0).padStart(8)} ms  peak RSS ${base.rssMB.toFixed(0)} MB  (exit ${base.code})\n` +
        `  ptc rewrite (manifests)         ${m.ms.toFixed(0).padStart(8)} ms  peak RSS ${m.rssMB.toFixed(0)} MB  (exit ${m.code})\n` +
        `  ptc rewrite --helm-values       ${h.ms.toFixed(0).padStart(8)} ms  peak RSS ${h.rssMB.toFixed(0)} MB  (exit ${h.code})\n` +
        `  ratio                           ${ratio.toFixed(2).padStart(8)}x  (target <= 3x: ${ratio <= 3 ? 'met' : 'NOT met'}; RSS < 500 MB: ${h.rssMB < 500 ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const chart = [...documentsOf(RENDER), ...documentsOf('workloads.yaml')];
  await compare('chart-render mix', stream(chart));
  const deployment = documentsOf(RENDER).find((d) => d.includes('kind: Deployment'))!;
  await compare('every document a Deployment', stream([deployment]));
  await fiftyMegabytes();
}

void main();
