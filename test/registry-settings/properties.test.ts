/**
 * The custom resource properties are validated with zod/mini (the Lambda bundle must stay small),
 * with the Lambdas' own one-line messages (core/payload-messages.ts) where a property has none.
 * The zod schema of commit 01ede45 (copied below as the reference) decides what "the same
 * behaviour" means: for generated good and broken properties, both accept the same inputs with the
 * same output, and refuse the others with the same first property path and, worded by the same
 * error map, the same message.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { formatPath } from '../../core/config/format-path';
import { InvalidResourcePropertiesError, parseResourceProperties } from '../../core/registry-settings/properties';
import { payloadIssueMessage } from '../../core/payload-messages';

// The reference: the zod schema of commit 01ede45, verbatim.
const account = z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit account ID' });
const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be a region such as "eu-west-2"' });
const prefix = z.string().min(2).max(30);
const base = { ServiceToken: z.string().optional(), RegistryId: account, Region: regionName };
const reference = z.discriminatedUnion(
  'Kind',
  [
    z.object({
      ...base,
      Kind: z.literal('Replication'),
      Rules: z.array(
        z.object({ Prefixes: z.array(prefix).min(1), Destinations: z.array(z.object({ Region: regionName, RegistryId: account })).min(1) }),
      ),
    }),
    z.object({
      ...base,
      Kind: z.literal('Scanning'),
      Prefixes: z.array(prefix),
      ScanType: z.enum(['BASIC', 'ENHANCED']),
      ScanFrequency: z.enum(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL']),
    }),
    z.object({
      ...base,
      Kind: z.literal('RegistryPolicy'),
      Partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']),
      SourceAccounts: z.array(account),
      RepositoryArns: z.array(
        z.string().regex(/^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/.+$/, { error: 'must be an ECR repository ARN' }),
      ),
    }),
  ],
  { error: 'Kind must be "Replication", "Scanning" or "RegistryPolicy"' },
);

function referenceOutcome(input: unknown): unknown {
  const r = reference.safeParse(input, { error: payloadIssueMessage });
  if (r.success) return { ok: r.data };
  const issue = r.error.issues[0]!;
  const path = formatPath(issue.path);
  return {
    error: `custom resource property ResourceProperties${path === '' ? '' : path.startsWith('[') ? path : `.${path}`}: ${issue.message}`,
  };
}

function outcome(input: unknown): unknown {
  try {
    return { ok: parseResourceProperties(input) };
  } catch (err) {
    if (!(err instanceof InvalidResourcePropertiesError)) throw err;
    return { error: err.message };
  }
}

// Leaves: mostly good values, sometimes a near miss of another type or shape.
const leaf = (good: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 8, arbitrary: good },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, 5, 'x', 'k', [], {}, true, 'k'.repeat(31)) },
  );
const accountArb = leaf(fc.constantFrom('111122223333', '444455556666', '12345'));
const regionArb = leaf(fc.constantFrom('eu-west-2', 'us-east-1', 'europe'));
const prefixArb = leaf(fc.constantFrom('k8s', 'docker-hub', 'q'));
const list = <T>(item: fc.Arbitrary<T>) => leaf(fc.array(item, { maxLength: 3 }));
const common = {
  ServiceToken: fc.option(leaf(fc.constant('arn:aws:lambda:eu-west-2:111122223333:function:f')), { nil: undefined }),
  RegistryId: accountArb,
  Region: regionArb,
};
const props = fc.oneof(
  fc.record({
    ...common,
    Kind: leaf(fc.constant('Replication')),
    Rules: list(fc.record({ Prefixes: list(prefixArb), Destinations: list(fc.record({ Region: regionArb, RegistryId: accountArb })) })),
  }),
  fc.record({
    ...common,
    Kind: leaf(fc.constant('Scanning')),
    Prefixes: list(prefixArb),
    ScanType: leaf(fc.constantFrom('BASIC', 'ENHANCED', 'basic')),
    ScanFrequency: leaf(fc.constantFrom('SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL', 'DAILY')),
  }),
  fc.record({
    ...common,
    Kind: leaf(fc.constantFrom('RegistryPolicy', 'Policy')),
    Partition: leaf(fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso')),
    SourceAccounts: list(accountArb),
    RepositoryArns: list(leaf(fc.constantFrom('arn:aws:ecr:eu-west-2:111122223333:repository/k8s/*', 'arn:aws:s3:::bucket'))),
    Extra: fc.constant('dropped'),
  }),
  leaf(fc.constant({})),
);

describe('custom resource properties checked by zod/mini', () => {
  test('accept and refuse exactly what the zod schema did, naming the same first property with the same message', () => {
    fc.assert(
      fc.property(props, (input) => {
        expect(outcome(input)).toEqual(referenceOutcome(input));
      }),
      { numRuns: 2000 },
    );
  });

  test.each([
    [
      { Kind: 'Replication', RegistryId: '111122223333', Region: 'eu-west-2', Rules: [{ Prefixes: [], Destinations: [] }] },
      'custom resource property ResourceProperties.Rules[0].Prefixes: must have at least 1 item',
    ],
    [{ Kind: 'Scanning', RegistryId: 123 }, 'custom resource property ResourceProperties.RegistryId: must be a string, got number 123'],
    ['not an object', 'custom resource property ResourceProperties: Kind must be "Replication", "Scanning" or "RegistryPolicy"'],
  ])('%j is refused with %s', (input, message) => {
    expect(() => parseResourceProperties(input)).toThrow(new InvalidResourcePropertiesError(message));
  });

  test('first-pull groups name the bad principal by its path', () => {
    const input = {
      Kind: 'RegistryPolicy',
      RegistryId: '111122223333',
      Region: 'eu-west-2',
      Partition: 'aws',
      SourceAccounts: [],
      RepositoryArns: [],
      FirstPull: {
        Accounts: [],
        Organizations: [],
        OrganizationalUnitPaths: [
          {
            Principals: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', 'ou-ab12-11111111'],
            RepositoryArns: ['arn:aws:ecr:eu-west-2:111122223333:repository/k8s/*'],
          },
        ],
      },
    };
    expect(() => parseResourceProperties(input, 'OldResourceProperties')).toThrow(
      /^custom resource property OldResourceProperties\.FirstPull\.OrganizationalUnitPaths\[0\]\.Principals\[1\]: must be an OU path/,
    );
  });
});
