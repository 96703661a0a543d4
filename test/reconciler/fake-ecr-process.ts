/**
 * The fake ECR registry in a child process (for the sweep benchmark, so the sweeping process's
 * memory is its own). Driven over IPC: `setup` builds a registry and serves it on 127.0.0.1,
 * `verify` checks that every managed repository is compliant and nothing foreign was lost.
 */
import { canonicalJson, desiredState, diffRepositoryTags, applyTagDiff, parseConfig, policyDocument, ruleForRepository } from '../../core';
import { planRepository } from '../../engines/reconcile/plan';
import { startFakeEcrServer, type FakeEcrServer } from './fake-ecr-server';
import { arnOf, FakeRegistry, type FakeRepository } from './fake-registry';

/** Messages the parent sends. */
export type FakeEcrRequest =
  | { type: 'setup'; config: unknown; managed: number; unmanaged: number; throttleRate: number; seed?: number }
  | { type: 'verify' }
  | { type: 'close' };

/** What `verify` answers. */
export interface FakeEcrVerification {
  managed: number;
  compliant: number;
  foreignStatementsKept: number;
  foreignStatementsExpected: number;
  unmanagedUntouched: number;
  requests: number;
  throttled: number;
  calls: Record<string, number>;
}

const FOREIGN = {
  Sid: 'PtcAutopilotSomethingElse',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::999999999999:root' },
  Action: 'ecr:BatchGetImage',
};
const PREFIXES = ['docker-hub', 'k8s', 'ecr'];

let registry = new FakeRegistry();
let server: FakeEcrServer | undefined;
let config: ReturnType<typeof parseConfig>;

function compliant(repo: FakeRepository): void {
  const desired = desiredState(config, repo.name);
  if (!desired.managed) return;
  repo.lifecyclePolicyText = canonicalJson(desired.lifecyclePolicy);
  const doc = policyDocument(desired.repositoryPolicyStatements);
  if (doc) repo.policyText = JSON.stringify(doc);
  repo.tags = applyTagDiff(repo.tags, diffRepositoryTags(repo.tags, desired.tags));
  repo.scanOnPush = desired.scanOnPush;
  repo.imageTagMutability = desired.imageTagMutability;
}

async function setup(msg: Extract<FakeEcrRequest, { type: 'setup' }>): Promise<string> {
  await server?.close();
  config = parseConfig(msg.config);
  registry = new FakeRegistry();
  for (let i = 0; i < msg.managed; i++) {
    const repo = registry.add(`${PREFIXES[i % PREFIXES.length]}/library/image-${i}`);
    const kind = i % 10;
    if (kind === 7 || kind === 8) compliant(repo);
    if (kind === 9) {
      compliant(repo);
      repo.policyText = JSON.stringify({ Version: '2012-10-17', Statement: [FOREIGN] });
      repo.lifecyclePolicyText = repo.lifecyclePolicyText!.replace(/"countNumber":(\d+)/, '"countNumber":999');
      repo.tags = { ...repo.tags, team: 'stale-but-ours', owner: 'someone-else' };
    }
  }
  for (let i = 0; i < msg.unmanaged; i++) registry.add(`team-${i % 7}/service-${i}`, { tags: { owner: 'team' } });
  server = await startFakeEcrServer(registry, { throttleRate: msg.throttleRate, seed: msg.seed });
  return server.endpoint;
}

function verify(): FakeEcrVerification {
  const out: FakeEcrVerification = {
    managed: 0,
    compliant: 0,
    foreignStatementsKept: 0,
    foreignStatementsExpected: 0,
    unmanagedUntouched: 0,
    requests: server?.stats.requests ?? 0,
    throttled: server?.stats.throttled ?? 0,
    calls: Object.fromEntries(registry.calls),
  };
  let index = 0;
  for (const repo of registry.repositories.values()) {
    const desired = desiredState(config, repo.name);
    if (!desired.managed || ruleForRepository(config, repo.name) === undefined) {
      if (repo.lifecyclePolicyText === undefined && repo.policyText === undefined && Object.keys(repo.tags).length === 1)
        out.unmanagedUntouched++;
      continue;
    }
    out.managed++;
    const state = {
      repositoryName: repo.name,
      repositoryArn: arnOf(repo.name),
      scanOnPush: repo.scanOnPush,
      imageTagMutability: repo.imageTagMutability,
      lifecyclePolicyText: repo.lifecyclePolicyText,
      repositoryPolicyText: repo.policyText,
      tags: repo.tags,
    };
    if (planRepository(state, desired).writes.length === 0) out.compliant++;
    if (index % 10 === 9) {
      out.foreignStatementsExpected++;
      const statements = repo.policyText ? (JSON.parse(repo.policyText).Statement as unknown[]) : [];
      if (JSON.stringify(statements[0]) === JSON.stringify(FOREIGN) && repo.tags.owner === 'someone-else') out.foreignStatementsKept++;
    }
    index++;
  }
  return out;
}

process.on('message', (msg: FakeEcrRequest) => {
  void (async () => {
    if (msg.type === 'setup') process.send!({ type: 'ready', endpoint: await setup(msg) });
    else if (msg.type === 'verify') process.send!({ type: 'verified', result: verify() });
    else {
      await server?.close();
      process.exit(0);
    }
  })();
});
process.send?.({ type: 'started' });
