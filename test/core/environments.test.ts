import { PtcError, parseConfig, primaryTarget } from '../../core';

const input = {
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  environments: [
    { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
    { name: 'prod-us', account: '222233334444', region: 'us-east-1' },
  ],
};
const config = parseConfig(input);

describe('primaryTarget', () => {
  test('picks the named environment', () => {
    expect(primaryTarget(config, 'prod-us')).toMatchObject({
      account: '222233334444',
      region: 'us-east-1',
      registryHost: '222233334444.dkr.ecr.us-east-1.amazonaws.com',
    });
  });

  test('without a name, refuses to guess among several environments', () => {
    expect(() => primaryTarget(config)).toThrow('the config lists 2 environments (prod-eu, prod-us); choose one with --environment NAME');
  });

  test('without a name, picks the environment the top-level account and region name, or the only one', () => {
    expect(primaryTarget(parseConfig({ ...input, account: '222233334444', region: 'us-east-1' })).name).toBe('prod-us');
    expect(primaryTarget(parseConfig({ ...input, environments: [input.environments[1]] })).name).toBe('prod-us');
  });

  test('an unknown environment is a user error that lists the known ones', () => {
    expect(() => primaryTarget(config, 'prod-ap')).toThrow(PtcError);
    expect(() => primaryTarget(config, 'prod-ap')).toThrow('no environment named "prod-ap"; known: prod-eu, prod-us');
  });
});
