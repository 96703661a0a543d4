import fc from 'fast-check';
import {
  desiredTags,
  lifecyclePolicy,
  OWNED_SIDS,
  OWNED_TAGS_TAG_KEY,
  pullStatements,
  tagKeyFingerprint,
  MANAGED_TAG_KEY,
  type EffectiveSettings,
  type ManagedDesiredState,
} from '../../core';
import { planRepository, type RepositoryState, type Write } from '../../engines/reconcile/plan';

// A whole repository, as the reconciler reads it, against a whole desired state: applying the plan
// and planning again must give no write (a compliant repository costs reads only), and nothing
// someone else put there may change.

const OUR_SIDS: string[] = Object.values(OWNED_SIDS);
const account = fc.stringMatching(/^[0-9]{12}$/);
const word = fc.stringMatching(/^[A-Za-z0-9]{1,10}$/);
const action = fc.constantFrom(
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:PutImage',
  'ecr:*',
);

/** Tag keys from a small pool, so desired and current tags often share keys, plus the odd other one. */
const tagKey = fc.oneof(fc.constantFrom('team', 'owner', 'cost-center', 'env', 'app'), fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/));
const tagValue = fc.constantFrom('', 'platform', 'data', 'a1');

/** Exclusion patterns from a small pool, so desired and current often share some. */
const exclusionPattern = fc.constantFrom('latest', 'dev-*', '*-rc*', 'stable', 'v1.*');

const settings: fc.Arbitrary<EffectiveSettings> = fc
  .record({
    lifecycle: fc.record({ untaggedExpireDays: fc.integer({ min: 1, max: 90 }), keepLastTagged: fc.integer({ min: 1, max: 500 }) }),
    pullAccounts: fc.uniqueArray(account, { maxLength: 3 }),
    pullOrganizations: fc.uniqueArray(fc.stringMatching(/^o-[a-z0-9]{10}$/), { maxLength: 2 }),
    pullOrganizationalUnits: fc.uniqueArray(
      fc.constantFrom('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/'),
      { maxLength: 2 },
    ),
    tags: fc.dictionary(tagKey, tagValue, { maxKeys: 4 }),
    scanOnPush: fc.boolean(),
    encryption: fc.constant({ type: 'AES256' as const }),
  })
  .chain((s) =>
    fc
      .oneof(
        fc.record({
          imageTagMutability: fc.constantFrom('MUTABLE' as const, 'IMMUTABLE' as const),
          imageTagMutabilityExclusionFilters: fc.constant([]),
        }),
        fc.record({
          imageTagMutability: fc.constantFrom('MUTABLE_WITH_EXCLUSION' as const, 'IMMUTABLE_WITH_EXCLUSION' as const),
          imageTagMutabilityExclusionFilters: fc.uniqueArray(exclusionPattern, { minLength: 1, maxLength: 5 }),
        }),
      )
      .map((m) => ({ ...s, ...m })),
  );

const desiredOf = (s: EffectiveSettings): ManagedDesiredState => ({
  managed: true,
  prefix: 'docker-hub',
  lifecyclePolicy: lifecyclePolicy(s.lifecycle),
  repositoryPolicyStatements: pullStatements(s),
  tags: desiredTags(s),
  scanOnPush: s.scanOnPush,
  imageTagMutability: s.imageTagMutability,
  imageTagMutabilityExclusionFilters: [...s.imageTagMutabilityExclusionFilters],
});

/** Someone else's statement, often with a Sid shaped like ours. */
const foreignStatement = fc.record(
  {
    Sid: fc.oneof(
      word,
      word.map((w) => `PtcAutopilot${w}`).filter((sid) => !OUR_SIDS.includes(sid)),
    ),
    Effect: fc.constantFrom('Allow', 'Deny'),
    Principal: fc.oneof(
      fc.constant('*'),
      account.map((a) => ({ AWS: `arn:aws:iam::${a}:root` })),
    ),
    Action: fc.oneof(action, fc.array(action, { minLength: 1, maxLength: 3 })),
  },
  { requiredKeys: ['Effect', 'Principal', 'Action'] },
);
const ourOldStatement = fc.record({
  Sid: fc.constantFrom(...OUR_SIDS),
  Effect: fc.constant('Allow'),
  Principal: fc.constant('*'),
  Action: fc.array(action, { minLength: 1, maxLength: 3 }),
});

const policyText = fc.option(
  fc
    .array(fc.oneof({ weight: 3, arbitrary: foreignStatement }, { weight: 1, arbitrary: ourOldStatement }), { maxLength: 5 })
    .map((Statement) => JSON.stringify({ Version: '2012-10-17', Statement })),
  { nil: undefined },
);

const foreignLifecycleRule = fc.record({
  rulePriority: fc.integer({ min: 10, max: 20 }),
  description: fc.constantFrom('team rule', 'expire dev images'),
  selection: fc.constant({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }),
  action: fc.constant({ type: 'expire' }),
});
const lifecycleText = fc.oneof(
  fc.constant(undefined),
  settings.map((s) => JSON.stringify(lifecyclePolicy(s.lifecycle))),
  fc.array(foreignLifecycleRule, { minLength: 1, maxLength: 2 }).map((rules) => JSON.stringify({ rules })),
);

const currentTags = fc
  .tuple(fc.dictionary(tagKey, tagValue, { maxKeys: 6 }), fc.boolean(), fc.boolean())
  .map(([tags, managed, hasMarker]) => ({
    ...tags,
    ...(managed ? { [MANAGED_TAG_KEY]: 'true' } : {}),
    ...(managed && hasMarker ? { [OWNED_TAGS_TAG_KEY]: '' } : {}),
  }));

const state: fc.Arbitrary<RepositoryState> = fc.record({
  repositoryName: fc.constant('docker-hub/library/nginx'),
  repositoryArn: fc.constant('arn:aws:ecr:eu-west-2:111122223333:repository/docker-hub/library/nginx'),
  scanOnPush: fc.boolean(),
  imageTagMutability: fc.constantFrom('MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'),
  imageTagMutabilityExclusionFilters: fc.uniqueArray(exclusionPattern, { maxLength: 5 }),
  lifecyclePolicyText: lifecycleText,
  repositoryPolicyText: policyText,
  tags: currentTags,
});

/** What ECR holds after the writes, as the fake registry and ECR apply them. */
function apply(current: RepositoryState, writes: readonly Write[]): RepositoryState {
  let next: RepositoryState = { ...current, tags: { ...current.tags } };
  for (const w of writes) {
    switch (w.kind) {
      case 'PutLifecyclePolicy':
        next = { ...next, lifecyclePolicyText: w.lifecyclePolicyText };
        break;
      case 'SetRepositoryPolicy':
        next = { ...next, repositoryPolicyText: w.policyText };
        break;
      case 'DeleteRepositoryPolicy':
        next = { ...next, repositoryPolicyText: undefined };
        break;
      case 'PutImageScanningConfiguration':
        next = { ...next, scanOnPush: w.scanOnPush };
        break;
      case 'PutImageTagMutability':
        next = {
          ...next,
          imageTagMutability: w.imageTagMutability,
          imageTagMutabilityExclusionFilters: w.imageTagMutabilityExclusionFilters ?? [],
        };
        break;
      case 'UntagResource': {
        const tags = { ...next.tags };
        for (const k of w.tagKeys) delete tags[k];
        next = { ...next, tags };
        break;
      }
      case 'TagResource':
        next = { ...next, tags: { ...next.tags, ...w.tags } };
        break;
    }
  }
  return next;
}

const foreignStatementsOf = (text: string | undefined): unknown[] =>
  text === undefined
    ? []
    : ([] as unknown[]).concat(JSON.parse(text).Statement ?? []).filter((s) => !OUR_SIDS.includes((s as { Sid?: unknown }).Sid as string));

describe('planRepository on a whole repository (property-based)', () => {
  test('applying the plan and planning again gives no write: a compliant repository costs reads only', () => {
    fc.assert(
      fc.property(state, settings, (current, s) => {
        const desired = desiredOf(s);
        const once = apply(current, planRepository(current, desired).writes);
        expect(planRepository(once, desired).writes).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  test('nothing someone else owns is lost or altered: foreign statements, a foreign lifecycle policy, foreign tags, exclusion filters', () => {
    fc.assert(
      fc.property(state, settings, (current, s) => {
        const after = apply(current, planRepository(current, desiredOf(s)).writes);
        expect(foreignStatementsOf(after.repositoryPolicyText)).toEqual(foreignStatementsOf(current.repositoryPolicyText));
        if (current.lifecyclePolicyText?.includes('"team rule"') || current.lifecyclePolicyText?.includes('"expire dev images"')) {
          expect(after.lifecyclePolicyText).toBe(current.lifecyclePolicyText);
        }
        const marker = current.tags[OWNED_TAGS_TAG_KEY];
        const ours = new Set((marker ?? '').split(' ').filter(Boolean));
        for (const [key, value] of Object.entries(current.tags)) {
          if (key === MANAGED_TAG_KEY || key === OWNED_TAGS_TAG_KEY || ours.has(tagKeyFingerprint(key))) continue;
          expect({ key, value: after.tags[key] }).toEqual({ key, value });
        }
        // Exclusions found are kept unless the config sets its own.
        if (current.imageTagMutability.endsWith('_WITH_EXCLUSION') && s.imageTagMutabilityExclusionFilters.length === 0) {
          expect(after.imageTagMutability).toBe(current.imageTagMutability);
          expect(after.imageTagMutabilityExclusionFilters).toEqual(current.imageTagMutabilityExclusionFilters);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('a repository already in the desired state plans no write at all', () => {
    fc.assert(
      fc.property(
        settings,
        fc.dictionary(fc.stringMatching(/^x-[a-z]{1,6}$/), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
        (s, foreignTags) => {
          const desired = desiredOf(s);
          const compliant: RepositoryState = {
            repositoryName: 'docker-hub/library/nginx',
            repositoryArn: 'arn:aws:ecr:eu-west-2:111122223333:repository/docker-hub/library/nginx',
            scanOnPush: desired.scanOnPush,
            imageTagMutability: desired.imageTagMutability,
            imageTagMutabilityExclusionFilters: [...desired.imageTagMutabilityExclusionFilters].reverse(),
            lifecyclePolicyText: JSON.stringify(desired.lifecyclePolicy, null, 2),
            repositoryPolicyText:
              desired.repositoryPolicyStatements.length === 0
                ? undefined
                : JSON.stringify({ Version: '2012-10-17', Statement: desired.repositoryPolicyStatements }),
            tags: {
              ...foreignTags,
              ...desired.tags,
              [OWNED_TAGS_TAG_KEY]: [
                ...new Set(
                  Object.keys(desired.tags)
                    .filter((k) => k !== MANAGED_TAG_KEY)
                    .map(tagKeyFingerprint),
                ),
              ]
                .sort()
                .join(' '),
            },
          };
          expect(planRepository(compliant, desired)).toEqual({ writes: [], kept: [], refused: [] });
        },
      ),
      { numRuns: 300 },
    );
  });
});
