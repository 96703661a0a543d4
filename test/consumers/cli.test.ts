import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';

// Invented: a hub in two Regions of one account, a listed consumer and the OUs of one organization.
const CONFIG = [
  'environments:',
  '  - { name: prod-eu, account: "111122223333", region: eu-west-2 }',
  '  - { name: prod-us, account: "111122223333", region: us-east-1 }',
  'rules:',
  '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }',
  '  - { prefix: k8s, upstream: k8s }',
  'consumers:',
  '  organizationalUnits: ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111"]',
  '  regions: [us-east-1]',
  '  nodeRoleNames: [eks-nodes]',
  '  delegatedAdminAccount: "222233334444"',
  '  accounts:',
  '    - { name: payments, account: "444455556666", regions: [eu-west-2], nodeRoleArns: ["arn:aws:iam::444455556666:role/eks-nodes"] }',
  '',
].join('\n');

const dir = mkdtempSync(path.join(tmpdir(), 'ptc-consumer-cli-'));
const file = path.join(dir, 'ptc.yaml');
writeFileSync(file, CONFIG);
const EU = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const US = '111122223333.dkr.ecr.us-east-1.amazonaws.com';

async function ptc(args: string[], stdin?: string) {
  const io = recordingIo(stdin === undefined ? {} : { stdin });
  const code = await run([...args, '--config', file], io);
  return { code, out: io.out, err: io.err };
}

describe('ptc plan with consumers', () => {
  test('prints per consumer what it gets and where it deploys, and what the hub grants it', async () => {
    const { code, out } = await ptc(['plan']);
    expect(code).toBe(0);
    const payments = out.slice(out.indexOf('Consumer payments'), out.indexOf('Consumer organization'));
    expect(payments.split('\n').slice(0, 8)).toEqual([
      `Consumer payments (listed account): pulls through ${EU} (environment prod-eu)`,
      "  deploys  stack PtcAutopilot-consumer-payments in 444455556666 eu-west-2, deployed with that account's credentials",
      `  policy   ecr:BatchImportUpstreamImage, ecr:CreateRepository, ecr:BatchCheckLayerAvailability, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer on arn:aws:ecr:eu-west-2:111122223333:repository/docker-hub/*, arn:aws:ecr:eu-west-2:111122223333:repository/k8s/*; ecr:GetAuthorizationToken on *`,
      '  roles    arn:aws:iam::444455556666:role/eks-nodes',
      '  params   /ptc-autopilot/consumer/payments/hub-registry, /ptc-autopilot/consumer/payments/node-config/{containerd,credential-provider,al2023,bottlerocket,karpenter-al2023,karpenter-bottlerocket}',
      '  exports  PtcAutopilot-consumer-payments-NodePolicyArn, PtcAutopilot-consumer-payments-HubRegistry',
      `  hub grants first pull: registry policy of ${EU}: ecr:BatchImportUpstreamImage, ecr:CreateRepository on repository/<prefix>/* to account 444455556666`,
      '  hub grants pull:       repository policies under the managed prefixes: ecr:BatchCheckLayerAvailability, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer (and ecr:BatchImportUpstreamImage) to account 444455556666',
    ]);
    const org = out.slice(out.indexOf('Consumer organization'));
    expect(org).toContain(`Consumer organization (organizational units): pulls through ${US} (environment prod-us)`);
    expect(org).toContain(
      'StackSet PtcAutopilot-consumer-organization (service-managed, auto-deployment on, stacks deleted when an account leaves the OUs) in stack PtcAutopilot-consumers, account 222233334444 us-east-1, CallAs DELEGATED_ADMIN',
    );
    expect(org).toContain('stack instances in every account of ou-ab12-11111111, Regions us-east-1');
    expect(org).toContain('to principals whose aws:PrincipalOrgPaths is under o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/');
  });

  test('--json carries the same consumers', async () => {
    const plan = JSON.parse((await ptc(['plan', '--json'])).out) as {
      consumers: Array<{ name: string; hub: { registry: string }; nodeRoles: string[] }>;
    };
    expect(plan.consumers.map((c) => [c.name, c.hub.registry, c.nodeRoles])).toEqual([
      ['payments', EU, ['arn:aws:iam::444455556666:role/eks-nodes']],
      ['organization', US, ['eks-nodes (by name, in every account)']],
    ]);
  });
});

describe('--consumer NAME targets the hub registry of that consumer', () => {
  test('ptc kyverno', async () => {
    const eu = await ptc(['kyverno', '--consumer', 'payments']);
    expect(eu.code).toBe(0);
    expect(eu.out).toContain(`${EU}/docker-hub/`);
    const us = await ptc(['kyverno', '--consumer', 'organization']);
    expect(us.out).toContain(`${US}/docker-hub/`);
    expect(us.out).not.toContain(EU);
  });

  test('ptc rewrite', async () => {
    const manifest = 'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - { name: c, image: nginx:1.27 }\n';
    const { code, out } = await ptc(['rewrite', '--consumer', 'organization'], manifest);
    expect(code).toBe(0);
    expect(out).toContain(`image: ${US}/docker-hub/library/nginx:1.27`);
  });

  test('ptc node-config', async () => {
    const { code, out } = await ptc(['node-config', '--format', 'credential-provider', '--consumer', 'organization']);
    expect(code).toBe(0);
    expect(out).toMatch(/value: us-east-1/);
    const hosts = await ptc(['node-config', '--format', 'containerd', '--consumer', 'payments']);
    expect(hosts.out).toContain(`[host."https://${EU}/v2/docker-hub"]`);
  });

  test('without --consumer, several environments still ask for one (nothing changed there)', async () => {
    const { code, err } = await ptc(['kyverno']);
    expect([code, err]).toEqual([1, expect.stringContaining('choose one with --environment NAME')]);
  });

  test.each([['kyverno'], ['rewrite'], ['node-config', '--format', 'containerd']])(
    'ptc %s: an unknown name is one line listing the known names',
    async (...args) => {
      const { code, err } = await ptc([...args, '--consumer', 'billing']);
      expect([code, err]).toEqual([1, 'no consumer named "billing"; known consumers: payments, organization\n']);
    },
  );

  test('--consumer beside --environment is refused rather than guessed', async () => {
    const { code, err } = await ptc(['kyverno', '--consumer', 'payments', '--environment', 'prod-us']);
    expect([code, err]).toEqual([1, '--consumer picks the hub registry itself; drop --environment\n']);
  });
});
