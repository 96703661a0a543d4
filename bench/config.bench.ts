/**
 * Config validation time (`npm run bench -- config`): `parseConfigText` on YAML configs of 50
 * rules (ECR's quota, accepted with every setting), 2,000 and 20,000 rules (refused in one line as
 * over the quota), and 20,000 prewarm images, all in one run. Time grows with the size of the
 * text, never with its square: 20,000 rules cost about ten times 2,000.
 */
import { parse } from 'yaml';
import { ConfigError, parseConfig, parseConfigText } from '../core';

function rulesYaml(n: number): string {
  const lines = ['account: "111122223333"', 'region: eu-west-2', 'rules:'];
  for (let i = 0; i < n; i++) lines.push(`  - { prefix: team-${i}/app, upstream: k8s }`);
  lines.push('repositories:', '  tags: { team: platform }', '  overrides:');
  for (let i = 0; i < Math.min(n, 50); i++) lines.push(`    - { prefix: team-${i}/app, lifecycle: { keepLastTagged: 20 } }`);
  return `${lines.join('\n')}\n`;
}

function imagesYaml(n: number): string {
  const lines = ['account: "111122223333"', 'region: eu-west-2', 'rules: [{ prefix: k8s, upstream: k8s }]', 'prewarm:', '  images:'];
  for (let i = 0; i < n; i++) lines.push(`    - registry.k8s.io/team-${i}/app:v${i}`);
  return `${lines.join('\n')}\n`;
}

function outcomeOf(fn: () => unknown): string {
  try {
    fn();
    return 'valid';
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return `${err.issues.length} issue(s): ${err.issues[0]!.message.slice(0, 50)}...`;
  }
}

/** The whole read (YAML parser and checks), and the checks alone on the already-parsed document. */
function time(text: string): { ms: number; checksMs: number; outcome: string } {
  const doc: unknown = parse(text);
  (globalThis as { gc?: () => void }).gc?.();
  let start = process.hrtime.bigint();
  const outcome = outcomeOf(() => parseConfigText(text));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  start = process.hrtime.bigint();
  outcomeOf(() => parseConfig(doc));
  return { ms, checksMs: Number(process.hrtime.bigint() - start) / 1e6, outcome };
}

const cases: [string, string][] = [
  ['50 rules (the quota), overrides', rulesYaml(50)],
  ['2,000 rules', rulesYaml(2_000)],
  ['20,000 rules', rulesYaml(20_000)],
  ['20,000 prewarm images', imagesYaml(20_000)],
];
time(rulesYaml(50)); // warm-up
const results = cases.map(([name, text]) => ({ name, chars: text.length, ...time(text) }));
for (const r of results) {
  process.stdout.write(
    `${r.name.padEnd(34)} ${r.chars.toLocaleString('en-US').padStart(10)} chars ${r.ms.toFixed(1).padStart(9)} ms read, ${r.checksMs.toFixed(1).padStart(7)} ms checks  ${r.outcome}\n`,
  );
}
const ratio = results[2]!.ms / results[1]!.ms;
process.stdout.write(
  `20,000 rules / 2,000 rules: ${ratio.toFixed(1)}x the read time for 10x the rules (quadratic would be ~100x); the YAML parser takes most of it\n`,
);
