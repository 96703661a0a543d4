/**
 * The two things a seed run needs from AWS besides the target's token, from injected clients:
 * one upstream session per seeded rule, with the rule's own `ecr-pullthroughcache/...` secret (the
 * credentials the pull-through cache itself uses, `{"username", "accessToken"}`), and the guard
 * that refuses to seed into a cache repository whose live lifecycle policy could expire the seed
 * (a policy the user manages, or one deployed before the rule listed seeds).
 */
import { GetLifecyclePolicyCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type { RuleConfig } from '../../core/config/schema';
import type { SeedJob } from '../../core/copy/seeds';
import { seedPolicyProblem } from '../../core/policy/seed-rule';
import { upstreamRegistryUrl } from '../../core/rules';
import type { RegistrySession } from '../../registry/session';
import { sessionsByHost, type UpstreamOptions } from './sources';

/**
 * One HTTPS session per upstream of a rule with seeds, keyed by the host the rule reads
 * (`registry-1.docker.io`, `ghcr.io`...), as `SeedJob.upstream` names it.
 * @throws CopyCredentialsError for a secret without usable credentials (nothing is seeded then)
 */
export async function seedSessions(rules: readonly RuleConfig[], options: UpstreamOptions = {}): Promise<Map<string, RegistrySession>> {
  return sessionsByHost(
    rules
      .filter((r) => (r.seeds?.length ?? 0) > 0)
      .map((rule) => {
        const secret = rule.credentials?.secretName ?? rule.credentials?.secretArn;
        return { host: upstreamRegistryUrl(rule), owner: `rule ${rule.prefix}`, ...(secret !== undefined ? { secret } : {}) };
      }),
    options,
  );
}

/**
 * Why each cache repository of the jobs must not be seeded, by repository name (absent: safe).
 * GetLifecyclePolicy per repository: no policy, or no repository yet (the rule's creation template
 * gives it the seed rule on push), is safe; a policy whose first rule does not keep `ptc-seed-*`
 * tags is not (`seedPolicyProblem`), nor one that cannot be read.
 */
export async function seedGuard(ecr: Pick<ECRClient, 'send'>, jobs: readonly SeedJob[]): Promise<Map<string, string>> {
  const problems = new Map<string, string>();
  for (const repositoryName of new Set(jobs.map((j) => j.targetRepository))) {
    let text: string | undefined;
    try {
      text = (await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }))).lifecyclePolicyText;
    } catch (err) {
      const name = (err as { name?: unknown }).name;
      if (name === 'LifecyclePolicyNotFoundException' || name === 'RepositoryNotFoundException') continue;
      // Unknown is unsafe: the seed waits until the policy can be read.
      problems.set(repositoryName, `its lifecycle policy cannot be read (${typeof name === 'string' ? name : 'error'})`);
      continue;
    }
    const problem = seedPolicyProblem(text);
    if (problem !== undefined) problems.set(repositoryName, problem);
  }
  return problems;
}
