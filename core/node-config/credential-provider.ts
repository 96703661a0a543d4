/**
 * The kubelet's image credential provider config for mirror mode.
 *
 * The kubelet asks its credential provider for the image's own registry (`docker.io`), not for
 * the mirror containerd will use, and hands the answer to containerd, which sends it to the
 * mirror. So `ecr-credential-provider` must match every mirrored upstream host and return an
 * ECR token for it. It does so from v1.29.0: kubernetes/cloud-provider-aws commit cd5ad050
 * ("Give a chance to generate ecr credential according to users aws sdk configs") stopped
 * refusing hosts that are not ECR hosts and asks ECR of the SDK's default region instead, which
 * is why the provider gets `AWS_REGION` from this config.
 *
 * `public.ecr.aws` is the exception: the provider answers it with an ECR *Public* token
 * (`ecrPublicHosts` in cmd/ecr-credential-provider/main.go), which a private registry refuses,
 * so nodes cannot pull public.ecr.aws through the cache in mirror mode (see `kubeletMirrorMap`).
 * It stays in `matchImages`, as nodeadm has it, so those pulls keep their ECR Public credentials.
 */
import { stringify } from 'yaml';
import { quote } from '../quote';
import { NodeConfigError, type MirrorEntry, type MirrorMap } from './mirror-map';

/** The first ecr-credential-provider release that returns an ECR token for a host that is not ECR's. */
export const MIN_ECR_CREDENTIAL_PROVIDER_VERSION = 'v1.29.0';

/** The provider's name: the binary the kubelet runs from `--image-credential-provider-bin-dir`. */
export const ECR_CREDENTIAL_PROVIDER = 'ecr-credential-provider';

/**
 * Hosts the provider answers with an ECR Public token instead of a private registry's
 * (`ecrPublicHosts`, kubernetes/cloud-provider-aws cmd/ecr-credential-provider/main.go; the
 * dual-stack `ecr-public.aws.com` from commit 32e84a3c: v1.32.7, v1.33.3, v1.34.2, v1.35.1, v1.36.0).
 */
export const ECR_PUBLIC_TOKEN_HOSTS: readonly string[] = ['public.ecr.aws', 'ecr-public.aws.com'];

/**
 * The patterns nodeadm's own provider config matches for every kubelet version, in its order
 * (awslabs/amazon-eks-ami commit 81fec2e8, nodeadm/internal/kubelet/image-credential-provider.go
 * `ecrMatchImages`). This config replaces nodeadm's, so it keeps every one of them: a node that
 * uses it still authenticates to every ECR registry, and to ECR Public, as before.
 */
export const NODEADM_MATCH_IMAGES: readonly string[] = [
  '*.dkr.ecr.*.amazonaws.com',
  '*.dkr-ecr.*.on.aws',
  '*.dkr.ecr.*.amazonaws.com.cn',
  '*.dkr-ecr.*.on.amazonwebservices.com.cn',
  '*.dkr.ecr-fips.*.amazonaws.com',
  '*.dkr-ecr-fips.*.on.aws',
  '*.dkr.ecr.*.c2s.ic.gov',
  '*.dkr.ecr.*.sc2s.sgov.gov',
  '*.dkr.ecr.*.cloud.adc-e.uk',
  '*.dkr.ecr.*.csp.hci.ic.gov',
  '*.dkr.ecr.*.amazonaws.eu',
  'public.ecr.aws',
];

/**
 * What nodeadm adds for a kubelet of v1.32.0 or later only (same file): the ECR Public dual-stack
 * host. An older ecr-credential-provider treats it as a private host and would send a private ECR
 * token to it (cloud-provider-aws before commit 32e84a3c), so it is matched only from that kubelet on.
 */
export const NODEADM_MATCH_IMAGES_FROM_1_32: readonly string[] = ['ecr-public.aws.com'];

/**
 * The kubelet the provider config is written for when `--kubelet-version` is not given: 1.32, the
 * first for which nodeadm matches `ecr-public.aws.com`. For an older kubelet pass its version.
 */
export const DEFAULT_KUBELET_VERSION = '1.32';

/** Options of the kubelet-facing formats. */
export interface KubeletOptions {
  /**
   * The kubelet minor version of the nodes (`1.31`, `v1.33.2`): it decides which ECR Public hosts
   * the provider config matches, exactly as nodeadm decides.
   * @default DEFAULT_KUBELET_VERSION
   */
  readonly kubeletVersion?: string;
}

/**
 * Parses a kubelet version (`1.31`, `v1.33.2`).
 * @throws NodeConfigError naming `--kubelet-version`.
 * @example
 * parseKubeletVersion('v1.33.2') // { major: 1, minor: 33 }
 */
export function parseKubeletVersion(value: string): { major: number; minor: number } {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(value.trim());
  if (match === null)
    throw new NodeConfigError(`--kubelet-version must be a Kubernetes version such as "1.33" or "v1.31.4", got ${quote(value)}`);
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** nodeadm's `matchImages` for a kubelet version (`semver.Compare(kubeletVersion, "v1.32.0") >= 0`). */
export function nodeadmMatchImages(kubeletVersion: string = DEFAULT_KUBELET_VERSION): string[] {
  const { major, minor } = parseKubeletVersion(kubeletVersion);
  const from132 = major > 1 || (major === 1 && minor >= 32);
  return [...NODEADM_MATCH_IMAGES, ...(from132 ? NODEADM_MATCH_IMAGES_FROM_1_32 : [])];
}

/**
 * Why a kubelet node cannot pull a mirrored host through the cache, or undefined when it can:
 * the provider answers `public.ecr.aws` with an ECR Public token, and an upstream ECR registry
 * with a token of that registry's Region (it reads the Region from the host), which a cache in
 * another Region refuses (ECR tokens are per Region).
 */
export function kubeletExclusionReason(map: MirrorMap, entry: MirrorEntry): string | undefined {
  if (ECR_PUBLIC_TOKEN_HOSTS.includes(entry.host)) {
    return `${ECR_CREDENTIAL_PROVIDER} answers ${entry.host} with an ECR Public token, which the private cache registry refuses; pull it by its cache URI (ptc rewrite, Kyverno) instead`;
  }
  if (entry.rule.upstream === 'ecr' && map.region !== undefined && entry.rule.upstreamRegion !== map.region) {
    return `${ECR_CREDENTIAL_PROVIDER} answers ${entry.host} with a token for ${entry.rule.upstreamRegion ?? 'its Region'}, which the cache registry in ${map.region} refuses (ECR tokens are per Region); pull it by its cache URI instead`;
  }
  return undefined;
}

/** The mirror map a kubelet node can use: every mirrored host without a `kubeletExclusionReason`. */
export function kubeletMirrorMap(map: MirrorMap): MirrorMap {
  return { ...map, entries: map.entries.filter((e: MirrorEntry) => kubeletExclusionReason(map, e) === undefined) };
}

/** The hosts a kubelet node cannot pull through the cache, with the reason, for notes. */
export function kubeletExclusions(map: MirrorMap): { host: string; reason: string }[] {
  return map.entries.flatMap((e) => {
    const reason = kubeletExclusionReason(map, e);
    return reason === undefined ? [] : [{ host: e.host, reason }];
  });
}

/**
 * The `matchImages` of the provider: nodeadm's own patterns for the kubelet version, the cache
 * registry, every mirrored host.
 */
export function credentialProviderMatchImages(map: MirrorMap, kubeletVersion?: string): string[] {
  const hosts = [
    ...nodeadmMatchImages(kubeletVersion),
    map.registry.host,
    ...kubeletMirrorMap(map).entries.map((e) => e.host),
    ...(map.copies ?? []).map((e) => e.host),
  ];
  return [...new Set(hosts)];
}

/** The kubelet `CredentialProviderConfig` object (kubelet.config.k8s.io/v1). */
export interface CredentialProviderConfig {
  apiVersion: 'kubelet.config.k8s.io/v1';
  kind: 'CredentialProviderConfig';
  providers: {
    name: string;
    matchImages: string[];
    defaultCacheDuration: string;
    apiVersion: 'credentialprovider.kubelet.k8s.io/v1';
    env: { name: string; value: string }[];
  }[];
}

/**
 * The kubelet credential provider config for a mirror map. `region` is the cache registry's
 * Region: for a mirrored host the provider asks ECR of `AWS_REGION`.
 */
export function credentialProviderConfig(map: MirrorMap, region: string, options: KubeletOptions = {}): CredentialProviderConfig {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1',
    kind: 'CredentialProviderConfig',
    providers: [
      {
        name: ECR_CREDENTIAL_PROVIDER,
        matchImages: credentialProviderMatchImages(map, options.kubeletVersion),
        defaultCacheDuration: '12h',
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
        env: [{ name: 'AWS_REGION', value: region }],
      },
    ],
  };
}

/** The config as YAML, with a header naming the provider and kubelet versions it is for. */
export function credentialProviderYaml(map: MirrorMap, region: string, options: KubeletOptions = {}): string {
  const kubelet = options.kubeletVersion ?? DEFAULT_KUBELET_VERSION;
  const header = [
    '# ptc-autopilot mirror mode: kubelet image credential provider config (ptc node-config --format credential-provider).',
    `# Needs ${ECR_CREDENTIAL_PROVIDER} ${MIN_ECR_CREDENTIAL_PROVIDER_VERSION} or later (older releases refuse hosts that are not ECR's).`,
    `# For kubelet ${kubelet} (--kubelet-version): keeps nodeadm's patterns for it.`,
    '# kubelet flags: --image-credential-provider-config=<this file> --image-credential-provider-bin-dir=<dir of the binary>',
  ];
  return `${header.join('\n')}\n${stringify(credentialProviderConfig(map, region, options))}`;
}
