import { parseConfig } from '../../core';
import { ReconcilerSettingsError } from '../../core/lambda-contracts/errors';
import {
  CONFIG_VARIABLE,
  CONFIG_VARIABLE_LIMIT,
  decodeConfig,
  encodeConfig,
  settingsFromEnv,
} from '../../core/lambda-contracts/reconcile-repository/settings';
import { reconcilerTestConfig } from './helpers';

const target = { account: '111122223333', region: 'eu-west-2' };

describe('reconciler settings in the Lambda environment', () => {
  test('a small config travels as plain JSON and comes back with the same desired-state inputs', () => {
    const config = reconcilerTestConfig();
    const value = encodeConfig(config, target);
    expect(value.startsWith('{')).toBe(true);
    const back = decodeConfig(value);
    expect(back.rules).toEqual(config.rules);
    expect(back.repositories).toEqual(config.repositories);
    expect(back.reconciler).toEqual(config.reconciler);
  });

  test("a large config (100 pull accounts, 40 tags) is gzipped to fit in Lambda's 4 KB and decodes the same", () => {
    const accounts = Array.from({ length: 100 }, (_, i) => String(100000000000 + i * 7919));
    const tags = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`cost-allocation-key-${i}`, `value-for-cost-allocation-${i}`]));
    const config = reconcilerTestConfig({ repositories: { pullAccounts: accounts, tags } });
    expect(JSON.stringify(config.repositories).length).toBeGreaterThan(3584);
    const value = encodeConfig(config, target);
    expect(value.startsWith('gzip:')).toBe(true);
    expect(value.length).toBeLessThanOrEqual(CONFIG_VARIABLE_LIMIT);
    expect(decodeConfig(value).repositories.pullAccounts).toEqual(accounts);
  });

  test('prewarm, validation and other settings stay out of the variable', () => {
    const config = parseConfig({
      ...JSON.parse(JSON.stringify(reconcilerTestConfig())),
      prewarm: { images: ['nginx:1.27'] },
      validation: { alarmEmail: 'ops@example.com' },
    });
    const value = encodeConfig(config, target);
    expect(value).not.toContain('nginx:1.27');
    expect(value).not.toContain('ops@example.com');
  });

  test('a missing or broken variable is named in the error', () => {
    expect(() => settingsFromEnv({})).toThrow(new ReconcilerSettingsError(CONFIG_VARIABLE, 'not set'));
    expect(() => decodeConfig('{"rules": [')).toThrow(/^environment variable PTC_RECONCILER_CONFIG: is not JSON/);
    expect(() => decodeConfig('{"account":"111122223333","region":"eu-west-2","rules":[]}')).toThrow(
      'environment variable PTC_RECONCILER_CONFIG: config error at rules: list at least one rule',
    );
  });

  test('the partition and the sweep concurrency come along', () => {
    const settings = settingsFromEnv({
      [CONFIG_VARIABLE]: encodeConfig(reconcilerTestConfig({ reconciler: { concurrency: 3 } }), target),
      PTC_PARTITION: 'aws-cn',
    });
    expect([settings.partition, settings.concurrency]).toEqual(['aws-cn', 3]);
  });
});
