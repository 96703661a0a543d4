/**
 * ECR's policy size limits as config errors, before anything is deployed: a repository policy
 * (creation template `repositoryPolicy`, SetRepositoryPolicy `policyText`) and the registry policy
 * (PutRegistryPolicy `policyText`) each hold at most 10,240 characters:
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html and
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutRegistryPolicy.html
 * ("Maximum length of 10240"). Only our statements are counted here; the Lambdas refuse at run
 * time a merge that foreign statements push over (and cut nothing).
 */
import type { PtcConfig } from '../config/schema';
import { targets } from '../environments';
import { registryPolicyIntent } from '../registry-settings/intent';
import {
  firstPullStatements,
  policyCharacters,
  REGISTRY_POLICY_MAX_CHARS,
  registryPolicyStatements,
} from '../registry-settings/registry-policy';
import { policyDocument, pullStatements } from './repository-policy';
import { effectiveSettings } from './settings';

/** SetRepositoryPolicy `policyText` and a creation template's `repositoryPolicy`: at most 10,240 characters. */
export const REPOSITORY_POLICY_MAX_CHARACTERS = 10_240;

/** One problem, located by its zod-style path. */
export interface PolicySizeIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

const PULL_KEYS = ['pullAccounts', 'pullOrganizations', 'pullOrganizationalUnits'] as const;

/**
 * Every repository policy (per prefix) and registry policy (per environment) whose statements of
 * ours alone would exceed ECR's 10,240 characters. Linear in the config's size: each policy is
 * built and measured once, and each config path is reported once.
 */
export function policySizeIssues(config: PtcConfig): PolicySizeIssue[] {
  const issues: PolicySizeIssue[] = [];
  const reported = new Set<string>();
  const report = (kind: 'repository' | 'registry', path: (string | number)[], message: string) => {
    const key = `${kind}:${path.join('.')}`;
    if (reported.has(key)) return;
    reported.add(key);
    issues.push({ path, message });
  };
  const all = targets(config);
  const partitions = [...new Set(all.map((t) => t.partition))];
  const overrideIndex = new Map((config.repositories.overrides ?? []).map((o, i) => [o.prefix, i] as const));
  for (const rule of config.rules) {
    const settings = effectiveSettings(config, rule.prefix);
    for (const partition of partitions) {
      const document = policyDocument(pullStatements(settings, partition));
      if (document === undefined) continue;
      const length = policyCharacters(JSON.stringify(document));
      if (length <= REPOSITORY_POLICY_MAX_CHARACTERS) continue;
      const i = overrideIndex.get(rule.prefix);
      const override = i === undefined ? undefined : config.repositories.overrides?.[i];
      const fromOverride = override !== undefined && PULL_KEYS.some((k) => override[k] !== undefined);
      report(
        'repository',
        fromOverride ? ['repositories', 'overrides', i!] : ['repositories'],
        `the repository policy of "${rule.prefix}/..." repositories would be ${length} characters; ECR allows ${REPOSITORY_POLICY_MAX_CHARACTERS} (SetRepositoryPolicy and creation templates): list fewer pull accounts, organizations or OUs (an organization or OU covers many accounts in one entry)`,
      );
    }
  }
  for (const target of all) {
    const intent = registryPolicyIntent(config, target);
    if (intent === undefined) continue;
    const length = policyCharacters(JSON.stringify({ Version: '2012-10-17', Statement: registryPolicyStatements(intent) }));
    if (length <= REGISTRY_POLICY_MAX_CHARS) continue;
    const firstPull = firstPullStatements(intent.firstPull, intent.partition).reduce((n, s) => n + policyCharacters(JSON.stringify(s)), 0);
    const where = all.length > 1 ? ` of environment "${target.name}"` : '';
    report(
      'registry',
      firstPull * 2 >= length ? ['repositories'] : ['replication'],
      `the registry policy${where} would be ${length} characters (first-pull statements ${firstPull}, the rest replication access); ECR allows ${REGISTRY_POLICY_MAX_CHARS} (PutRegistryPolicy): list fewer pull accounts, organizations or OUs, give more prefixes the same ones (prefixes sharing principals share a statement), or accept replication from fewer accounts`,
    );
  }
  return issues;
}
