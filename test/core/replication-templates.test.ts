import { buildPlan, parseConfig, renderPlan } from '../../core';

const config = parseConfig({
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  environments: [
    { name: 'prod-eu', account: '111122223333', region: 'eu-west-2' },
    { name: 'prod-us', account: '111122223333', region: 'us-east-1' },
  ],
  replication: { destinations: [{ region: 'us-east-1' }, { region: 'eu-west-1', account: '444455556666' }] },
});

describe('the plan says where each replication destination gets its creation templates', () => {
  test('a destination an environment deploys gets them from that stack; another gets none from this config', () => {
    const [eu] = buildPlan(config).environments;
    expect(eu!.replicationTemplates).toEqual([
      { account: '111122223333', region: 'us-east-1', environment: 'prod-us' },
      { account: '444455556666', region: 'eu-west-1' },
    ]);
  });

  test('the text plan names both cases, and the consequence of the second', () => {
    const text = renderPlan(buildPlan(config));
    expect(text).toContain("creation templates at 111122223333/us-east-1: created by environment prod-us's stack, applied to replicated repositories");
    expect(text).toContain('creation templates at 444455556666/eu-west-1: NONE from this config; replicated repositories arrive there without lifecycle, repository policy or tags');
  });

  test('without replication the plan has no such entry', () => {
    const plain = parseConfig({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] });
    expect(buildPlan(plain).environments[0]!.replicationTemplates).toBeUndefined();
  });
});
