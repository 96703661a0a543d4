import { decodeRules, encodeRules, RULES_VARIABLE_LIMIT } from '../../core/lambda-contracts/validate-rules/settings';
import { validationConfig } from './helpers';

const target = { account: '111122223333', region: 'eu-west-2' };

describe('validation settings', () => {
  test('the rules survive the trip through the environment', () => {
    const rules = validationConfig().rules;
    expect(decodeRules(encodeRules(rules, target))).toEqual(rules);
  });

  test('many rules are compressed to fit the Lambda environment', () => {
    // ECR allows 50 rules per registry; 40 long prefixes still pass the 2 KB above which the value is gzipped.
    const extra = Array.from({ length: 40 }, (_, i) => ({ prefix: `team-number-with-long-name-${i}`, upstream: 'quay' }));
    const rules = validationConfig(extra).rules;
    const value = encodeRules(rules, target);
    expect(value.startsWith('gzip:')).toBe(true);
    expect(value.length).toBeLessThanOrEqual(RULES_VARIABLE_LIMIT);
    expect(decodeRules(value)).toEqual(rules);
  });

  test('a missing or broken variable names the variable', () => {
    expect(() => decodeRules(undefined)).toThrow('environment variable PTC_VALIDATION_RULES: not set');
    expect(() => decodeRules('{"rules": [')).toThrow(/^environment variable PTC_VALIDATION_RULES: is not \(gzipped\) JSON/);
    expect(() => decodeRules('{"account":"111122223333","region":"eu-west-2","rules":[]}')).toThrow(
      /PTC_VALIDATION_RULES: config error at rules/,
    );
  });
});
