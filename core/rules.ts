/**
 * Facts about one configured rule that every consumer needs the same way: the upstream URL ECR
 * is given, and how the rule authenticates.
 */
import type { RuleConfig } from './config/schema';
import { UPSTREAMS, ecrRegistryHost } from './upstreams';

/** The `UpstreamRegistryUrl` for a rule. */
export function upstreamRegistryUrl(rule: RuleConfig): string {
  if (rule.upstream === 'azure-container-registry') return rule.registryUrl!;
  if (rule.upstream === 'ecr') return ecrRegistryHost(rule.upstreamAccount!, rule.upstreamRegion!);
  return UPSTREAMS[rule.upstream].registryUrl!;
}

/** The hosts in image references that this rule caches (`docker.io` and its aliases for Docker Hub). */
export function referenceHosts(rule: RuleConfig): string[] {
  const known = UPSTREAMS[rule.upstream].referenceHosts;
  return known.length > 0 ? [...known] : [upstreamRegistryUrl(rule)];
}

/** How a rule's credentials are given, in words for plans: `secret ecr-pullthroughcache/x (created)`. */
export function describeCredentials(rule: RuleConfig): string {
  if (rule.credentials?.secretName !== undefined) return `secret ${rule.credentials.secretName} (created with a placeholder)`;
  if (rule.credentials?.secretArn !== undefined) return `secret ${rule.credentials.secretArn} (imported)`;
  if (rule.customRoleArn !== undefined) return `role ${rule.customRoleArn}`;
  return 'none';
}

/**
 * The value a created credential secret starts with. Never a real token: `validate-rules`
 * recognises it and says the secret still needs its value.
 */
export const CREDENTIAL_PLACEHOLDER = '{"username":"","accessToken":""}';

/** Whether a secret value is still the placeholder (or has an empty username or token). */
export function isPlaceholderCredential(secretString: string | undefined): boolean {
  if (secretString === undefined || secretString.trim() === '') return true;
  try {
    const parsed = JSON.parse(secretString) as { username?: unknown; accessToken?: unknown };
    // Both fields must hold a value: absent, empty, null or 0 leave it a placeholder.
    return !(Boolean(parsed.username) && Boolean(parsed.accessToken));
  } catch {
    // A value that is not JSON cannot be the credentials ECR expects either.
    return true;
  }
}
