import { PtcError, parseConfig, primaryTarget } from '../../core';

const config = parseConfig({
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  environments: [
    { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
    { name: 'prod-us', account: '222233334444', region: 'us-east-1' },
  ],
});

describe('primaryTarget', () => {
  test('picks the named environment', () => {
    expect(primaryTarget(config, 'prod-us')).toMatchObject({ account: '222233334444', region: 'us-east-1', registryHost: '222233334444.dkr.ecr.us-east-1.amazonaws.com' });
  });

  test('without a name, picks the first environment', () => {
    expect(primaryTarget(config).name).toBe('prod-eu');
  });

  test('an unknown environment is a user error that lists the known ones', () => {
    expect(() => primaryTarget(config, 'prod-ap')).toThrow(PtcError);
    expect(() => primaryTarget(config, 'prod-ap')).toThrow('no environment named "prod-ap"; known: prod-eu, prod-us');
  });
});
