/**
 * Resolver throughput (`npm run bench -- resolver`): references per second through
 * `createResolver` (host table built once), beside `parseReference` alone (the floor: every
 * resolution parses) and `resolveReference` (which rebuilds the table per call), all in one run.
 */
import * as path from 'node:path';
import { createResolver, loadConfig, parseReference, resolveReference } from '../core';

const ROOT = path.join(__dirname, '..');
const config = loadConfig(path.join(ROOT, 'config', 'example.yaml'));
const ctx = { config, registryHost: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' };
const D = `sha256:${'0123456789abcdef'.repeat(4)}`;

// A realistic mix: Docker Hub short names, explicit hosts, digests, cached and uncovered references.
const BASE = [
  'nginx',
  'nginx:1.27',
  'bitnami/redis:7.2.4',
  'docker.io/library/postgres:16',
  `redis@${D}`,
  'ghcr.io/external-secrets/external-secrets:v0.9.11',
  `ghcr.io/org/app:v1@${D}`,
  'registry.k8s.io/pause:3.9',
  'registry.k8s.io/ingress-nginx/controller:v1.10.1',
  'quay.io/jetstack/cert-manager-controller:v1.14.5',
  'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0',
  'localhost:5000/team/app:1',
  'registry.example.com/team/app:1.2.3',
  `${ctx.registryHost}/docker-hub/library/nginx:1.27`,
];
const N = Number(process.env.BENCH_REFS ?? 200_000);
// Distinct strings, so no engine-level caching of one literal flatters the figures.
const refs = Array.from({ length: N }, (_, i) => {
  const base = BASE[i % BASE.length]!;
  return base.includes('@') || /:[^/]*$/.test(base) ? base : `${base}:t${i % 977}`;
});

function time(fn: (ref: string) => unknown): number {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.hrtime.bigint();
  for (const ref of refs) fn(ref);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function report(name: string, seconds: number): number {
  const rate = refs.length / seconds;
  process.stdout.write(
    `${name.padEnd(44)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} refs/s  (${(seconds * 1000).toFixed(1)} ms for ${refs.length.toLocaleString('en-US')})\n`,
  );
  return rate;
}

const resolver = createResolver(ctx);
// Warm both up, then alternate rounds so machine noise hits both alike; report medians.
for (let i = 0; i < 2; i++) {
  time(parseReference);
  time(resolver);
}
const parseSamples: number[] = [];
const resolveSamples: number[] = [];
for (let round = 0; round < 7; round++) {
  parseSamples.push(time(parseReference));
  resolveSamples.push(time(resolver));
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const parseRate = report('parseReference (floor)', median(parseSamples));
const resolveRate = report('createResolver(ctx)(ref)', median(resolveSamples));
const slowRefs = refs.slice(0, 20_000);
const startSlow = process.hrtime.bigint();
for (const ref of slowRefs) resolveReference(ref, ctx);
const slowRate = slowRefs.length / (Number(process.hrtime.bigint() - startSlow) / 1e9);
process.stdout.write(
  `${'resolveReference(ref, ctx) (table per call)'.padEnd(44)} ${Math.round(slowRate).toLocaleString('en-US').padStart(12)} refs/s\n`,
);
process.stdout.write(
  `\nresolver time / parse time: ${(parseRate / resolveRate).toFixed(2)}x; precomputed table: ${(resolveRate / slowRate).toFixed(1)}x faster than building it per call\n`,
);

// Long hostile input (issue 11): parse time must grow linearly with the length. The former
// fast-path expression took about 1.6-2 s for 32,000 characters of a host-like first component.
const LONG_SHAPES: [string, (n: number) => string][] = [
  ['host-like, no "/"', (n) => `${'A'.repeat(n)}!`],
  ['dotted, then "/x!"', (n) => `${'a.'.repeat(n / 2)}/x!`],
  ['many components', (n) => `${'a/'.repeat(n / 2)}!`],
];
process.stdout.write('\nlong invalid references (median of 5 parses):\n');
for (const [shape, make] of LONG_SHAPES) {
  const times = [8_000, 16_000, 32_000].map((n) => {
    const ref = make(n);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = process.hrtime.bigint();
      try {
        parseReference(ref);
      } catch {
        // every shape is invalid; only the time matters here
      }
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return median(samples);
  });
  process.stdout.write(
    `  ${shape.padEnd(22)} 8k ${times[0]!.toFixed(2)} ms, 16k ${times[1]!.toFixed(2)} ms, 32k ${times[2]!.toFixed(2)} ms; 32k/16k ${(times[2]! / times[1]!).toFixed(2)}x\n`,
  );
}
