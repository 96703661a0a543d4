import { ConfigError, parseConfig } from '../../core';

/** The issues `parseConfig` reports for `input`; fails the test when the config is accepted. */
export function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected the config to be rejected');
}
