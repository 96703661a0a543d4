/**
 * The pull through cache action metric filters (infra/constructs/cache-actions.ts) read hyphenated
 * keys of AWS's documented "ECR Pull Through Cache Action" event, verbatim in
 * test/fixtures/aws-events/ecr-pull-through-cache-action.json from
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html (EventBridge delivers
 * the event to the log group as this JSON). No library evaluates CloudWatch Logs filter patterns
 * (moto does not parse JSON patterns; the one PyPI matcher is not installable here), so this checks
 * what can be checked offline: every `$.` selector of every filter and dimension names a field the
 * sample carries, with the sample's value deciding the filter, except the failure fields AWS's sample
 * does not show. Whether CloudWatch accepts an unquoted hyphen in a selector is in docs/eviction.md.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { awsSample } from '../aws-truth/aws-events';
import { everyFeatureTwoEnvironments } from '../infra/helpers';

const sample = awsSample('ecr-pull-through-cache-action.json');

/** The value a `$.a.b-c` selector reads from `event`, or undefined when a key is missing. */
function select(event: unknown, selector: string): unknown {
  return selector
    .slice(2)
    .split('.')
    .reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), event);
}

describe('the pull through cache action metric filters, against AWS’s documented event', () => {
  const filters = Object.values(
    Template.fromStack(buildApp(everyFeatureTwoEnvironments(), { nag: false }).stacks[0] as Stack).findResources('AWS::Logs::MetricFilter'),
  )
    .map(
      (r) =>
        (r as { Properties: { FilterPattern: string; MetricTransformations: { MetricName: string; Dimensions?: { Value: string }[] }[] } })
          .Properties,
    )
    .filter((p) => p.FilterPattern.includes('$.detail.sync-status'));

  test('every selector of the filters and their dimensions names a key of the sample, hyphens included, but the failure fields', () => {
    const selectors = new Set(
      filters.flatMap((f) => [
        ...(f.FilterPattern.match(/\$\.[A-Za-z0-9_.-]+/g) ?? []),
        ...f.MetricTransformations.flatMap((m) => (m.Dimensions ?? []).map((d) => d.Value)),
      ]),
    );
    expect([...selectors].sort()).toEqual([
      '$.detail.ecr-repository-prefix',
      '$.detail.failure-code',
      '$.detail.failure-reason',
      '$.detail.sync-status',
    ]);
    expect(select(sample, '$.detail.sync-status')).toBe('SUCCESS');
    expect(select(sample, '$.detail.ecr-repository-prefix')).toBe('docker-hub');
    // Failures carry them (EventBridge schema aws.ecr@ECRPullThroughCacheAction); AWS's only sample is a success.
    expect(select(sample, '$.detail.failure-code')).toBeUndefined();
    expect(select(sample, '$.detail.failure-reason')).toBeUndefined();
  });

  test('the sample counts as an upstream fetch of its prefix and as no failure', () => {
    const byMetric = new Map(filters.map((f) => [f.MetricTransformations[0]!.MetricName, f]));
    const status = select(sample, '$.detail.sync-status');
    expect(byMetric.get('UpstreamFetches')!.FilterPattern).toBe(`{ $.detail.sync-status = "${String(status)}" }`);
    expect(byMetric.get('UpstreamFailures')!.FilterPattern).toBe(`{ $.detail.sync-status != "${String(status)}" }`);
    expect(byMetric.get('UpstreamRateLimited')!.FilterPattern).toMatch(/^\{ \(\$\.detail\.sync-status != "SUCCESS"\) && /);
  });
});
