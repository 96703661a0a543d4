import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function synth(context: Record<string, string>, outdir: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra', 'app.ts')], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, PTC_CONFIG: '', CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
  });
}

describe('the CDK app and the npm start summary', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ptc-synth-'));
  const result = synth({ config: path.join(ROOT, 'config', 'example.yaml') }, outdir);

  test('-c config=FILE picks the config and synthesizes one stack per environment', () => {
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(existsSync(path.join(outdir, 'PtcAutopilot-prod-eu.template.json'))).toBe(true);
    const template = JSON.parse(readFileSync(path.join(outdir, 'PtcAutopilot-prod-eu.template.json'), 'utf8'));
    const prefixes = Object.values(template.Resources as Record<string, { Type: string; Properties: { EcrRepositoryPrefix?: string } }>)
      .filter((r) => r.Type === 'AWS::ECR::PullThroughCacheRule')
      .map((r) => r.Properties.EcrRepositoryPrefix);
    expect(prefixes).toEqual(['docker-hub', 'github', 'k8s', 'ecr', 'quay']);
  });

  test('the summary lists the resources of each stack, the cdk-nag result and the plan', () => {
    const summary = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts', 'summary.ts'), path.join(ROOT, 'config', 'example.yaml'), outdir],
      {
        encoding: 'utf8',
        cwd: ROOT,
      },
    );
    expect(summary.status).toBe(0);
    expect(summary.stdout).toMatch(/Stack PtcAutopilot-prod-eu \(aws:\/\/111122223333\/eu-west-2\): \d+ resources/);
    expect(summary.stdout).toMatch(/\s5 {2}AWS::ECR::PullThroughCacheRule/);
    expect(summary.stdout).toMatch(/\s5 {2}AWS::ECR::RepositoryCreationTemplate/);
    expect(summary.stdout).toContain('cdk-nag AwsSolutions: 0 unacknowledged findings');
    expect(summary.stdout).toContain('rule quay <- quay (quay.io)');
  });

  test('a missing config file named in the context is a one-line error', () => {
    const missing = synth({ config: '/nonexistent/ptc.yaml' }, mkdtempSync(path.join(tmpdir(), 'ptc-synth-')));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('config error: /nonexistent/ptc.yaml: file not found');
  });
});
