import { parseConfig, parseConfigText } from '../../core';
import { issuesOf } from './issues-of';

const rules = [
  { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
  { prefix: 'k8s', upstream: 'k8s' },
];

const single = (images: string[]) => ({ account: '111122223333', region: 'eu-west-2', rules, prewarm: { images } });

describe('prewarm.images are checked when the config is read', () => {
  test('covered references, and a reference by its cache URI, are accepted', () => {
    expect(() =>
      parseConfig(single(['nginx:1.27', 'registry.k8s.io/pause:3.9', '111122223333.dkr.ecr.eu-west-2.amazonaws.com/k8s/pause:3.9'])),
    ).not.toThrow();
  });

  test('an invalid reference is an error naming its index and the reason', () => {
    expect(issuesOf(single(['nginx:1.27', 'Nginx/App:1', 'nginx:']))).toEqual([
      { path: 'prewarm.images[1]', message: '"Nginx/App:1" is not a valid image reference: repository path must be lower case ("App")' },
      { path: 'prewarm.images[2]', message: '"nginx:" is not a valid image reference: empty tag after ":"' },
    ]);
  });

  test('a reference no rule covers is an error naming the registry', () => {
    expect(issuesOf(single(['ghcr.io/org/app:v1']))).toEqual([
      {
        path: 'prewarm.images[0]',
        message:
          'no pull through cache rule covers "ghcr.io", so prewarm cannot fetch "ghcr.io/org/app:v1" through the cache; add a rule for that registry or remove the image',
      },
    ]);
  });

  test("one environment's cache URI is uncovered in the other environment, which is named", () => {
    const input = {
      rules,
      environments: [
        { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
        { name: 'prod-us', account: '111122223333', region: 'us-east-1' },
      ],
      prewarm: { images: ['111122223333.dkr.ecr.eu-west-2.amazonaws.com/k8s/pause:3.9'] },
    };
    expect(issuesOf(input)).toEqual([{ path: 'prewarm.images[0]', message: expect.stringContaining('in environment "prod-us"') }]);
  });

  test('a huge reference gives a bounded error line', () => {
    const [issue] = issuesOf(single([`nginx:${'x'.repeat(1_000_000)}`]));
    expect(issue!.path).toBe('prewarm.images[0]');
    expect(issue!.message.length).toBeLessThan(400);
  });

  test('the YAML reader reports the line of the bad image', () => {
    const text = [
      'account: "111122223333"',
      'region: eu-west-2',
      'rules: [{ prefix: k8s, upstream: k8s }]',
      'prewarm:',
      '  images:',
      '    - registry.k8s.io/pause:3.9',
      '    - quay.io/x/y:1',
    ].join('\n');
    expect(() => parseConfigText(text)).toThrow(
      'config error at prewarm.images[1]: no pull through cache rule covers "quay.io", so prewarm cannot fetch "quay.io/x/y:1" through the cache; add a rule for that registry or remove the image (line 7)',
    );
  });
});
