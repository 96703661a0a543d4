import { parseConfig } from '../../core';
import { desiredStateForPrefix as desiredState } from '../../core/policy/desired-state';
import { effectiveSettings } from '../../core/policy/settings';
import { issuesOf } from '../core/issues-of';

/** A valid config every case starts from. */
function base(): Record<string, any> {
  return {
    account: '111122223333',
    region: 'eu-west-2',
    rules: [
      { prefix: 'k8s', upstream: 'k8s' },
      { prefix: 'quay', upstream: 'quay' },
    ],
    repositories: { eviction: { unpulledDays: 90, protect: ['*:latest', 'k8s/*'] } },
  };
}

describe('repositories.eviction', () => {
  test('accepts the block of the issue, an override changing one key, and no block at all', () => {
    const c = base();
    c.repositories.eviction.mode = 'delete';
    c.repositories.overrides = [{ prefix: 'k8s', eviction: { unpulledDays: 365 } }];
    const config = parseConfig(c);
    expect(config.repositories.eviction).toEqual({ unpulledDays: 90, mode: 'delete', protect: ['*:latest', 'k8s/*'] });
    expect(config.repositories.overrides?.[0]?.eviction).toEqual({ unpulledDays: 365 });
    const without = base();
    delete without.repositories.eviction;
    expect(parseConfig(without).repositories.eviction).toBeUndefined();
  });

  test.each([
    [
      'unpulledDays 0',
      (c: any) => (c.repositories.eviction.unpulledDays = 0),
      'repositories.eviction.unpulledDays',
      /must be from 1 to 3650, got 0/,
    ],
    [
      'unpulledDays 3651',
      (c: any) => (c.repositories.eviction.unpulledDays = 3651),
      'repositories.eviction.unpulledDays',
      /must be from 1 to 3650, got 3651/,
    ],
    [
      'unpulledDays not whole',
      (c: any) => (c.repositories.eviction.unpulledDays = 1.5),
      'repositories.eviction.unpulledDays',
      /whole number/,
    ],
    [
      'unpulledDays missing',
      (c: any) => delete c.repositories.eviction.unpulledDays,
      'repositories.eviction.unpulledDays',
      /required when "eviction" is present/,
    ],
    ['an unknown mode', (c: any) => (c.repositories.eviction.mode = 'purge'), 'repositories.eviction.mode', /must be "report" or "delete"/],
    [
      'a misspelt key',
      (c: any) => (c.repositories.eviction.unpuledDays = 3),
      'repositories.eviction',
      /unknown key "unpuledDays"; did you mean "unpulledDays"\?/,
    ],
    [
      'a protect pattern with a space',
      (c: any) => (c.repositories.eviction.protect = ['k8s/ *']),
      'repositories.eviction.protect[0]',
      /is not a protect pattern/,
    ],
    [
      'a protect pattern with two tags',
      (c: any) => (c.repositories.eviction.protect = ['a:b:c']),
      'repositories.eviction.protect[0]',
      /is not a protect pattern/,
    ],
    [
      'an override turning eviction on without unpulledDays',
      (c: any) => {
        delete c.repositories.eviction;
        c.repositories.overrides = [{ prefix: 'k8s', eviction: { mode: 'delete' } }];
      },
      'repositories.overrides[0].eviction.unpulledDays',
      /required: "repositories.eviction.unpulledDays" is not set, so repositories under "k8s" need their own/,
    ],
  ])('refuses %s, naming the field', (_name, mutate, path, message) => {
    const c = base();
    mutate(c);
    const issues = issuesOf(c);
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('lifecycle.archiveUnpulledDays / lifecycle.expireArchivedDays', () => {
  test("refuse an archive expiry under ECR's 90-day minimum", () => {
    const c = base();
    c.repositories.lifecycle = { archiveUnpulledDays: 30, expireArchivedDays: 89 };
    expect(issuesOf(c)).toContainEqual({
      path: 'repositories.lifecycle.expireArchivedDays',
      message: expect.stringMatching(/must be from 90 to 3650, got 89/),
    });
  });

  test('refuse an archive expiry without an archive rule', () => {
    const c = base();
    c.repositories.lifecycle = { expireArchivedDays: 180 };
    expect(issuesOf(c)).toContainEqual({
      path: 'repositories.lifecycle.expireArchivedDays',
      message: expect.stringMatching(/needs "archiveUnpulledDays"/),
    });
  });

  test('become the two native rules, sinceImagePulled -> transition to archive then sinceImageTransitioned -> expire, after the others', () => {
    const c = base();
    c.repositories.lifecycle = { keepLastTagged: 50, archiveUnpulledDays: 30 };
    c.repositories.overrides = [{ prefix: 'quay', lifecycle: { expireArchivedDays: 365 } }];
    const config = parseConfig(c);
    expect(desiredState(config, 'k8s').lifecyclePolicy.rules.map((r) => r.selection.countType)).toEqual([
      'imageCountMoreThan',
      'sinceImagePulled',
    ]);
    const rules = desiredState(config, 'quay').lifecyclePolicy.rules;
    expect(rules.slice(-2)).toEqual([
      expect.objectContaining({
        rulePriority: 3,
        selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 },
        action: { type: 'transition', targetStorageClass: 'archive' },
      }),
      expect.objectContaining({
        rulePriority: 4,
        selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 },
        action: { type: 'expire' },
      }),
    ]);
    // ECR: a rule with tagStatus "any" must have the highest rulePriority.
    const priorities = rules.map((r) => r.rulePriority);
    const lastNotAny = Math.max(...rules.filter((r) => r.selection.tagStatus !== 'any').map((r) => r.rulePriority));
    expect(Math.min(...rules.filter((r) => r.selection.tagStatus === 'any').map((r) => r.rulePriority))).toBeGreaterThan(lastNotAny);
    expect(new Set(priorities).size).toBe(priorities.length);
  });

  test('are absent unless the config sets them', () => {
    expect(effectiveSettings(parseConfig(base()), 'k8s').lifecycle).toEqual({ keepLastTagged: 100 });
  });
});

describe('ptc plan', () => {
  test('says per prefix whether eviction reports or deletes, and what an archive rule does to a pull', async () => {
    const { buildPlan, renderPlan } = await import('../../core/plan');
    const c = base();
    c.repositories.overrides = [
      { prefix: 'quay', eviction: { mode: 'delete' }, lifecycle: { archiveUnpulledDays: 30, expireArchivedDays: 120 } },
    ];
    const plan = buildPlan(parseConfig(c));
    const [k8s, quay] = plan.environments[0]!.rules;
    expect(k8s!.eviction).toMatch(
      /^daily, reports \(mode report: nothing is deleted\) image groups nobody pulled for 90 days, protecting "\*:latest", "k8s\/\*"/,
    );
    expect(quay!.eviction).toMatch(/^daily, deletes image groups nobody pulled for 90 days/);
    expect(k8s!.archive).toBeUndefined();
    expect(quay!.archive).toMatch(/archive storage class, expired 120 days later; an archived image cannot be pulled \(404\)/);
    expect(renderPlan(plan)).toMatch(
      /rule quay <- quay[\s\S]*?\n    eviction     daily, deletes[^\n]*\n    archive      images nobody pulled for 30 days/,
    );
    const off = base();
    delete off.repositories.eviction;
    expect(buildPlan(parseConfig(off)).environments[0]!.rules[0]!.eviction).toMatch(/^off/);
  });
});
