/**
 * `ptc rewrite` on a 5,000-document manifest stream (`npm run bench -- rewrite`), beside a plain
 * yaml parse-and-stringify of the same stream (the floor any Document-API rewrite pays), in one
 * run. Two streams: a realistic chart-render mix (CRDs, RBAC, Services, ConfigMaps and workloads)
 * and a worst case in which every document is a Deployment. Target: rewrite <= 1.5x the floor.
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

async function main(): Promise<void> {
  const chart = [...documentsOf('chart-render.yaml'), ...documentsOf('workloads.yaml')];
  await compare('chart-render mix', stream(chart));
  const deployment = documentsOf('chart-render.yaml').find((d) => d.includes('kind: Deployment'))!;
  await compare('every document a Deployment', stream([deployment]));
}

void main();
