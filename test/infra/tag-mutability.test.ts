/**
 * Tag mutability exclusion filters in the creation templates: `ImageTagMutability` and
 * `ImageTagMutabilityExclusionFilters` with CloudFormation's property names
 * (AWS::ECR::RepositoryCreationTemplate, test/fixtures/cfn-schemas), only where the config sets them.
 */
import { everyFeatureTwoEnvironments, fullConfig, templateOf } from './helpers';

type TemplateProps = { Prefix: string; ImageTagMutability?: string; ImageTagMutabilityExclusionFilters?: unknown };
const templatesOf = (config: Parameters<typeof templateOf>[0]) =>
  Object.fromEntries(
    Object.values(templateOf(config).findResources('AWS::ECR::RepositoryCreationTemplate'))
      .map((r) => r.Properties as TemplateProps)
      .map((p) => [p.Prefix, p]),
  );

describe('creation templates', () => {
  const templates = templatesOf(everyFeatureTwoEnvironments());

  test("carry the override's exclusion filters as WILDCARD filters, in config order", () => {
    expect(templates.github).toMatchObject({
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'v*-rc*' },
      ],
    });
  });

  test('of the other prefixes have no filters', () => {
    expect(templates.k8s!.ImageTagMutability).toBe('IMMUTABLE');
    for (const [prefix, props] of Object.entries(templates)) {
      if (prefix !== 'github')
        expect({ prefix, filters: props.ImageTagMutabilityExclusionFilters }).toEqual({ prefix, filters: undefined });
    }
  });

  test('a base MUTABLE_WITH_EXCLUSION reaches every prefix without an override of its own', () => {
    const base = fullConfig();
    const config = fullConfig({
      repositories: { ...base.repositories, imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: ['prod-*'] },
    });
    const all = templatesOf(config);
    const own = new Set((config.repositories.overrides ?? []).filter((o) => o.imageTagMutability !== undefined).map((o) => o.prefix));
    const inherited = Object.values(all).filter((p) => !own.has(p.Prefix));
    expect(inherited.length).toBeGreaterThan(0);
    for (const p of inherited) {
      expect(p).toMatchObject({
        ImageTagMutability: 'MUTABLE_WITH_EXCLUSION',
        ImageTagMutabilityExclusionFilters: [
          { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'prod-*' },
        ],
      });
    }
  });
});
