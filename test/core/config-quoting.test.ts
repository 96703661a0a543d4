import { ConfigError, parseConfig, parseConfigText } from '../../core';

const huge = `x${'y'.repeat(1_000_000)}\n\u0000`;
const base = () => ({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }] as Record<string, unknown>[],
});

function messagesOf(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected the config to be rejected');
}

describe('config errors quote values capped and escaped, one line each', () => {
  test.each([
    ['an upstream', (c: Record<string, any>) => (c.rules[0].upstream = huge)],
    ['a prefix', (c: Record<string, any>) => (c.rules[0].prefix = huge)],
    ['an account ID', (c: Record<string, any>) => (c.account = huge)],
    ['a region', (c: Record<string, any>) => (c.region = huge)],
    ['an unknown key', (c: Record<string, any>) => (c[huge] = 1)],
    [
      'a secret name',
      (c: Record<string, any>) => c.rules.push({ prefix: 'hub', upstream: 'docker-hub', credentials: { secretName: huge } }),
    ],
    ['a KMS key ARN', (c: Record<string, any>) => (c.secretsKmsKeyArn = huge)],
    ['a tag value', (c: Record<string, any>) => (c.repositories = { tags: { team: huge } })],
    ['a schedule', (c: Record<string, any>) => (c.prewarm = { schedule: huge })],
  ])('a megabyte-long %s with a newline and a NUL', (_name, mutate) => {
    const config = base();
    mutate(config);
    const lines = messagesOf(config);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.length).toBeLessThan(700);
      expect(line).not.toContain('\u0000');
    }
  });

  test('the YAML reader keeps each issue on its line too', () => {
    expect(() => parseConfigText(`account: "111122223333"\nregion: eu-west-2\nrules: [{ prefix: "k8s\\nEVIL", upstream: k8s }]\n`)).toThrow(
      /^config error at rules\[0\]\.prefix: "k8s\\nEVIL" does not match/,
    );
  });
});
