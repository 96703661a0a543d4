/**
 * `repositories.imageTagMutability` with ECR's exclusion values and
 * `imageTagMutabilityExclusionFilters`: accepted with ECR's limits
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html:
 * 1 to 128 characters of `[0-9a-zA-Z._*-]`; at most 5 filters, `maxItems` in the CloudFormation schema),
 * refused with one line naming the field otherwise, and carried per prefix into the desired state.
 */
import { buildPlan, parseConfig, renderPlan } from '../../core';
import { desiredStateForPrefix } from '../../core/policy/desired-state';
import { issuesOf } from './issues-of';

const config = (repositories: Record<string, unknown>) => ({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [
    { prefix: 'k8s', upstream: 'k8s' },
    { prefix: 'quay', upstream: 'quay' },
  ],
  repositories,
});

describe('accepted', () => {
  test.each([
    ['IMMUTABLE_WITH_EXCLUSION', ['latest']],
    ['MUTABLE_WITH_EXCLUSION', ['v1.*', 'release_2', '*-rc*', 'a'.repeat(128), 'x']],
  ])('%s with %j', (imageTagMutability, imageTagMutabilityExclusionFilters) => {
    const parsed = parseConfig(config({ imageTagMutability, imageTagMutabilityExclusionFilters }));
    expect(desiredStateForPrefix(parsed, 'k8s')).toMatchObject({ imageTagMutability, imageTagMutabilityExclusionFilters });
  });

  test("an override's mutability replaces the base's together with its filters", () => {
    const parsed = parseConfig(
      config({
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: ['latest'],
        overrides: [{ prefix: 'quay', imageTagMutability: 'IMMUTABLE' }],
      }),
    );
    expect(desiredStateForPrefix(parsed, 'k8s')).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: ['latest'],
    });
    expect(desiredStateForPrefix(parsed, 'quay')).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      imageTagMutabilityExclusionFilters: [],
    });
  });
});

describe('refused with one line naming the field', () => {
  test.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'a *_WITH_EXCLUSION value without filters',
      { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' },
      'repositories.imageTagMutabilityExclusionFilters',
      /^required with imageTagMutability "IMMUTABLE_WITH_EXCLUSION"/,
    ],
    [
      'filters with IMMUTABLE',
      { imageTagMutability: 'IMMUTABLE', imageTagMutabilityExclusionFilters: ['latest'] },
      'repositories.imageTagMutabilityExclusionFilters',
      /goes with imageTagMutability "IMMUTABLE_WITH_EXCLUSION" or "MUTABLE_WITH_EXCLUSION" .* not "IMMUTABLE"/,
    ],
    [
      'filters without any mutability',
      { imageTagMutabilityExclusionFilters: ['latest'] },
      'repositories.imageTagMutabilityExclusionFilters',
      /not an unset one/,
    ],
    [
      'filters in an override whose mutability is unset',
      { overrides: [{ prefix: 'k8s', imageTagMutabilityExclusionFilters: ['latest'] }] },
      'repositories.overrides[0].imageTagMutabilityExclusionFilters',
      /goes with imageTagMutability/,
    ],
    [
      'an unknown mutability',
      { imageTagMutability: 'immutable' },
      'repositories.imageTagMutability',
      /must be one of "MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"/,
    ],
    [
      'an empty list',
      { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [] },
      'repositories.imageTagMutabilityExclusionFilters',
      /at least 1 pattern/,
    ],
    [
      'six filters',
      { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: ['a', 'b', 'c', 'd', 'e', 'f'] },
      'repositories.imageTagMutabilityExclusionFilters',
      /at most 5 patterns/,
    ],
    [
      'a pattern of 129 characters',
      { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: ['a'.repeat(129)] },
      'repositories.imageTagMutabilityExclusionFilters[0]',
      /at most 128 characters, got 129/,
    ],
    [
      'a pattern with a slash',
      { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: ['latest', 'feature/x'] },
      'repositories.imageTagMutabilityExclusionFilters[1]',
      /may contain only letters, digits/,
    ],
    [
      'an empty pattern',
      { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [''] },
      'repositories.imageTagMutabilityExclusionFilters[0]',
      /must not be empty/,
    ],
  ])('%s', (_name, repositories, path, message) => {
    const issues = issuesOf(config(repositories));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(path);
    expect(issues[0]!.message).toMatch(message);
    expect(issues[0]!.message).not.toContain('\n');
  });
});

describe('ptc plan', () => {
  test('says per prefix which cached tags the 24-hour refresh can still move', () => {
    const text = renderPlan(
      buildPlan(
        parseConfig(
          config({
            imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
            imageTagMutabilityExclusionFilters: ['latest', 'stable'],
            overrides: [{ prefix: 'quay', imageTagMutability: 'MUTABLE' }],
          }),
        ),
      ),
    );
    expect(text).toMatch(
      /rule k8s <- k8s[\s\S]*?tags IMMUTABLE_WITH_EXCLUSION, encryption AES256\n {4}tag refresh {2}tags matching latest, stable follow the upstream; every other cached tag stays on its first image\n/,
    );
    expect(text).toMatch(/rule quay <- quay[\s\S]*?tags MUTABLE, encryption AES256\n(?! {4}tag refresh)/);
  });
});
