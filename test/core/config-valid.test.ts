import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig, parseConfig, parseConfigText, targets } from '../../core';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');

describe('the bundled example config', () => {
  const config = loadConfig(EXAMPLE);

  test('its commented-out replication and scanning example is valid once uncommented', () => {
    const uncommented = readFileSync(EXAMPLE, 'utf8').replace(/^# (replication:|  destinations:|    - |scanning:)/gm, '$1');
    const full = parseConfigText(uncommented, EXAMPLE);
    expect(full.replication?.destinations.map((d) => [d.region, d.account, d.prefixes])).toEqual([
      ['us-east-1', undefined, undefined],
      ['eu-west-1', '444455556666', ['k8s']],
    ]);
    expect(full.scanning).toEqual({ type: 'BASIC', frequency: 'SCAN_ON_PUSH' });
    expect(config.replication).toBeUndefined();
  });

  test('parses with the five rules of the issue, in order', () => {
    expect(config.rules.map((r) => [r.prefix, r.upstream])).toEqual([
      ['docker-hub', 'docker-hub'],
      ['github', 'github-container-registry'],
      ['k8s', 'k8s'],
      ['ecr', 'ecr-public'],
      ['quay', 'quay'],
    ]);
  });

  test('fills in defaults it leaves out', () => {
    expect(config.prewarm.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(config.prewarm.concurrency).toBe(8);
    expect(config.reconciler.sweepSchedule).toBe('rate(1 day)');
    expect(config.nodeRoleArns).toEqual([]);
  });

  test('yields one target per environment with the stack name and registry host', () => {
    expect(targets(config)).toEqual([
      {
        name: 'prod-eu',
        account: '111122223333',
        region: 'eu-west-2',
        stackName: 'PtcAutopilot-prod-eu',
        partition: 'aws',
        registryHost: '111122223333.dkr.ecr.eu-west-2.amazonaws.com',
      },
    ]);
  });
});

describe('accepted forms', () => {
  const minimal = { account: '111122223333', region: 'us-east-1', rules: [{ prefix: 'k8s', upstream: 'k8s' }] };

  test('a config without environments targets its top-level account and region', () => {
    expect(targets(parseConfig(minimal)).map((t) => t.stackName)).toEqual(['PtcAutopilot']);
  });

  test('every upstream of the catalogue can be configured', () => {
    const config = parseConfig({
      ...minimal,
      rules: [
        { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
        { prefix: 'ecr-public', upstream: 'ecr-public' },
        { prefix: 'k8s', upstream: 'k8s' },
        { prefix: 'quay', upstream: 'quay' },
        { prefix: 'github', upstream: 'github-container-registry', credentials: { secretName: 'ecr-pullthroughcache/github' } },
        {
          prefix: 'azure',
          upstream: 'azure-container-registry',
          registryUrl: 'myregistry.azurecr.io',
          credentials: { secretName: 'ecr-pullthroughcache/azure' },
        },
        {
          prefix: 'gitlab',
          upstream: 'gitlab-container-registry',
          credentials: { secretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/gitlab-AbCdEf' },
        },
        { prefix: 'chainguard', upstream: 'chainguard', credentials: { secretName: 'ecr-pullthroughcache/chainguard' } },
        {
          prefix: 'central',
          upstream: 'ecr',
          upstreamAccount: '999988887777',
          upstreamRegion: 'us-west-2',
          customRoleArn: 'arn:aws:iam::111122223333:role/ecr-ptc-central',
          upstreamRepositoryPrefix: 'prod',
        },
      ],
    });
    expect(config.rules).toHaveLength(9);
  });

  test('an unquoted 12-digit account ID is read as text', () => {
    expect(parseConfig({ ...minimal, account: 111122223333 }).account).toBe('111122223333');
  });

  test('cron expressions with six fields are accepted', () => {
    expect(parseConfig({ ...minimal, validation: { schedule: 'cron(0 */2 * * ? *)' } }).validation.schedule).toBe('cron(0 */2 * * ? *)');
  });
});
