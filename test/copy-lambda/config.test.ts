/**
 * `copies[N].manifest`: the external image lists of a copies entry, with the shape of
 * `prewarm.manifest` (core/config/shape/prewarm.ts `manifestSource`) and the same key check, at
 * the entry's own path; and the schedules the copy-images rules are built from.
 */
import { parseConfig } from '../../core';
import { copySchedules, entriesOfEvent } from '../../core/lambda-contracts/copy-images/schedule-event';
import { issuesOf } from '../core/issues-of';

const SINGLE_REGION_KEY = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const MULTI_REGION_KEY = 'arn:aws:kms:eu-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';

const withManifest = (manifest: unknown, extra: Record<string, unknown> = {}) => ({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  copies: [{ prefix: 'gcr', upstream: 'gcr.io', manifest }],
  ...extra,
});
const twoRegions = {
  account: undefined,
  region: undefined,
  environments: [
    { name: 'eu', account: '111122223333', region: 'eu-west-2' },
    { name: 'us', account: '111122223333', region: 'us-east-1' },
  ],
};

describe('copies[N].manifest', () => {
  test('takes an S3 object, an SSM parameter and their key, as prewarm.manifest does', () => {
    const manifest = { s3: { bucket: 'ptc-config', key: 'copies/gcr.txt' }, ssmParameter: '/ptc/copies/gcr', kmsKeyArn: SINGLE_REGION_KEY };
    expect(parseConfig(withManifest(manifest)).copies[0]!.manifest).toEqual(manifest);
    expect(parseConfig(withManifest(undefined)).copies[0]!.manifest).toBeUndefined();
  });

  test('a malformed source is refused with one line at its path', () => {
    expect(issuesOf(withManifest({ ssmParameter: 'not a name!' }))).toEqual([
      { path: 'copies[0].manifest.ssmParameter', message: 'must be an SSM parameter name such as "/ptc/prewarm-images"' },
    ]);
    expect(issuesOf(withManifest({ s3: { bucket: 'ptc-config' } }))[0]!.path).toBe('copies[0].manifest.s3.key');
    expect(issuesOf(withManifest({ url: 'https://example.com/list' }))[0]!.path).toMatch(/^copies\[0\]\.manifest/);
  });

  test('a single-Region key on a SecureString read in two Regions is refused at the entry path; a multi-Region key is not', () => {
    const issues = issuesOf(withManifest({ ssmParameter: '/ptc/copies/gcr', kmsKeyArn: SINGLE_REGION_KEY }, twoRegions));
    expect(issues).toEqual([
      {
        path: 'copies[0].manifest.kmsKeyArn',
        message:
          'the key is in eu-west-2, but the parameter /ptc/copies/gcr is read in us-east-1 too, where a SecureString is encrypted with a key of that Region; use a multi-Region key (key/mrk-...)',
      },
    ]);
    expect(() => parseConfig(withManifest({ ssmParameter: '/ptc/copies/gcr', kmsKeyArn: MULTI_REGION_KEY }, twoRegions))).not.toThrow();
  });
});

describe('the copy-images schedules', () => {
  const copies = [
    { prefix: 'gcr', schedule: 'rate(1 day)' },
    { prefix: 'nvidia', schedule: 'rate(6 hours)' },
    { prefix: 'mcr', schedule: 'rate(1 day)' },
  ];

  test('one per distinct schedule, naming its entries in config order', () => {
    expect(copySchedules(copies)).toEqual([
      { schedule: 'rate(1 day)', prefixes: ['gcr', 'mcr'] },
      { schedule: 'rate(6 hours)', prefixes: ['nvidia'] },
    ]);
  });

  test('an event selects the entries it names, and every entry without prefixes', () => {
    expect(entriesOfEvent({ prefixes: ['mcr', 'gcr'] }, copies).map((c) => c.prefix)).toEqual(['gcr', 'mcr']);
    expect(entriesOfEvent({}, copies).map((c) => c.prefix)).toEqual(['gcr', 'nvidia', 'mcr']);
    expect(() => entriesOfEvent({ prefixes: [] }, copies)).toThrow('"prefixes" must be a non-empty list of copies prefixes');
    expect(() => entriesOfEvent('gcr', copies)).toThrow('the payload must be {} or {"prefixes": ["<copies prefix>", ...]}');
  });
});
