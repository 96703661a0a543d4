/**
 * Issue 10, item 10: the platform manifests of a cached multi-arch tag are untagged images, and
 * ECR's lifecycle documentation does not say an untagged rule spares what a kept image index
 * references (evidence in docs/reconciler.md, "Lifecycle and multi-arch images"). So by default no
 * lifecycle rule selects untagged images, in the creation templates, the reconciler's desired
 * state and the plan alike; an explicit untaggedExpireDays keeps its rule and the plan warns.
 */
import { Template } from 'aws-cdk-lib/assertions';
import {
  buildPlan,
  canonicalJson,
  desiredState,
  lifecyclePolicy,
  parseConfig,
  planLifecyclePolicy,
  renderPlan,
  type PtcConfig,
} from '../../core';
import { buildApp } from '../../infra/build-app';

const bare = parseConfig({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [
    { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
    { prefix: 'k8s', upstream: 'k8s' },
  ],
});
const optedIn = parseConfig({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [
    { prefix: 'k8s', upstream: 'k8s' },
    { prefix: 'quay', upstream: 'quay' },
  ],
  repositories: { overrides: [{ prefix: 'quay', lifecycle: { untaggedExpireDays: 3 } }] },
});

type Selection = { tagStatus: string; countType: string; countNumber: number };
const selections = (config: PtcConfig, repository: string): Selection[] => {
  const state = desiredState(config, repository);
  if (!state.managed) throw new Error(`${repository} is not managed`);
  return state.lifecyclePolicy.rules.map((r) => r.selection);
};

describe('the default lifecycle policy and multi-arch images', () => {
  test('selects no untagged image: only the newest 100 tagged images are kept, so no platform manifest of a kept index expires', () => {
    expect(selections(bare, 'docker-hub/library/nginx')).toEqual([
      { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 100 },
    ]);
    expect(selections(bare, 'docker-hub/library/nginx').some((s) => s.tagStatus !== 'tagged')).toBe(false);
  });

  test('the repository creation templates are born with the same single tagged rule', () => {
    const template = Template.fromStack(
      buildApp(bare, { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } }).stacks[0]!,
    );
    const templates = Object.values(template.findResources('AWS::ECR::RepositoryCreationTemplate'));
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) {
      const rules = (JSON.parse(t.Properties.LifecyclePolicy as string) as { rules: { selection: Selection }[] }).rules;
      expect(rules.map((r) => r.selection.tagStatus)).toEqual(['tagged']);
    }
  });

  test('an explicit untaggedExpireDays keeps its rule, for that prefix only', () => {
    expect(selections(optedIn, 'quay/org/app').map((s) => [s.tagStatus, s.countNumber])).toEqual([
      ['untagged', 3],
      ['tagged', 100],
    ]);
    expect(selections(optedIn, 'k8s/pause').map((s) => s.tagStatus)).toEqual(['tagged']);
  });

  test('ptc plan says untagged images are kept by default, and warns where a rule may expire the platform manifests of a kept tag', () => {
    const plan = buildPlan(optedIn);
    const [k8s, quay] = plan.environments[0]!.rules;
    expect(k8s!.untaggedImages).toMatch(
      /^kept \(no untagged rule\): the platform manifests of a cached multi-arch tag are untagged images/,
    );
    expect(quay!.untaggedImages).toMatch(
      /^expire 3 days after push, which can include the platform manifests of a multi-arch tag that is still kept/,
    );
    const text = renderPlan(plan);
    expect(text).toMatch(
      /rule k8s <- k8s[\s\S]*?lifecycle    keep the newest 100 tagged images\n    untagged     kept \(no untagged rule\)/,
    );
    expect(text).toMatch(
      /rule quay <- quay[\s\S]*?lifecycle    expire untagged images after 3 days; keep the newest 100 tagged images\n    untagged     expire 3 days after push/,
    );
  });

  test('a repository still carrying the old 7-day untagged rule of ours is given the new policy', () => {
    const old = canonicalJson(lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 100 }));
    const state = desiredState(bare, 'k8s/pause');
    if (!state.managed) throw new Error('k8s/pause is not managed');
    expect(planLifecyclePolicy(old, state.lifecyclePolicy)).toEqual({ action: 'put', policyText: canonicalJson(state.lifecyclePolicy) });
  });
});
