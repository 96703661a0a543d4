/**
 * What a manifest document is, by its `apiVersion` and `kind`: a policy or schema (Kyverno,
 * Gatekeeper, admission policies, CRDs), whose image strings are patterns or examples and never
 * rewritten nor judged; a Kubernetes workload; or another kind (an operator's or a pipeline's) that
 * embeds pod specs, where what is not an image reference is skipped, not failed.
 */

/**
 * API groups whose kinds describe rules about workloads, never workloads: Kyverno policies and
 * reports, Gatekeeper's templates, constraints, mutators and expansions, Kubernetes admission
 * policies and webhooks, CRDs.
 */
const POLICY_GROUPS: ReadonlySet<string> = new Set([
  'kyverno.io',
  'policies.kyverno.io',
  'reports.kyverno.io',
  'wgpolicyk8s.io',
  'templates.gatekeeper.sh',
  'constraints.gatekeeper.sh',
  'mutations.gatekeeper.sh',
  'expansion.gatekeeper.sh',
  'externaldata.gatekeeper.sh',
  'config.gatekeeper.sh',
  'status.gatekeeper.sh',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
]);

/** The API groups of Kubernetes' own workload kinds (`v1` is the core group, ''). */
const WORKLOAD_GROUPS: ReadonlySet<string> = new Set(['', 'apps', 'batch', 'extensions']);

/** The group of an `apiVersion` (`apps/v1` → `apps`, `v1` → ''). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** How the rewrite treats a document or List item. */
export type KindClass = 'policy' | 'workload' | 'custom';

/**
 * Classifies an object by its `apiVersion` (and `kind`, for messages elsewhere).
 * @example
 * kindClass('kyverno.io/v1') // 'policy'
 * kindClass('argoproj.io/v1alpha1') // 'custom'
 */
export function kindClass(apiVersion: string): KindClass {
  const group = groupOf(apiVersion);
  if (POLICY_GROUPS.has(group)) return 'policy';
  return WORKLOAD_GROUPS.has(group) ? 'workload' : 'custom';
}
