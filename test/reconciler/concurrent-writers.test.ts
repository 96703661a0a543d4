/**
 * The repository policy is a read-modify-write document with other writers and no conditional
 * write in ECR. A foreign writer in the mock changes the policy between any two of the
 * reconciler's calls; the reconciler must never write a policy that drops a foreign statement it
 * could have seen, must put back foreign statements another writer's stale write dropped, and its
 * own writers (events and sweep, one function) run one at a time.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { effectiveSettings, pullStatements } from '../../core';
import { buildApp } from '../../infra/build-app';
import { reconcileRepository } from '../../engines/reconcile/reconcile';
import { RepositoryPolicyContendedError } from '../../engines/reconcile/errors';
import { POLICY_WRITE_ROUNDS } from '../../engines/reconcile/policy-write';
import { fullConfig } from '../infra/helpers';
import { FakeRegistry, freshFakeEcr, installEcrMock } from './fake-registry';
import { reconcilerTestConfig, testDeps } from './helpers';

const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);
const ecr = new ECRClient({ region: 'eu-west-2' });
const events = new EventBridgeClient({ region: 'eu-west-2' });
const NAME = 'docker-hub/library/nginx';
// Our statements on this repository: the config grants accounts and an organization (no OU).
const OURS = new Set<string>(pullStatements(effectiveSettings(reconcilerTestConfig(), 'docker-hub')).map((s) => s.Sid!));

/** A foreign statement (invented, shaped like the ECR user guide's cross-account pull example). */
const foreign = (sid: string) => ({
  Sid: sid,
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::999988887777:root' },
  Action: ['ecr:BatchGetImage'],
});
const statementsOf = (text: string | undefined): { Sid?: string }[] =>
  text === undefined ? [] : (JSON.parse(text).Statement as { Sid?: string }[]);
const sids = (text: string | undefined) => statementsOf(text).map((s) => s.Sid ?? '');

let registry: FakeRegistry;
beforeEach(() => {
  registry = freshFakeEcr(ecrMock, eventsMock);
});

/** Adds a statement to the stored policy, as another tool's atomic read-modify-write would. */
function addForeign(sid: string): void {
  const repo = registry.get(NAME);
  repo.policyText = JSON.stringify({ Version: '2012-10-17', Statement: [...statementsOf(repo.policyText), foreign(sid)] });
}

describe('the reconciler and another writer of the same repository policy', () => {
  test('a statement added between our read and our write is seen by the re-read and kept', async () => {
    registry.add(NAME, { policyText: JSON.stringify({ Version: '2012-10-17', Statement: [foreign('Before')] }) });
    let gets = 0;
    registry.beforeCall = (op) => {
      if (op === 'GetRepositoryPolicy' && ++gets === 2) addForeign('Meanwhile'); // right before our pre-write re-read
    };
    await reconcileRepository(testDeps(ecr, events).deps, NAME);
    expect(sids(registry.get(NAME).policyText)).toEqual(['Before', 'Meanwhile', ...OURS]);
  });

  test("another writer's stale write after ours: its statement stays, ours and the foreign one it dropped are put back", async () => {
    registry.add(NAME, { policyText: JSON.stringify({ Version: '2012-10-17', Statement: [foreign('Before')] }) });
    // The other writer read the policy before "ThirdParty" was added and before our write, and writes right after ours.
    const staleBase = registry.get(NAME).policyText!;
    let gets = 0;
    let sets = 0;
    registry.beforeCall = (op) => {
      if (op === 'GetRepositoryPolicy' && ++gets === 2) addForeign('ThirdParty');
      if (op === 'GetRepositoryPolicy' && gets === 3 && sets === 1) {
        registry.get(NAME).policyText = JSON.stringify({
          Version: '2012-10-17',
          Statement: [...statementsOf(staleBase), foreign('Stale')],
        });
      }
      if (op === 'SetRepositoryPolicy') sets++;
    };
    const outcome = await reconcileRepository(testDeps(ecr, events).deps, NAME);
    expect(outcome.status).toBe('configured');
    expect(sids(registry.get(NAME).policyText)).toEqual(['Before', 'Stale', 'ThirdParty', ...OURS]);
    expect(sets).toBe(2);
  });

  test('a writer that keeps overwriting our statements makes us give up with a transient error after the last round, dropping nothing of theirs', async () => {
    registry.add(NAME, { policyText: JSON.stringify({ Version: '2012-10-17', Statement: [foreign('Before')] }) });
    let n = 0;
    let wrote = false;
    registry.beforeCall = (op) => {
      if (op === 'SetRepositoryPolicy') wrote = true;
      if (op === 'GetRepositoryPolicy' && wrote) {
        // A stale read-modify-write lands after each of ours: everything foreign so far plus one more, without ours.
        const kept = statementsOf(registry.get(NAME).policyText).filter((st) => !OURS.has(st.Sid ?? ''));
        registry.get(NAME).policyText = JSON.stringify({ Version: '2012-10-17', Statement: [...kept, foreign(`Busy${n++}`)] });
        wrote = false;
      }
    };
    await expect(reconcileRepository(testDeps(ecr, events).deps, NAME)).rejects.toThrow(
      new RepositoryPolicyContendedError(NAME, POLICY_WRITE_ROUNDS),
    );
    expect(registry.calls.get('SetRepositoryPolicy')).toBe(POLICY_WRITE_ROUNDS);
    expect(sids(registry.get(NAME).policyText)).toEqual(['Before', ...Array.from({ length: n }, (_, i) => `Busy${i}`)]);
    // Transient: once the other writer stops, the retry settles with everything.
    registry.beforeCall = undefined;
    await reconcileRepository(testDeps(ecr, events).deps, NAME);
    expect(sids(registry.get(NAME).policyText)).toEqual(['Before', ...Array.from({ length: n }, (_, i) => `Busy${i}`), ...OURS]);
  });

  test('property: every write keeps what the read right before it saw, and foreign statements not added in that last gap survive', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Foreign adds, each before the n-th ECR call of the reconcile.
        fc.uniqueArray(fc.integer({ min: 0, max: 25 }), { maxLength: 6 }),
        fc.boolean(),
        async (addBefore, startWithPolicy) => {
          ecrMock.reset();
          registry = new FakeRegistry();
          installEcrMock(ecrMock, registry);
          eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
          registry.add(
            NAME,
            startWithPolicy ? { policyText: JSON.stringify({ Version: '2012-10-17', Statement: [foreign('Initial')] }) } : {},
          );
          const at = new Set(addBefore);
          const inGap: string[] = [];
          const added: string[] = startWithPolicy ? ['Initial'] : [];
          let call = 0;
          let lastRead: string | undefined;
          let lastOp = '';
          registry.beforeCall = (op, input) => {
            if (at.has(call)) {
              const sid = `Foreign${call}`;
              addForeign(sid);
              added.push(sid);
              // Added after our last read and right before our write: the one window no read can close.
              if (op === 'SetRepositoryPolicy' && lastOp === 'GetRepositoryPolicy') inGap.push(sid);
            }
            if (op === 'SetRepositoryPolicy') {
              // Invariant: what we write holds every foreign statement the read right before it returned.
              expect(lastOp).toBe('GetRepositoryPolicy');
              const written = new Set(sids(input.policyText));
              for (const sid of sids(lastRead).filter((s) => !OURS.has(s))) expect(written).toContain(sid);
            }
            call++;
            lastOp = op;
            if (op === 'GetRepositoryPolicy') lastRead = registry.get(NAME).policyText;
          };
          await reconcileRepository(testDeps(ecr, events).deps, NAME).catch((err: unknown) => {
            if (!(err instanceof RepositoryPolicyContendedError)) throw err;
          });
          registry.beforeCall = undefined;
          // With the other writer quiet, the next run settles: ours are there and nothing else is touched.
          await reconcileRepository(testDeps(ecr, events).deps, NAME);
          const final = statementsOf(registry.get(NAME).policyText);
          for (const sid of added) if (!inGap.includes(sid)) expect(final).toContainEqual(foreign(sid));
          for (const sid of OURS) expect(final.map((s) => s.Sid)).toContain(sid);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('our own writers', () => {
  test('the reconciler function runs one invocation at a time, so the events and the sweep never race each other', () => {
    const { stacks } = buildApp(fullConfig(), { nag: false, appProps: { context: { 'aws:cdk:bundling-stacks': [] } } });
    const template = Template.fromStack(stacks[0]!);
    const functions = template.findResources('AWS::Lambda::Function');
    const reconciler = Object.entries(functions).filter(([id]) => id.startsWith('CacheReconciler'));
    expect(reconciler).toHaveLength(1);
    expect(reconciler[0]![1].Properties.ReservedConcurrentExecutions).toBe(1);
  });
});
