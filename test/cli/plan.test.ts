import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Template } from 'aws-cdk-lib/assertions';
import { run } from '../../cli/main';
import { buildPlan, loadConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { recordingIo } from './fake-io';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'config', 'example.yaml');

function tempConfig(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-cli-'));
  const file = path.join(dir, 'ptc.yaml');
  writeFileSync(file, text);
  return file;
}

const BAD = [
  'account: "111122223333"',
  'region: eu-west-2',
  'rules:',
  '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/dh } }',
  '  - { prefix: k8s, upstream: kubernetes }',
  '',
].join('\n');

describe('ptc validate-config', () => {
  test('says a valid file is valid and exits 0', async () => {
    const io = recordingIo();
    expect(await run(['validate-config', EXAMPLE], io)).toBe(0);
    expect(io.out).toMatch(/example\.yaml: valid \(5 rules, 1 environments: prod-eu\)/);
  });

  test('names the field of an invalid file and exits 1 without a stack trace', async () => {
    const io = recordingIo();
    expect(await run(['validate-config', tempConfig(BAD)], io)).toBe(1);
    expect(io.err).toMatch(/^config error at rules\[1\]\.upstream: "kubernetes" is not a known upstream/);
    expect(io.err).not.toMatch(/\n\s+at /);
  });

  test('reads $PTC_CONFIG when no file is given', async () => {
    const io = recordingIo({ env: { PTC_CONFIG: EXAMPLE } });
    expect(await run(['validate-config'], io)).toBe(0);
  });

  test('says plainly when the file does not exist', async () => {
    const io = recordingIo();
    expect(await run(['validate-config', '/nonexistent/ptc.yaml'], io)).toBe(1);
    expect(io.err).toBe('config error: /nonexistent/ptc.yaml: file not found\n');
  });
});

describe('ptc plan', () => {
  test('prints each rule with its upstream URL, credentials and cache URI pattern', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--config', EXAMPLE], io)).toBe(0);
    expect(io.out).toContain('Environment prod-eu: stack PtcAutopilot-prod-eu, account 111122223333, region eu-west-2');
    expect(io.out).toContain('rule docker-hub <- docker-hub (registry-1.docker.io)');
    expect(io.out).toContain('pull from    111122223333.dkr.ecr.eu-west-2.amazonaws.com/docker-hub/...');
    expect(io.out).toContain('credentials  secret ecr-pullthroughcache/github (created with a placeholder)');
    expect(io.out).toMatch(/rule k8s <- k8s \(registry\.k8s\.io\)[\s\S]*?keep the newest 20 tagged images/);
  });

  test('--json prints the plan as JSON with the desired settings per prefix', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--config', EXAMPLE, '--json'], io)).toBe(0);
    const plan = JSON.parse(io.out);
    const k8s = plan.environments[0].rules.find((r: { prefix: string }) => r.prefix === 'k8s');
    expect(k8s).toMatchObject({
      upstreamRegistryUrl: 'registry.k8s.io',
      cacheUriPattern: '111122223333.dkr.ecr.eu-west-2.amazonaws.com/k8s/...',
      repositorySettings: { scanOnPush: true, tags: { team: 'platform', 'ptc-autopilot:managed': 'true' } },
    });
    expect(k8s.repositorySettings.lifecyclePolicy.rules[1].selection.countNumber).toBe(20);
  });

  test('an unknown option is a usage error', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--jsn'], io)).toBe(1);
    expect(io.err).toMatch(/unknown option '--jsn'/);
  });
});

describe('ptc plan: the reconciler triggers and the CloudTrail trail they need', () => {
  test('says the CreateRepository trigger needs a CloudTrail trail with management events in the Region, and which triggers work without one', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--config', EXAMPLE], io)).toBe(0);
    expect(io.out).toContain(
      '  reconciler runs on: a pull through cache action (first pull, sync) (aws.ecr / ECR Pull Through Cache Action); a successful push (aws.ecr / ECR Image Action, action-type PUSH); the drift sweep (schedule rate(1 day))',
    );
    expect(io.out).toContain(
      '    and on a repository is created (aws.ecr / AWS API Call via CloudTrail, eventName CreateRepository) only if a CloudTrail trail logs management write events in eu-west-2: ptc-autopilot creates none.',
    );
    expect(io.out).toContain(
      '    Without a trail, new repositories are configured on their first pull through cache event or push, and by the sweep at the latest.',
    );
  });

  test('--json marks exactly the CloudTrail trigger as needing a trail', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--config', EXAMPLE, '--json'], io)).toBe(0);
    const triggers = JSON.parse(io.out).environments[0].reconcilerTriggers as { event: string; needsCloudTrail: boolean }[];
    expect(triggers.filter((t) => t.needsCloudTrail).map((t) => t.event)).toEqual([
      'aws.ecr / AWS API Call via CloudTrail, eventName CreateRepository',
    ]);
  });

  test('the planned triggers are the EventBridge rules the stack deploys for the reconciler', () => {
    const config = loadConfig(EXAMPLE);
    const stack = buildApp(config, { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } }).stacks[0]!;
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map(
      (r) => r.Properties as { Description: string; EventPattern?: { 'detail-type'?: string[] }; ScheduleExpression?: string },
    );
    const reconciler = rules.filter((r) =>
      /configures? cache repositor|cache repository was created|pull through cache action on a repository|successful push|sweep every/.test(
        r.Description,
      ),
    );
    const deployed = reconciler
      .map((r) =>
        r.ScheduleExpression !== undefined ? `schedule ${r.ScheduleExpression}` : `aws.ecr / ${r.EventPattern!['detail-type']![0]}`,
      )
      .sort();
    const planned = buildPlan(config)
      .environments[0]!.reconcilerTriggers.map((t) => t.event.replace(/,.*$/, ''))
      .sort();
    expect(deployed).toEqual(planned);
    expect(reconciler.find((r) => r.EventPattern?.['detail-type']?.[0] === 'AWS API Call via CloudTrail')!.Description).toMatch(
      /fires only if a CloudTrail trail logs management events in this Region$/,
    );
  });
});

describe('the ptc binary and the CDK app', () => {
  test('bin/ptc.js runs the CLI and exits with its code', () => {
    const ok = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ptc.js'), 'validate-config', EXAMPLE], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    const bad = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ptc.js'), 'validate-config', tempConfig(BAD)], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^config error at rules\[1\]\.upstream/);
  });

  test('synth of a bad config exits 1 with the config error and no stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra', 'app.ts')], {
      encoding: 'utf8',
      cwd: ROOT,
      env: { ...process.env, PTC_CONFIG: tempConfig(BAD), CDK_CONTEXT_JSON: '{}' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/config error at rules\[1\]\.upstream: "kubernetes" is not a known upstream/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
