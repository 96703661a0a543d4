/**
 * The catalogue of upstream registries that Amazon ECR pull through cache supports.
 *
 * Names are the ECR API's `UpstreamRegistry` values, so a config file, a CloudFormation template
 * and an API call all speak the same words.
 */

/** The ECR API's `UpstreamRegistry` enumeration. */
export const UPSTREAM_NAMES = [
  'docker-hub',
  'ecr-public',
  'k8s',
  'quay',
  'github-container-registry',
  'azure-container-registry',
  'gitlab-container-registry',
  'chainguard',
  'ecr',
] as const;

/** One of the ECR API's `UpstreamRegistry` values. */
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

/** How ECR authenticates to an upstream. */
export type UpstreamAuth = 'none' | 'secret' | 'iam-role';

/** What ptc-autopilot knows about one upstream registry. */
export interface UpstreamInfo {
  /** The ECR API's `UpstreamRegistry` value. */
  readonly name: UpstreamName;
  /** Human-readable name for plans and docs. */
  readonly displayName: string;
  /**
   * The `UpstreamRegistryUrl` ECR expects. `undefined` when the URL depends on the rule
   * (Azure: the registry's own host; ECR: the upstream account and region).
   */
  readonly registryUrl?: string;
  /** How ECR authenticates to this upstream. */
  readonly auth: UpstreamAuth;
  /**
   * Hosts that appear in image references and mean this upstream (`docker.io`, `index.docker.io`
   * and `registry-1.docker.io` all mean Docker Hub). Empty when the host depends on the rule.
   */
  readonly referenceHosts: readonly string[];
  /** Whether single-component repository names get the `library/` namespace (Docker Hub only). */
  readonly officialImagesNamespace?: string;
}

/** Every supported upstream, keyed by its ECR API name. */
export const UPSTREAMS: Readonly<Record<UpstreamName, UpstreamInfo>> = {
  'docker-hub': {
    name: 'docker-hub',
    displayName: 'Docker Hub',
    registryUrl: 'registry-1.docker.io',
    auth: 'secret',
    referenceHosts: ['docker.io', 'index.docker.io', 'registry-1.docker.io'],
    officialImagesNamespace: 'library',
  },
  'ecr-public': {
    name: 'ecr-public',
    displayName: 'Amazon ECR Public',
    registryUrl: 'public.ecr.aws',
    auth: 'none',
    referenceHosts: ['public.ecr.aws'],
  },
  k8s: {
    name: 'k8s',
    displayName: 'Kubernetes container image registry',
    registryUrl: 'registry.k8s.io',
    auth: 'none',
    referenceHosts: ['registry.k8s.io'],
  },
  quay: {
    name: 'quay',
    displayName: 'Quay',
    registryUrl: 'quay.io',
    auth: 'none',
    referenceHosts: ['quay.io'],
  },
  'github-container-registry': {
    name: 'github-container-registry',
    displayName: 'GitHub Container Registry',
    registryUrl: 'ghcr.io',
    auth: 'secret',
    referenceHosts: ['ghcr.io'],
  },
  'azure-container-registry': {
    name: 'azure-container-registry',
    displayName: 'Microsoft Azure Container Registry',
    auth: 'secret',
    referenceHosts: [],
  },
  'gitlab-container-registry': {
    name: 'gitlab-container-registry',
    displayName: 'GitLab Container Registry',
    registryUrl: 'registry.gitlab.com',
    auth: 'secret',
    referenceHosts: ['registry.gitlab.com'],
  },
  chainguard: {
    name: 'chainguard',
    displayName: 'Chainguard Registry',
    registryUrl: 'cgr.dev',
    auth: 'secret',
    referenceHosts: ['cgr.dev'],
  },
  ecr: {
    name: 'ecr',
    displayName: 'Amazon ECR (private, another account or region)',
    auth: 'iam-role',
    referenceHosts: [],
  },
};

/** Whether `name` is one of the ECR API's upstream names. */
export function isUpstreamName(name: string): name is UpstreamName {
  return (UPSTREAM_NAMES as readonly string[]).includes(name);
}

/** The private ECR registry host for an account and region. */
export function ecrRegistryHost(account: string, region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${suffix}`;
}

/** Inputs longer than this get no suggestion (keys, upstreams and prefixes are far shorter). */
const SUGGEST_MAX_LENGTH = 64;

/**
 * Suggests the closest known name for a misspelt one (`dockerhub` → `docker-hub`), or undefined
 * when nothing is close.
 */
export function suggestName(input: string, candidates: readonly string[]): string | undefined {
  // Edit distance costs length times length: nothing far longer than any name is close to one.
  if (input.length > SUGGEST_MAX_LENGTH) return undefined;
  const normalized = input.toLowerCase().replace(/[^a-z0-9]/g, '');
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const plain = candidate.replace(/[^a-z0-9]/g, '');
    const distance = plain === normalized ? 0 : levenshtein(normalized, plain);
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  if (best === undefined) return undefined;
  const tolerance = Math.max(2, Math.floor(best.name.length / 3));
  return best.distance <= tolerance ? best.name : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
