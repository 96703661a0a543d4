import { ECR_DOCUMENTED_PREFIX_PATTERN, PREFIX_PATTERN, parseConfig, prefixProblem } from '../../core';
import { issuesOf } from './issues-of';

/** Every string over `alphabet` of length 1 to `max`. */
function* strings(alphabet: readonly string[], max: number): Generator<string> {
  let layer = [''];
  for (let n = 1; n <= max; n++) {
    const next: string[] = [];
    for (const s of layer) for (const c of alphabet) next.push(s + c);
    yield* next;
    layer = next;
  }
}

const withPrefix = (prefix: string) => ({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix, upstream: 'k8s' }] });

describe('rule prefixes follow the pattern the ECR API reference documents', () => {
  const documented = new RegExp(ECR_DOCUMENTED_PREFIX_PATTERN);

  test('the documented pattern is quoted verbatim', () => {
    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PullThroughCacheRule.html (ecrRepositoryPrefix)
    expect(ECR_DOCUMENTED_PREFIX_PATTERN).toBe(
      String.raw`^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$`,
    );
  });

  test('on every string of up to 6 characters, ours accepts exactly what ECR accepts, less ROOT and a trailing "/"', () => {
    let accepted = 0;
    const disagreements: string[] = [];
    for (const s of strings(['a', '1', '.', '_', '-', '/', 'A'], 6)) {
      const ecr = documented.test(s) && s !== 'ROOT' && !s.endsWith('/');
      if (PREFIX_PATTERN.test(s) !== ecr) disagreements.push(s);
      if (ecr) accepted++;
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBeGreaterThan(1000);
  });

  test.each(['a__b', 'a--b', 'a---b', 'team/a__b-c', 'a.b_c-d', 'k8s'])('accepts %s, as ECR does', (prefix) => {
    expect(prefixProblem(prefix)).toBeUndefined();
    expect(() => parseConfig(withPrefix(prefix))).not.toThrow();
  });

  test.each(['a___b', 'a._b', '-ab', 'ab-', 'a//b', 'Ab'])('refuses %s, as ECR does', (prefix) => {
    expect(issuesOf(withPrefix(prefix))).toEqual([
      { path: 'rules[0].prefix', message: expect.stringContaining("does not match ECR's prefix pattern") },
    ]);
  });

  test('a trailing "/" that ECR would accept is refused with the prefix to write instead', () => {
    expect(issuesOf(withPrefix('team/'))).toEqual([
      { path: 'rules[0].prefix', message: expect.stringContaining('write it without the trailing "/" ("team")') },
    ]);
  });

  test('a megabyte-long prefix gives an error line of bounded length', () => {
    const [issue] = issuesOf(withPrefix('a'.repeat(1_000_000)));
    expect(issue!.message).toMatch(/characters\)" must be 2 to 30 characters long/);
    expect(issue!.message.length).toBeLessThan(300);
  });
});

describe('KMS keys are key ARNs', () => {
  const key = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const withSecretsKey = (secretsKmsKeyArn: string) => ({ ...withPrefix('k8s'), secretsKmsKeyArn });
  const withRepositoryKey = (kmsKeyArn: string) => ({ ...withPrefix('k8s'), repositories: { encryption: { type: 'KMS', kmsKeyArn } } });

  test('a key ARN and a multi-Region key ARN are accepted', () => {
    expect(() => parseConfig(withSecretsKey(key))).not.toThrow();
    expect(() =>
      parseConfig(withRepositoryKey('arn:aws:kms:eu-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab')),
    ).not.toThrow();
  });

  test.each([
    ['an alias ARN', 'arn:aws:kms:eu-west-2:111122223333:alias/ptc'],
    ['an alias name', 'alias/ptc'],
  ])('%s is refused because IAM statements never match an alias', (_name, value) => {
    for (const [input, path] of [
      [withSecretsKey(value), 'secretsKmsKeyArn'],
      [withRepositoryKey(value), 'repositories.encryption.kmsKeyArn'],
    ] as const) {
      const issues = issuesOf(input);
      expect(issues).toEqual([{ path, message: expect.stringContaining('is an alias; give the key ARN') }]);
      expect(issues[0]!.message).toContain('IAM policy statements identify a KMS key only by its key ARN, never by an alias');
      expect(issues[0]!.message).toContain('aws kms describe-key --key-id alias/ptc');
    }
  });

  test.each([
    ['a bare key ID', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a key ID that is no UUID', 'arn:aws:kms:eu-west-2:111122223333:key/my-key'],
    ['a truncated account', 'arn:aws:kms:eu-west-2:11112222:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
  ])('%s is refused', (_name, value) => {
    expect(issuesOf(withSecretsKey(value))).toEqual([
      { path: 'secretsKmsKeyArn', message: expect.stringContaining('must be a KMS key ARN') },
    ]);
  });
});
