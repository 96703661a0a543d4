import {
  canonicalJson,
  diffRepositoryTags,
  effectiveSettings,
  lifecyclePolicy,
  MANAGED_TAG_KEY,
  mergeRepositoryPolicy,
  OWNED_TAGS_TAG_KEY,
  planLifecyclePolicy,
  pullStatements,
  tagKeyFingerprint,
  creationTemplateTags,
  UnreadablePolicyError,
} from '../../core';
import { reconcilerTestConfig } from './helpers';

const config = reconcilerTestConfig();
const ours = pullStatements(effectiveSettings(config, 'docker-hub'));
const lookalike = {
  Sid: 'PtcAutopilotSomethingElse',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::999999999999:root' },
  Action: ['ecr:BatchGetImage', 'ecr:PutImage'],
};

describe('mergeRepositoryPolicy', () => {
  test('keeps a foreign statement whose Sid looks like ours, verbatim and first', () => {
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [lookalike] });
    const merged = mergeRepositoryPolicy(existing, ours);
    expect(merged.action).toBe('set');
    expect(JSON.parse(merged.policyText!).Statement).toEqual([lookalike, ...ours]);
  });

  test('replaces a drifted statement of ours in place, between foreign ones', () => {
    const drifted = { ...ours[0]!, Action: ['ecr:*'] };
    const existing = JSON.stringify({
      Version: '2012-10-17',
      Statement: [lookalike, drifted, { Sid: 'Theirs', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' }],
    });
    const statements = JSON.parse(mergeRepositoryPolicy(existing, ours).policyText!).Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual([
      'PtcAutopilotSomethingElse',
      'PtcAutopilotCrossAccountPull',
      'Theirs',
      'PtcAutopilotOrganizationPull',
    ]);
    expect(statements[1]).toEqual(ours[0]);
  });

  test('keeps the Version, the Id and a single-object Statement of an existing policy', () => {
    const existing = JSON.stringify({ Version: '2008-10-17', Id: 'team-policy', Statement: lookalike });
    expect(JSON.parse(mergeRepositoryPolicy(existing, ours).policyText!)).toEqual({
      Version: '2008-10-17',
      Id: 'team-policy',
      Statement: [lookalike, ...ours],
    });
  });

  test('writes nothing when our statements are there in another form (key order, one-element arrays, order of actions)', () => {
    const reshaped = ours.map((s) => JSON.parse(JSON.stringify({ Action: [...(s.Action as string[])].reverse(), ...s, Sid: s.Sid })));
    reshaped[0].Principal = { AWS: 'arn:aws:iam::444455556666:root' };
    expect(mergeRepositoryPolicy(JSON.stringify({ Version: '2012-10-17', Statement: [lookalike, ...reshaped] }), ours).action).toBe('none');
  });

  test('deletes a policy made only of our statements when the config no longer wants any', () => {
    expect(mergeRepositoryPolicy(JSON.stringify({ Version: '2012-10-17', Statement: ours }), []).action).toBe('delete');
  });

  test('drops our own duplicates but never a foreign duplicate', () => {
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [ours[0], lookalike, ours[0], lookalike] });
    const statements = JSON.parse(mergeRepositoryPolicy(existing, ours).policyText!).Statement;
    expect(statements).toEqual([ours[0], lookalike, lookalike, ours[1]]);
  });

  test('refuses to merge into a policy it cannot read', () => {
    expect(() => mergeRepositoryPolicy('{"Version": "2012-10-17", "Statement": [', ours)).toThrow(UnreadablePolicyError);
    expect(() => mergeRepositoryPolicy('{"Statement": 3}', ours)).toThrow(
      'the existing repository policy cannot be read ("Statement" is neither an object nor an array); left untouched',
    );
  });
});

describe('planLifecyclePolicy', () => {
  const desired = lifecyclePolicy(effectiveSettings(config, 'docker-hub').lifecycle);

  test('puts the canonical text, the one the creation templates use, on a repository without a policy', () => {
    expect(planLifecyclePolicy(undefined, desired)).toEqual({ action: 'put', policyText: canonicalJson(desired) });
  });

  test('writes nothing when the policy matches, whatever the key order and white space', () => {
    expect(planLifecyclePolicy(JSON.stringify(desired, null, 4), desired)).toEqual({ action: 'none' });
  });

  test('rewrites our own policy when it drifted or the config changed', () => {
    const older = lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 10 });
    expect(planLifecyclePolicy(JSON.stringify(older), desired).action).toBe('put');
  });

  test('keeps a policy holding a rule someone else wrote', () => {
    const mixed = {
      rules: [
        ...desired.rules,
        {
          rulePriority: 9,
          description: 'team: expire dev-* after 3 days',
          selection: { tagStatus: 'tagged', tagPrefixList: ['dev-'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 },
          action: { type: 'expire' },
        },
      ],
    };
    expect(planLifecyclePolicy(JSON.stringify(mixed), desired)).toEqual({
      action: 'keep-foreign',
      reason: '1 of 3 lifecycle rules were not written by ptc-autopilot',
    });
  });
});

describe('diffRepositoryTags', () => {
  const desired = { team: 'platform', [MANAGED_TAG_KEY]: 'true' };

  test('adds our tags and the marker to an untagged repository', () => {
    expect(diffRepositoryTags({}, desired)).toEqual({
      set: { team: 'platform', [MANAGED_TAG_KEY]: 'true', [OWNED_TAGS_TAG_KEY]: tagKeyFingerprint('team') },
      remove: [],
      conflicts: [],
    });
  });

  test('leaves a tag someone else set to another value, and says so', () => {
    expect(diffRepositoryTags({ team: 'data' }, desired)).toEqual({
      set: { [MANAGED_TAG_KEY]: 'true', [OWNED_TAGS_TAG_KEY]: '' },
      remove: [],
      conflicts: ['team'],
    });
  });

  test('removes a tag we set when the config drops it, and only that one', () => {
    const current = {
      team: 'platform',
      cost: 'cc-1',
      owner: 'alice',
      [MANAGED_TAG_KEY]: 'true',
      [OWNED_TAGS_TAG_KEY]: ['team', 'cost'].map(tagKeyFingerprint).sort().join(' '),
    };
    expect(diffRepositoryTags(current, desired)).toEqual({
      set: { [OWNED_TAGS_TAG_KEY]: tagKeyFingerprint('team') },
      remove: ['cost'],
      conflicts: [],
    });
  });

  test('overwrites a drifted tag of ours', () => {
    const current = { team: 'oops', [MANAGED_TAG_KEY]: 'true', [OWNED_TAGS_TAG_KEY]: tagKeyFingerprint('team') };
    expect(diffRepositoryTags(current, desired)).toEqual({ set: { team: 'platform' }, remove: [], conflicts: [] });
  });

  test('adopts the tags of a repository born from our creation template, with one write', () => {
    expect(diffRepositoryTags({ team: 'platform', [MANAGED_TAG_KEY]: 'true' }, desired)).toEqual({
      set: { [OWNED_TAGS_TAG_KEY]: tagKeyFingerprint('team') },
      remove: [],
      conflicts: [],
    });
  });

  test("a repository born with our creation template's tags needs no tag write", () => {
    const born = creationTemplateTags(desired);
    expect(born[OWNED_TAGS_TAG_KEY]).toBe(tagKeyFingerprint('team'));
    expect(diffRepositoryTags(born, desired)).toEqual({ set: {}, remove: [], conflicts: [] });
  });

  test('a creation template without tags of ours carries no marker', () => {
    expect(creationTemplateTags({ [MANAGED_TAG_KEY]: 'true' })).toEqual({ [MANAGED_TAG_KEY]: 'true' });
  });

  test('does not adopt an equal tag on a repository we never managed', () => {
    expect(diffRepositoryTags({ team: 'platform' }, desired).set).toEqual({ [MANAGED_TAG_KEY]: 'true', [OWNED_TAGS_TAG_KEY]: '' });
  });
});
