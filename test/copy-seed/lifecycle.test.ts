/**
 * The seed lifecycle rule: a prefix whose rule lists seeds gets, first of all, a rule that keeps
 * every `ptc-seed-*` tagged image; every other prefix keeps the policy it had. The generated policy
 * is checked against the constraints AWS documents for lifecycle policies, and evaluated over a
 * sample repository with an evaluator written from AWS's published evaluation rules
 * (./lifecycle-sim.ts): a seeded digest survives the untagged rule and keepLastTagged, and without
 * the seed rule (or without its tag) it would not.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { canonicalJson, desiredState, lifecyclePolicy, parseConfig, planLifecyclePolicy, type PtcConfig } from '../../core';
import { SEED_KEEP_COUNT, seedPolicyProblem } from '../../core/policy/seed-rule';
import { seedTag } from '../../core/image-ref/seeds';
import { decodeConfig, encodeConfig } from '../../core/lambda-contracts/reconcile-repository/settings';
import { buildApp } from '../../infra/build-app';
import { evaluateLifecycle, type SimImage, type SimRule } from './lifecycle-sim';
import { D1, dockerHubSeeding, WHERE } from './fixtures';

function config(lifecycle: Record<string, number> = {}): PtcConfig {
  return parseConfig({
    ...WHERE,
    rules: [dockerHubSeeding([`nginx@${D1}`]), { prefix: 'k8s', upstream: 'k8s' }],
    repositories: { lifecycle },
  });
}

function rulesOf(c: PtcConfig, repository: string) {
  const state = desiredState(c, repository);
  if (!state.managed) throw new Error(`${repository} is not managed`);
  return state.lifecyclePolicy.rules;
}

/**
 * The constraints of https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
 * and the 30,720-character quota (service-quotas.html) a policy must meet; the problems found.
 */
function policyProblems(rules: readonly SimRule[] & readonly { description?: string }[]): string[] {
  const problems: string[] = [];
  const priorities = rules.map((r) => r.rulePriority);
  if (new Set(priorities).size !== priorities.length) problems.push('rulePriority values are not unique');
  if (priorities.some((p) => !Number.isInteger(p) || p < 1)) problems.push('a rulePriority is not a positive integer');
  const anyRules = rules.filter((r) => r.selection.tagStatus === 'any');
  const others = rules.filter((r) => r.selection.tagStatus !== 'any');
  if (
    anyRules.length > 0 &&
    others.length > 0 &&
    Math.min(...anyRules.map((r) => r.rulePriority)) < Math.max(...others.map((r) => r.rulePriority))
  )
    problems.push('a tagStatus any rule is not last');
  if (rules.filter((r) => r.selection.tagStatus === 'untagged').length > 1) problems.push('more than one rule selects untagged images');
  for (const r of rules) {
    const s = r.selection;
    if (s.tagStatus === 'tagged' && (s.tagPatternList ?? []).length === 0)
      problems.push(`rule ${r.rulePriority}: tagged without tagPatternList`);
    if (s.tagStatus === 'untagged' && s.tagPatternList !== undefined) problems.push(`rule ${r.rulePriority}: untagged with tagPatternList`);
    // countUnit (days) goes with the since* count types only.
    if ((s.countUnit !== undefined) !== s.countType.startsWith('since'))
      problems.push(`rule ${r.rulePriority}: countUnit and countType disagree`);
    if (!Number.isInteger(s.countNumber) || s.countNumber < 1) problems.push(`rule ${r.rulePriority}: countNumber not a positive integer`);
    for (const p of s.tagPatternList ?? [])
      if ((p.match(/\*/g) ?? []).length > 4) problems.push(`rule ${r.rulePriority}: more than 4 wildcards`);
  }
  const patterns = rules
    .filter((r) => r.selection.tagStatus === 'tagged')
    .map((r) => JSON.stringify([...(r.selection.tagPatternList ?? [])].sort()));
  if (new Set(patterns).size !== patterns.length) problems.push('two rules select the same tag patterns');
  if (canonicalJson({ rules }).length > 30720) problems.push('longer than 30,720 characters');
  return problems;
}

describe('the generated lifecycle policy', () => {
  test('a seeded prefix gets the seed rule first and its other rules one priority lower', () => {
    const rules = rulesOf(config({ untaggedExpireDays: 7, keepLastTagged: 50 }), 'docker-hub/library/nginx');
    expect(rules.map((r) => [r.rulePriority, r.selection.tagStatus, r.selection.tagPatternList ?? null, r.selection.countNumber])).toEqual([
      [1, 'tagged', ['ptc-seed-*'], SEED_KEEP_COUNT],
      [2, 'untagged', null, 7],
      [3, 'tagged', ['*'], 50],
    ]);
    expect(rules.every((r) => r.description.startsWith('ptc-autopilot:'))).toBe(true);
    expect(policyProblems(rules)).toEqual([]);
  });

  test('an unseeded prefix keeps exactly the policy it had', () => {
    const c = config({ untaggedExpireDays: 7, keepLastTagged: 50 });
    expect(rulesOf(c, 'k8s/pause')).toEqual(lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 50 }).rules);
  });

  test('with archive rules too (which the config refuses beside seeds), the policy still meets every documented constraint', () => {
    const rules = lifecyclePolicy({ keepLastTagged: 100, archiveUnpulledDays: 30, expireArchivedDays: 90, protectSeeds: true }).rules;
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 3, 4, 5]);
    expect(policyProblems(rules)).toEqual([]);
  });

  test('a repository whose policy is ours alone gets the seed rule at the next reconcile; one with a foreign rule keeps it', () => {
    const desired = lifecyclePolicy({ keepLastTagged: 100, protectSeeds: true });
    expect(planLifecyclePolicy(canonicalJson(lifecyclePolicy({ keepLastTagged: 100 })), desired).action).toBe('put');
    const foreign = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: 'team rule',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 },
          action: { type: 'expire' },
        },
      ],
    });
    expect(planLifecyclePolicy(foreign, desired).action).toBe('keep-foreign');
    // ... which is exactly what `ptc copy` then refuses to seed into.
    expect(seedPolicyProblem(foreign)).toBe('its lifecycle policy does not keep ptc-seed-* tags first, so a seed could expire');
  });

  test('the reconciler Lambda, from its settings variable, wants the same policy (seed rule first) as the config', () => {
    const c = config({ untaggedExpireDays: 7 });
    const payload = decodeConfig(encodeConfig(c, { account: '111122223333', region: 'eu-west-2' }));
    expect(desiredState(payload, 'docker-hub/library/nginx')).toEqual(desiredState(c, 'docker-hub/library/nginx'));
    expect(rulesOf(c, 'docker-hub/library/nginx')[0]!.selection.tagPatternList).toEqual(['ptc-seed-*']);
  });

  test('the seeded prefix creation template has the seed rule and also applies to CREATE_ON_PUSH; the others do not change', () => {
    const template = Template.fromStack(
      buildApp(config(), { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } }).stacks[0]!,
    );
    const byPrefix = new Map(
      Object.values(template.findResources('AWS::ECR::RepositoryCreationTemplate')).map((t) => [
        t.Properties.Prefix as string,
        t.Properties,
      ]),
    );
    const hub = byPrefix.get('docker-hub')!;
    expect(hub.AppliedFor).toEqual(['PULL_THROUGH_CACHE', 'CREATE_ON_PUSH']);
    expect(JSON.parse(hub.LifecyclePolicy as string)).toEqual(lifecyclePolicy({ keepLastTagged: 100, protectSeeds: true }));
    const k8s = byPrefix.get('k8s')!;
    expect(k8s.AppliedFor).toEqual(['PULL_THROUGH_CACHE']);
    expect(JSON.parse(k8s.LifecyclePolicy as string)).toEqual(lifecyclePolicy({ keepLastTagged: 100 }));
  });
});

describe('an ECR lifecycle evaluation over a sample cache repository', () => {
  const now = new Date('2026-12-07T00:00:00Z');
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
  const SEED = `sha256:${'5'.repeat(64)}`;
  const AMD64 = `sha256:${'6'.repeat(64)}`;
  const ARM64 = `sha256:${'7'.repeat(64)}`;
  /**
   * docker-hub/library/nginx: a seeded index (listed as nginx:1.27@SEED) pushed 400 days ago with its
   * two platform manifests; the cache's refresh has since moved 1.27 to a newer image, so only the
   * seed tags remain on it. 150 newer tagged images, and an untagged one 30 days old.
   */
  function sample(seedTags: boolean): SimImage[] {
    const images: SimImage[] = [
      { digest: SEED, tags: seedTags ? [seedTag(SEED)] : [], pushedAt: daysAgo(400) },
      { digest: AMD64, tags: seedTags ? [seedTag(AMD64)] : [], pushedAt: daysAgo(400) },
      { digest: ARM64, tags: seedTags ? [seedTag(ARM64)] : [], pushedAt: daysAgo(400) },
      { digest: `sha256:${'8'.repeat(64)}`, tags: [], pushedAt: daysAgo(30) },
    ];
    for (let i = 0; i < 150; i++)
      images.push({ digest: `sha256:${i.toString(16).padStart(64, 'a')}`, tags: [`1.${i}`], pushedAt: daysAgo(300 - i) });
    images.push({ digest: `sha256:${'9'.repeat(64)}`, tags: ['1.27'], pushedAt: daysAgo(1) });
    return images;
  }
  const seeded = [SEED, AMD64, ARM64];

  test('the seeded index and its platform manifests survive both the untagged rule and keepLastTagged', () => {
    const policy = lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 100, protectSeeds: true });
    const expired = evaluateLifecycle(policy.rules, sample(true), now);
    for (const d of seeded) expect(expired.has(d)).toBe(false);
    // The other rules still work: the old untagged image and the tagged images beyond the newest 100 go.
    expect(expired.get(`sha256:${'8'.repeat(64)}`)).toBe(2);
    expect([...expired.values()].filter((p) => p === 3).length).toBeGreaterThan(0);
  });

  test('keepLastTagged alone (the default policy) keeps them too', () => {
    const expired = evaluateLifecycle(lifecyclePolicy({ keepLastTagged: 100, protectSeeds: true }).rules, sample(true), now);
    for (const d of seeded) expect(expired.has(d)).toBe(false);
  });

  test('without the seed rule, keepLastTagged expires the seeds it counts beyond the newest 100', () => {
    const expired = evaluateLifecycle(lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 100 }).rules, sample(true), now);
    for (const d of seeded) expect(expired.get(d)).toBe(2);
  });

  test('without the seed tags (a digest pushed untagged, or left untagged when the cache moved its tag), the untagged rule expires it', () => {
    const expired = evaluateLifecycle(
      lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 100, protectSeeds: true }).rules,
      sample(false),
      now,
    );
    for (const d of seeded) expect(expired.get(d)).toBe(2);
  });
});
