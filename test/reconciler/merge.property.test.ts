import fc from 'fast-check';
import {
  applyTagDiff,
  diffRepositoryTags,
  isEmptyTagDiff,
  MANAGED_TAG_KEY,
  mergeRepositoryPolicy,
  OWNED_SIDS,
  OWNED_TAGS_TAG_KEY,
  pullStatements,
  semanticallyEqual,
  tagKeyFingerprint,
} from '../../core';

const OUR_SIDS = Object.values(OWNED_SIDS);
/** Ours by the documented rule (the Sid is exactly one of ours), decided here rather than by the code under test. */
const isOurs = (s: unknown) => s !== null && typeof s === 'object' && (OUR_SIDS as unknown[]).includes((s as { Sid?: unknown }).Sid);

// ------------------------------------------------------------------ arbitraries

const word = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
const account = fc.stringMatching(/^[0-9]{12}$/);
const action = fc.constantFrom(
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:PutImage',
  'ecr:*',
);
/** A Sid that is not ours, often shaped like ours (`PtcAutopilotSomethingElse`). */
const foreignSid = fc.oneof(
  word,
  word.map((w) => `PtcAutopilot${w}`).filter((s) => !(OUR_SIDS as string[]).includes(s)),
  fc.constantFrom('PtcAutopilotCrossAccountPullOld', 'ptcautopilotcrossaccountpull', 'PtcAutopilot'),
);

const foreignStatement = fc.record(
  {
    Sid: foreignSid,
    Effect: fc.constantFrom('Allow', 'Deny'),
    Principal: fc.oneof(
      fc.constant('*'),
      fc.record({
        AWS: fc.oneof(
          account.map((a) => `arn:aws:iam::${a}:root`),
          fc.array(
            account.map((a) => `arn:aws:iam::${a}:root`),
            { minLength: 1, maxLength: 3 },
          ),
        ),
      }),
    ),
    Action: fc.oneof(action, fc.array(action, { minLength: 1, maxLength: 4 })),
    Condition: fc.record({ StringEquals: fc.record({ 'aws:PrincipalOrgID': fc.stringMatching(/^o-[a-z0-9]{10}$/) }) }),
  },
  { requiredKeys: ['Effect'] },
);

/** One of our statements as someone may have left it: drifted content, right Sid. */
const driftedOwnedStatement = fc.record({
  Sid: fc.constantFrom(...OUR_SIDS),
  Effect: fc.constantFrom('Allow', 'Deny'),
  Principal: fc.constant('*'),
  Action: fc.array(action, { minLength: 1, maxLength: 3 }),
});

const settings = fc.record({
  pullAccounts: fc.uniqueArray(account, { maxLength: 3 }),
  pullOrganizations: fc.uniqueArray(fc.stringMatching(/^o-[a-z0-9]{10}$/), { maxLength: 2 }),
  pullOrganizationalUnits: fc.uniqueArray(
    fc.constantFrom('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/'),
    { maxLength: 2 },
  ),
});

/** An existing repository policy text (or none): foreign and owned statements mixed, sometimes one statement as an object. */
const existingPolicy = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.array(fc.oneof({ weight: 3, arbitrary: foreignStatement }, { weight: 1, arbitrary: driftedOwnedStatement }), { maxLength: 6 }),
        settings,
        fc.boolean(),
        fc.constantFrom('2012-10-17', '2008-10-17'),
      )
      .map(([statements, s, includeCurrent, Version]) => {
        const all: unknown[] = includeCurrent ? [...statements, ...pullStatements(s)] : statements;
        const Statement = all.length === 1 && Version === '2008-10-17' ? all[0] : all;
        return JSON.stringify({ Version, Statement });
      }),
  },
);

const foreignOf = (statements: readonly unknown[]) => statements.filter((s) => !isOurs(s));
const statementsOf = (text: string | undefined): unknown[] => {
  if (text === undefined) return [];
  const s = JSON.parse(text).Statement;
  return s === undefined ? [] : Array.isArray(s) ? s : [s];
};
const apply = (existing: string | undefined, merge: ReturnType<typeof mergeRepositoryPolicy>) =>
  merge.action === 'set' ? merge.policyText : merge.action === 'delete' ? undefined : existing;

// ------------------------------------------------------------------ repository policy

describe('mergeRepositoryPolicy (property-based)', () => {
  test('no statement we did not create is lost, altered or reordered', () => {
    fc.assert(
      fc.property(existingPolicy, settings, (existing, s) => {
        const merged = mergeRepositoryPolicy(existing, pullStatements(s));
        expect(foreignOf(statementsOf(apply(existing, merged)))).toEqual(foreignOf(statementsOf(existing)));
      }),
      { numRuns: 400 },
    );
  });

  test('applying twice equals applying once', () => {
    fc.assert(
      fc.property(existingPolicy, settings, (existing, s) => {
        const desired = pullStatements(s);
        const once = apply(existing, mergeRepositoryPolicy(existing, desired));
        const again = mergeRepositoryPolicy(once, desired);
        expect(again.action).toBe('none');
        expect(apply(once, again)).toBe(once);
      }),
      { numRuns: 400 },
    );
  });

  test('afterwards our statements are exactly the desired ones, each Sid once', () => {
    fc.assert(
      fc.property(existingPolicy, settings, (existing, s) => {
        const desired = pullStatements(s);
        const ours = statementsOf(apply(existing, mergeRepositoryPolicy(existing, desired))).filter(isOurs);
        expect(ours.map((x) => (x as { Sid: string }).Sid).sort()).toEqual(desired.map((d) => d.Sid).sort());
        for (const d of desired) expect(ours.some((o) => semanticallyEqual(o, d))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// ------------------------------------------------------------------ tags

const tagKey = fc
  .stringMatching(/^[a-zA-Z][a-zA-Z0-9_.:/=+\-@ ]{0,20}$/)
  .filter((k) => !k.startsWith('ptc-autopilot:') && !k.startsWith('aws:'));
const tagValue = fc.stringMatching(/^[a-z0-9]{0,6}$/);

/** Current tags: some foreign, some marked as ours in the marker, maybe the managed tag. */
const currentTags = fc
  .tuple(
    fc.dictionary(tagKey, tagValue, { maxKeys: 8 }),
    fc.dictionary(tagKey, tagValue, { maxKeys: 4 }),
    fc.option(fc.boolean(), { nil: undefined }),
    fc.boolean(),
  )
  .map(([foreign, ours, managed, hasMarker]) => {
    const tags: Record<string, string> = { ...foreign, ...ours };
    if (managed !== undefined) tags[MANAGED_TAG_KEY] = managed ? 'true' : 'false';
    if (hasMarker) tags[OWNED_TAGS_TAG_KEY] = Object.keys(ours).map(tagKeyFingerprint).sort().join(' ');
    return tags;
  });
const desiredTags = fc.dictionary(tagKey, tagValue, { maxKeys: 6 }).map((t) => ({ ...t, [MANAGED_TAG_KEY]: 'true' }));

describe('diffRepositoryTags (property-based)', () => {
  test('a tag we did not create is never removed nor changed', () => {
    fc.assert(
      fc.property(currentTags, desiredTags, (current, desired) => {
        const marker = current[OWNED_TAGS_TAG_KEY];
        const marked = new Set((marker ?? '').split(' ').filter(Boolean));
        const after = applyTagDiff(current, diffRepositoryTags(current, desired));
        for (const [key, value] of Object.entries(current)) {
          if (key === MANAGED_TAG_KEY || key === OWNED_TAGS_TAG_KEY || marked.has(tagKeyFingerprint(key))) continue;
          expect({ key, value: after[key] }).toEqual({ key, value });
        }
      }),
      { numRuns: 400 },
    );
  });

  test('applying twice equals applying once', () => {
    fc.assert(
      fc.property(currentTags, desiredTags, (current, desired) => {
        const once = applyTagDiff(current, diffRepositoryTags(current, desired));
        const again = diffRepositoryTags(once, desired);
        expect(isEmptyTagDiff(again)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  test('every desired tag ends at its value unless someone else holds the key', () => {
    fc.assert(
      fc.property(currentTags, desiredTags, (current, desired) => {
        const diff = diffRepositoryTags(current, desired);
        const after = applyTagDiff(current, diff);
        for (const [key, value] of Object.entries(desired)) {
          if (diff.conflicts.includes(key)) expect(after[key]).toBe(current[key]);
          else expect(after[key]).toBe(value);
        }
        expect(after[OWNED_TAGS_TAG_KEY]).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
