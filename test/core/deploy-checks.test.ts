import { ConfigError, deployLimitIssues, parseConfig, parseConfigText, targets } from '../../core';
import { issuesOf } from './issues-of';

const base = () => ({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }] as Record<string, unknown>[],
});

/** A deterministic stream of letters and digits gzip cannot squeeze (an LCG, seeded). */
function noise(seed: number, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}

describe('the validation schedule runs at least daily, as the rule alarms expect', () => {
  test.each(['rate(1 day)', 'rate(6 hours)', 'cron(0 3 * * ? *)', 'cron(0/30 * ? * * *)'])('%s is accepted', (schedule) => {
    expect(() => parseConfig({ ...base(), validation: { schedule } })).not.toThrow();
  });

  test.each(['rate(2 days)', 'rate(25 hours)', 'cron(0 3 ? * MON *)', 'cron(0 3 1 * ? *)'])(
    '%s is refused at validation.schedule',
    (schedule) => {
      expect(issuesOf({ ...base(), validation: { schedule } })).toEqual([
        { path: 'validation.schedule', message: expect.stringContaining('runs less than once a day') },
      ]);
    },
  );

  test('the prewarm and sweep schedules may run less often', () => {
    expect(() =>
      parseConfig({ ...base(), reconciler: { sweepSchedule: 'rate(7 days)' }, prewarm: { schedule: 'cron(0 3 ? * MON *)' } }),
    ).not.toThrow();
  });
});

describe('cron fields are in the ranges the EventBridge User Guide documents', () => {
  test.each([
    'cron(0 10 * * ? *)',
    'cron(15 12 * * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 LW * ? *)',
    'cron(0 0 15W * ? *)',
    'cron(0 0 ? * 6L 2030-2035)',
    'cron(0 0 1 JAN,JUL ? *)',
  ])('%s is accepted', (schedule) => {
    expect(() => parseConfig({ ...base(), prewarm: { schedule } })).not.toThrow();
  });

  test.each([
    ['cron(60 3 * * ? *)', 'minutes value 60 is out of range 0-59'],
    ['cron(0 24 * * ? *)', 'hours value 24 is out of range 0-23'],
    ['cron(0 3 32 * ? *)', 'day-of-month value 32 is out of range 1-31'],
    ['cron(0 3 0 * ? *)', 'day-of-month value 0 is out of range 1-31'],
    ['cron(0 3 ? 13 MON *)', 'month value 13 is out of range 1-12'],
    ['cron(0 3 ? * 8 *)', 'day-of-week value 8 is out of range 1-7'],
    ['cron(0 3 * * ? 2200)', 'year value 2200 is out of range 1970-2199'],
    ['cron(0 3 ? * FUNDAY *)', 'day-of-week value "FUNDAY" is not a number or one of SUN-SAT'],
    ['cron(0/0 3 * * ? *)', 'minutes increment "0" must be a whole number of at least 1'],
    ['cron(0 3 ? * MON/2 *)', 'day-of-week does not take "/"'],
    ['cron(0 ? * * ? *)', 'hours does not take "?"'],
    ['cron(0 3 ? * 2#6 *)', 'day-of-week "#" takes an occurrence from 1 to 5'],
    ['cron(0 3 ? * ? *)', 'day-of-month and day-of-week are both "?"; one of them must name the days (such as "*")'],
  ])('%s is refused: %s', (schedule, reason) => {
    expect(issuesOf({ ...base(), prewarm: { schedule } })).toEqual([{ path: 'prewarm.schedule', message: `"${schedule}": ${reason}` }]);
  });
});

describe("ECR's quota of 50 pull through cache rules per registry", () => {
  const rules = (n: number) => Array.from({ length: n }, (_, i) => ({ prefix: `team-${i}`, upstream: 'k8s' }));

  test('50 rules are accepted, 51 are one error at rules', () => {
    expect(() => parseConfig({ ...base(), rules: rules(50) })).not.toThrow();
    expect(issuesOf({ ...base(), rules: rules(51) })).toEqual([
      {
        path: 'rules',
        message: 'at most 50 rules: ECR allows 50 pull through cache rules per registry, a quota it does not raise; got 51',
      },
    ]);
  });

  test('20,000 rules give that one error, not one per pair of rules', () => {
    expect(issuesOf({ ...base(), rules: rules(20_000) })).toEqual([{ path: 'rules', message: expect.stringContaining('got 20000') }]);
  });
});

describe('tags are what ECR accepts, counted in characters as ECR counts them', () => {
  const withTags = (tags: Record<string, unknown>) => ({ ...base(), repositories: { tags } });

  test.each([
    ['a newline', 'a\nb'],
    ['angle brackets', '<script>'],
    ['a comma', 'a,b'],
  ])('a value with %s is refused at its key', (_name, value) => {
    expect(issuesOf(withTags({ team: value }))).toEqual([
      { path: 'repositories.tags.team', message: expect.stringContaining('may contain only letters, digits, spaces and _.:/=+-@') },
    ]);
  });

  test('a value of 256 letters outside the BMP (two UTF-16 units each) is 256 characters and accepted; 257 are refused', () => {
    expect(() => parseConfig(withTags({ mood: '\u{1D49C}'.repeat(256) }))).not.toThrow();
    expect(issuesOf(withTags({ mood: '\u{1D49C}'.repeat(257) }))).toEqual([
      { path: 'repositories.tags.mood', message: expect.stringContaining('at most 256 characters long, it has 257') },
    ]);
  });

  test('a key of 128 such letters is accepted; 129 are refused', () => {
    expect(() => parseConfig(withTags({ ['\u{1D49C}'.repeat(128)]: 'x' }))).not.toThrow();
    expect(issuesOf(withTags({ ['\u{1D49C}'.repeat(129)]: 'x' }))[0]!.message).toContain('must be 1 to 128 characters long, it has 129');
  });

  test('a "__proto__" key is refused explicitly, from JSON and from YAML, never dropped', () => {
    expect(
      issuesOf(
        JSON.parse(
          '{"account":"111122223333","region":"eu-west-2","rules":[{"prefix":"k8s","upstream":"k8s"}],"repositories":{"tags":{"__proto__":"x","team":"a"}}}',
        ),
      ),
    ).toEqual([{ path: 'repositories.tags.__proto__', message: expect.stringContaining('tag key "__proto__" is refused') }]);
    const yaml = [
      'account: "111122223333"',
      'region: eu-west-2',
      'rules: [{ prefix: k8s, upstream: k8s }]',
      'repositories:',
      '  overrides:',
      '    - prefix: k8s',
      '      tags: { __proto__: x }',
    ].join('\n');
    expect(() => parseConfigText(yaml)).toThrow(
      /^config error at repositories\.overrides\[0\]\.tags\.__proto__: tag key "__proto__" is refused/,
    );
  });
});

describe('YAML that would exhaust memory is refused in one line', () => {
  test('an alias bomb ("billion laughs") is a config error, not a ReferenceError', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, prev] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
      ['g', 'f'],
      ['h', 'g'],
    ])
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    let error: unknown;
    try {
      parseConfigText(lines.join('\n'), 'bomb.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^config error: invalid YAML: its aliases would expand by \d+ nodes, beyond 100000 /);
    expect((error as ConfigError).message.split('\n')).toHaveLength(1);
  });

  test('one anchor reused 150 times is legitimate reuse, not an alias bomb', () => {
    const lines = ['rules: [{ prefix: k8s, upstream: k8s }]', 'environments:'];
    for (let i = 0; i < 150; i++)
      lines.push(
        `  - { name: env${i}, account: "${111122220000 + i}", region: ${i === 0 ? '&region ' : '*'}${i === 0 ? 'eu-west-2' : 'region'} }`,
      );
    const config = parseConfigText(lines.join('\n'), 'reuse.yaml');
    expect(config.environments?.filter((e) => e.region === 'eu-west-2')).toHaveLength(150);
  });

  test('an alias inside its own anchor is refused as endless, in one line', () => {
    expect(() => parseConfigText('a: &x [1, *x]\n', 'loop.yaml')).toThrow(
      /^config error: invalid YAML: its aliases would expand endlessly \(an alias inside its own anchor\)/,
    );
  });

  test('a config longer than 4 Mi characters is refused before parsing', () => {
    expect(() => parseConfigText(`# ${'x'.repeat(4 * 1024 * 1024)}\n`, 'big.yaml')).toThrow(
      /^config error: big\.yaml has 4194307 characters; a config holds at most 4194304$/,
    );
  });
});

describe("Lambda's 4 KB of environment variables", () => {
  test('repository tags too large for the reconciler Lambda are an error at repositories', () => {
    const tags = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}-${noise(i, 40)}`, noise(1000 + i, 200)]));
    expect(issuesOf({ ...base(), repositories: { tags } })).toEqual([
      {
        path: 'repositories',
        message: expect.stringMatching(
          /^the reconcile-repository Lambda would get \d+ bytes of environment variables .* Lambda allows 4096 in all .*: shorten tags, account lists or overrides$/,
        ),
      },
    ]);
  });

  test('prewarm images too many for the prewarm Lambda are an error at prewarm.images', () => {
    const images = Array.from({ length: 120 }, (_, i) => `registry.k8s.io/${noise(i, 30)}:v${i}`);
    expect(issuesOf({ ...base(), prewarm: { images } })).toEqual([
      { path: 'prewarm.images', message: expect.stringContaining('the prewarm Lambda would get') },
    ]);
  });
});

describe("CloudFormation's 500 resources per stack", () => {
  test('a stack over the limit is an error naming the environment', () => {
    const config = parseConfig({
      ...base(),
      environments: [
        { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
        { name: 'prod-us', account: '111122223333', region: 'us-east-1' },
      ],
    });
    expect(targets(config)).toHaveLength(2);
    expect(deployLimitIssues(config, 51)).toEqual([
      {
        path: ['rules'],
        message:
          'the stack of environment "prod-eu" would hold 52 CloudFormation resources; a stack holds at most 51: use fewer rules, or split them across configs',
      },
      {
        path: ['rules'],
        message:
          'the stack of environment "prod-us" would hold 52 CloudFormation resources; a stack holds at most 51: use fewer rules, or split them across configs',
      },
    ]);
    expect(deployLimitIssues(config)).toEqual([]);
  });
});
