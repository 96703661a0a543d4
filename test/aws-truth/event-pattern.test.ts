import { InvalidPatternError, matchesPattern } from './event-pattern';

// Rule syntax from the table of the EventBridge User Guide, "Comparison operators for use in event
// patterns" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html);
// the events around them are ours, one that should match and one that should not.
describe('the EventBridge matcher follows the documented operators', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]> = [
    ['And', { Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Monday' }, { Location: 'New York', Day: 'Tuesday' }],
    ['Anything-but', { state: [{ 'anything-but': 'initializing' }] }, { state: 'running' }, { state: 'initializing' }],
    ['Anything-but (list)', { state: [{ 'anything-but': ['stopped', 'overloaded'] }] }, { state: 'running' }, { state: 'stopped' }],
    ['Anything-but (begins with)', { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'eu-west-2' }, { Region: 'us-east-1' }],
    ['Anything-but (ends with)', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.jpg' }, { FileName: 'a.png' }],
    [
      'Anything-but (ignore case)',
      { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      { state: 'running' },
      { state: 'INITIALIZING' },
    ],
    [
      'Anything-but using a wildcard',
      { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      { FilePath: '/usr/bin/x' },
      { FilePath: '/usr/lib/x' },
    ],
    ['Begins with', { Region: [{ prefix: 'us-' }] }, { Region: 'us-east-1' }, { Region: 'eu-west-2' }],
    [
      'Begins with (ignore case)',
      { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] },
      { service: 'EventBridge' },
      { service: 'lambda' },
    ],
    ['Empty', { LastName: [''] }, { LastName: '' }, { LastName: 'Doe' }],
    ['Equals', { Name: ['Alice'] }, { Name: 'Alice' }, { Name: 'alice' }],
    ['Equals (ignore case)', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, { Name: 'bob' }],
    ['Ends with', { FileName: [{ suffix: '.png' }] }, { FileName: 'a.png' }, { FileName: 'a.jpg' }],
    ['Exists', { ProductName: [{ exists: true }] }, { ProductName: 'x' }, { Other: 'x' }],
    ['Does not exist', { ProductName: [{ exists: false }] }, { Other: 'x' }, { ProductName: 'x' }],
    ['Null', { UserID: [null] }, { UserID: null }, { UserID: 'u' }],
    ['Numeric (range)', { Price: [{ numeric: ['>', 0, '<=', 5] }] }, { Price: 5 }, { Price: 6 }],
    ['IP address', { SourceIPAddress: [{ cidr: '10.0.0.0/24' }] }, { SourceIPAddress: '10.0.0.255' }, { SourceIPAddress: '10.0.1.0' }],
    ['Or (values)', { Location: ['New York', 'Boston'] }, { Location: 'Boston' }, { Location: 'Chicago' }],
    ['$or', { $or: [{ a: [1] }, { b: [2] }] }, { b: 2 }, { a: 2, b: 1 }],
    ['Wildcard', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/x.png' }, { FileName: 'other/x.png' }],
    ['Arrays: any element', { tags: ['prod'] }, { tags: ['dev', 'prod'] }, { tags: ['dev'] }],
    ['Nested objects', { detail: { state: ['running'] } }, { detail: { state: 'running' } }, { detail: 'running' }],
  ];

  test.each(cases)('%s', (_name, pattern, fires, quiet) => {
    expect(matchesPattern(pattern, fires)).toBe(true);
    expect(matchesPattern(pattern, quiet)).toBe(false);
  });

  test('anything-but and prefix need the field; only exists: false matches a missing one', () => {
    expect(matchesPattern({ state: [{ 'anything-but': 'SUCCESS' }] }, {})).toBe(false);
    expect(matchesPattern({ name: [{ prefix: 'k8s/' }] }, {})).toBe(false);
    expect(matchesPattern({ errorCode: [{ exists: false }] }, { other: 1 })).toBe(true);
  });

  test('a pattern EventBridge refuses is an error, not a silent miss', () => {
    expect(() => matchesPattern({ state: 'running' }, { state: 'running' })).toThrow(InvalidPatternError);
    expect(() => matchesPattern({ state: [{ bogus: 1 }] }, { state: 'running' })).toThrow(InvalidPatternError);
    expect(() => matchesPattern({ n: [{ numeric: ['>>', 1] }] }, { n: 2 })).toThrow(InvalidPatternError);
  });
});
