import { App } from 'aws-cdk-lib';
import { stringify } from 'yaml';
import { ConfigError, NodeConfigError, parseConfig, parseConfigText, type PtcConfig } from '../../core';
import { publishedNodeConfigIssues } from '../../core/config/node-config-limits';
import { buildApp } from '../../infra/build-app';

/** A config mirroring `n` Azure registries (each its own host, so each its own mirror entry). */
function azureRules(n: number): Record<string, unknown> {
  return {
    account: '111122223333',
    region: 'eu-west-2',
    rules: Array.from({ length: n }, (_, i) => ({
      prefix: `az${i}`,
      upstream: 'azure-container-registry',
      registryUrl: `team${i}registry.azurecr.io`,
      credentials: { secretName: `ecr-pullthroughcache/az${i}` },
    })),
  };
}

const synthesizes = (config: PtcConfig) => () => buildApp(config, { nag: false, app: new App() }).app.synth();

describe('node config documents must fit the SSM parameters each stack publishes them in', () => {
  test('a config whose documents fit reads and synthesizes', () => {
    const config = parseConfigText(stringify(azureRules(8)), 'ptc.yaml');
    expect(publishedNodeConfigIssues(config)).toEqual([]);
    expect(synthesizes(config)).not.toThrow();
  });

  test('one whose documents do not fit is a one-line config error at rules, where synth would stop with a NodeConfigError', () => {
    const raw = azureRules(12);
    let error: unknown;
    try {
      parseConfigText(stringify(raw), 'ptc.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^config error at rules: the al2023 node config the stack publishes would be \d+ bytes; an SSM parameter holds 8192/m,
    );
    expect(message).toContain('karpenter-al2023');
    // The object parser (no rendering) lets it through; the stack then cannot be built, which is what the check predicts.
    expect(synthesizes(parseConfig(raw))).toThrow(NodeConfigError);
  });

  test('with several environments the error names the environment', () => {
    const raw = {
      ...azureRules(12),
      account: undefined,
      region: undefined,
      environments: [
        { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
        { name: 'prod-us', account: '111122223333', region: 'us-east-1' },
      ],
    };
    delete (raw as Record<string, unknown>).account;
    delete (raw as Record<string, unknown>).region;
    const issues = publishedNodeConfigIssues(parseConfig(raw));
    expect(issues.map((i) => i.message.match(/environment "([^"]+)"/)?.[1])).toEqual(expect.arrayContaining(['prod-eu', 'prod-us']));
    expect(issues.every((i) => i.path.join('.') === 'rules')).toBe(true);
  });
});
