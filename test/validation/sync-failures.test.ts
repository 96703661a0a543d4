import { classifyEvent } from '../../functions/validate-rules/events';
import { recordSyncEvent } from '../../functions/validate-rules/sync-failures';
import { fixture, recordingLog, recordingMetrics, validationConfig } from './helpers';

const rules = validationConfig().rules;
const failed = fixture('validation/ecr-pull-through-cache-action.failed.json');

function deps() {
  return { log: recordingLog(), metrics: recordingMetrics() };
}

describe('failed pull through cache syncs', () => {
  test('a failed sync (the documented event with a failure status, derived) counts one SyncFailures for its prefix and logs the failure', () => {
    const d = deps();
    expect(recordSyncEvent(failed.detail, rules, d)).toEqual({ counted: true, prefix: 'docker-hub' });
    expect(d.metrics.values).toEqual([{ name: 'SyncFailures', value: 1, prefix: 'docker-hub' }]);
    expect(d.log.lines).toEqual([
      {
        level: 'warn',
        message: 'pull through cache sync failed',
        attributes: {
          prefix: 'docker-hub',
          upstream: 'docker-hub',
          syncStatus: 'FAILED',
          repositoryName: 'docker-hub/alpine',
          upstreamRegistryUrl: 'public.ecr.aws',
          imageTag: '3.17.2',
          imageDigest: 'sha256:4aa08ef415aecc80814cb42fa41b658480779d80c77ab15EXAMPLE',
          failureCode: 'UPSTREAM_AUTHENTICATION_FAILURE',
          failureReason: 'The credentials for the upstream registry are not valid.',
        },
      },
    ]);
  });

  test('the documented SUCCESS event is not counted', () => {
    const d = deps();
    const success = fixture('events/ecr-pull-through-cache-action.json');
    expect(recordSyncEvent(success.detail, rules, d)).toEqual({ counted: false, reason: 'sync-status is SUCCESS' });
    expect(d.metrics.values).toEqual([]);
  });

  test('AWS documents no failure value, so any sync-status but SUCCESS counts; a missing one does not', () => {
    for (const status of ['FAILED', 'FAILURE', 'ERROR']) {
      const d = deps();
      expect(recordSyncEvent({ ...failed.detail, 'sync-status': status }, rules, d)).toEqual({ counted: true, prefix: 'docker-hub' });
    }
    const { ['sync-status']: _, ...noStatus } = failed.detail;
    expect(recordSyncEvent(noStatus, rules, deps())).toEqual({ counted: false, reason: 'sync-status is missing' });
  });

  test('a failure under a prefix we do not manage is not counted', () => {
    const d = deps();
    const outcome = recordSyncEvent({ ...failed.detail, 'ecr-repository-prefix': 'other', 'repository-name': 'other/alpine' }, rules, d);
    expect(outcome).toEqual({ counted: false, reason: 'repository other/alpine is not under a managed prefix' });
    expect(d.metrics.values).toEqual([]);
  });

  test('without ecr-repository-prefix, the repository name decides the prefix', () => {
    const d = deps();
    const { ['ecr-repository-prefix']: _, ...detail } = failed.detail;
    expect(recordSyncEvent({ ...detail, 'repository-name': 'github/org/app' }, rules, d)).toEqual({ counted: true, prefix: 'github' });
  });
});

describe('classifyEvent', () => {
  test('the schedule and a direct invocation validate; a sync event is counted; anything else is dropped', () => {
    expect(classifyEvent(fixture('events/scheduled-event.json'))).toEqual({ kind: 'validate', source: 'schedule' });
    expect(classifyEvent({})).toEqual({ kind: 'validate', source: 'invoke' });
    expect(classifyEvent(failed)).toEqual({ kind: 'sync', detail: failed.detail });
    expect(classifyEvent(fixture('events/ecr-image-action-push.json'))).toEqual({
      kind: 'drop',
      reason: 'unexpected event aws.ecr / ECR Image Action',
    });
  });
});
