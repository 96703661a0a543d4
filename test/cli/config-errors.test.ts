import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'ptc-config-errors-'));

function configFile(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, ['account: "111122223333"', 'region: eu-west-2', ...lines, ''].join('\n'));
  return file;
}

const synth = (file: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra', 'app.ts')], {
    encoding: 'utf8',
    cwd: ROOT,
    env: {
      ...process.env,
      PTC_CONFIG: '',
      CDK_CONTEXT_JSON: JSON.stringify({ config: file }),
      CDK_OUTDIR: mkdtempSync(path.join(dir, 'out-')),
    },
  });
const validate = (file: string) =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ptc.js'), 'validate-config', file], { encoding: 'utf8', cwd: ROOT });

const cases: [name: string, lines: string[], error: string][] = [
  [
    'a validation schedule longer than a day',
    ['rules: [{ prefix: k8s, upstream: k8s }]', 'validation: { schedule: rate(2 days) }'],
    'config error at validation.schedule: "rate(2 days)" runs less than once a day',
  ],
  [
    'more rules than ECR allows',
    ['rules:', ...Array.from({ length: 51 }, (_, i) => `  - { prefix: team-${i}, upstream: k8s }`)],
    'config error at rules: at most 50 rules: ECR allows 50 pull through cache rules per registry',
  ],
];

describe.each(cases)('%s', (name, lines, error) => {
  const file = configFile(`${name.replace(/\W+/g, '-')}.yaml`, lines);

  test('validate-config says so in one line and exits 1', () => {
    const result = validate(file);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain('valid');
    const errorLines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('config error'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toContain(error);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test('cdk synth says the same, with no stack trace', () => {
    const result = synth(file);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`${file}:`, expect.stringContaining(error)]);
  });
});
