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
 */
import { stringify } from 'yaml';
import type { MirrorEntry, MirrorMap } from './mirror-map';

/** The first ecr-credential-provider release that returns an ECR token for a host that is not ECR's. */
export const MIN_ECR_CREDENTIAL_PROVIDER_VERSION = 'v1.29.0';

/** The provider's name: the binary the kubelet runs from `--image-credential-provider-bin-dir`. */
export const ECR_CREDENTIAL_PROVIDER = 'ecr-credential-provider';

/** Hosts the provider answers with an ECR Public token instead of a private registry's. */
export const ECR_PUBLIC_TOKEN_HOSTS: readonly string[] = ['public.ecr.aws'];

/**
 * The ECR host patterns nodeadm's own provider config matches (awslabs/amazon-eks-ami
 * nodeadm/internal/kubelet/image-credential-provider.go, commit 81fec2e8), kept so a node that
 * uses this config instead still authenticates to every ECR registry as before.
 */
export const NODEADM_ECR_MATCH_IMAGES: readonly string[] = [
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
];

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

/** The `matchImages` of the provider: ECR's own patterns, the cache registry, every mirrored host. */
export function credentialProviderMatchImages(map: MirrorMap): string[] {
  const hosts = [...NODEADM_ECR_MATCH_IMAGES, map.registry.host, ...kubeletMirrorMap(map).entries.map((e) => e.host)];
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
export function credentialProviderConfig(map: MirrorMap, region: string): CredentialProviderConfig {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1',
    kind: 'CredentialProviderConfig',
    providers: [
      {
        name: ECR_CREDENTIAL_PROVIDER,
        matchImages: credentialProviderMatchImages(map),
        defaultCacheDuration: '12h',
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
        env: [{ name: 'AWS_REGION', value: region }],
      },
    ],
  };
}

/** The config as YAML, with a header naming the provider version it needs. */
export function credentialProviderYaml(map: MirrorMap, region: string): string {
  const header = [
    '# ptc-autopilot mirror mode: kubelet image credential provider config (ptc node-config --format credential-provider).',
    `# Needs ${ECR_CREDENTIAL_PROVIDER} ${MIN_ECR_CREDENTIAL_PROVIDER_VERSION} or later (older releases refuse hosts that are not ECR's).`,
    '# kubelet flags: --image-credential-provider-config=<this file> --image-credential-provider-bin-dir=<dir of the binary>',
  ];
  return `${header.join('\n')}\n${stringify(credentialProviderConfig(map, region))}`;
}
