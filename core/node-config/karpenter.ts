/**
 * Karpenter `EC2NodeClass` objects (karpenter.k8s.aws/v1) carrying the mirror-mode user data:
 * Karpenter merges its own NodeConfig (AL2023) or settings (Bottlerocket) into `spec.userData`
 * (CRD description of `userData`, aws/karpenter-provider-aws pkg/apis/crds/
 * karpenter.k8s.aws_ec2nodeclasses.yaml), so only the mirror parts are given here.
 *
 * The role and the selector terms are placeholders (`<cluster-name>`) the operator replaces.
 */
import { stringify } from 'yaml';
import { al2023UserData } from './al2023';
import { bottlerocketToml } from './bottlerocket';
import type { HostsFileOptions } from './containerd';
import type { KubeletOptions } from './credential-provider';
import type { MirrorMap } from './mirror-map';

/** The AMI families the Karpenter output covers. */
export type KarpenterFamily = 'al2023' | 'bottlerocket';

/** One EC2NodeClass with the mirror user data. */
export function karpenterNodeClass(
  map: MirrorMap,
  region: string,
  family: KarpenterFamily,
  options: HostsFileOptions & KubeletOptions,
): Record<string, unknown> {
  const discovery = [{ tags: { 'karpenter.sh/discovery': '<cluster-name>' } }];
  return {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name: `ptc-mirror-${family}` },
    spec: {
      amiSelectorTerms: [{ alias: `${family}@latest` }],
      role: 'KarpenterNodeRole-<cluster-name>',
      subnetSelectorTerms: discovery,
      securityGroupSelectorTerms: discovery,
      // Bottlerocket always falls back (no cache-only setting), so its hosts options do not apply.
      userData: family === 'al2023' ? al2023UserData(map, region, options) : bottlerocketToml(map, region),
    },
  };
}

/**
 * One EC2NodeClass as plain YAML: no anchors or aliases (`&a1`/`*a1`), which kubectl resolves and
 * some GitOps tools do not; the selector terms share one object, so the yaml library would alias it.
 */
export function karpenterNodeClassYaml(
  map: MirrorMap,
  region: string,
  family: KarpenterFamily,
  options: HostsFileOptions & KubeletOptions,
): string {
  return stringify(karpenterNodeClass(map, region, family, options), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Both EC2NodeClass objects as one YAML stream. */
export function karpenterYaml(map: MirrorMap, region: string, options: HostsFileOptions & KubeletOptions): string {
  const header = '# ptc-autopilot mirror mode: EC2NodeClass user data (ptc node-config --format karpenter). Replace <cluster-name>.\n';
  const docs = (['al2023', 'bottlerocket'] as const).map((f) => karpenterNodeClassYaml(map, region, f, options));
  return `${header}${docs.map((d) => `---\n${d}`).join('')}`;
}
