/**
 * EKS AL2023 user data for mirror mode: a MIME multi-part document with a nodeadm `NodeConfig`
 * (`node.eks.aws/v1alpha1`) and a shell script that writes the hosts files and the credential
 * provider config.
 *
 * Order on the node (awslabs/amazon-eks-ami templates/al2023/runtime/rootfs/etc/systemd/system,
 * commit 81fec2e8): `nodeadm-config` runs before cloud-init and writes containerd's and the
 * kubelet's config from every NodeConfig part; cloud-init then runs the script; `nodeadm-run`
 * starts containerd and the kubelet after `cloud-final`. So the files exist before the first pull.
 *
 * - `spec.containerd.config` sets `config_path` to the one hosts directory. It is written in the
 *   containerd 1.x schema (`io.containerd.grpc.v1.cri`), which nodeadm merges key by key over its
 *   template (`combineContainerdConfigs`) and, on a containerd 2 node, migrates to config version
 *   3 itself (nodeadm internal/containerd/config.go). nodeadm's templates (config.template.toml,
 *   config2.template.toml) set `config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"`, two
 *   directories, which containerd 2.1+'s transfer service reads as one path that does not exist
 *   (containerd #12415, #12636). The same templates set `discard_unpacked_layers = true`, which
 *   makes 2.1+ fall back to the client pull that splits the list, so EKS nodes work as shipped;
 *   but a node group that sets `discard_unpacked_layers = false` would lose its mirrors. Replacing
 *   the list with the one directory works under either pull.
 * - `spec.kubelet.flags` points the kubelet at ptc-autopilot's own provider config: nodeadm
 *   rewrites its `/etc/eks/image-credential-provider/config.json` at every boot, and a flag given
 *   later on the kubelet command line wins.
 */
import { stringify } from 'yaml';
import { CONTAINERD_CERTS_DIR, containerdHostsFiles, type HostsFileOptions, type NodeFile } from './containerd';
import { credentialProviderYaml, type KubeletOptions } from './credential-provider';
import type { MirrorMap } from './mirror-map';

/** Where the AL2023 user data writes the credential provider config (beside nodeadm's own). */
export const AL2023_CREDENTIAL_PROVIDER_CONFIG = '/etc/eks/image-credential-provider/ptc-autopilot-mirror.yaml';

/** The MIME boundary of the user data. */
export const MIME_BOUNDARY = 'PTC-AUTOPILOT-MIRROR';

const HEREDOC = 'PTC_AUTOPILOT_EOF';

/** The nodeadm NodeConfig part: containerd's hosts directory and the kubelet's provider config. */
export function al2023NodeConfig(): Record<string, unknown> {
  return {
    apiVersion: 'node.eks.aws/v1alpha1',
    kind: 'NodeConfig',
    spec: {
      containerd: {
        config: `[plugins."io.containerd.grpc.v1.cri".registry]\nconfig_path = "${CONTAINERD_CERTS_DIR}"\n`,
      },
      kubelet: {
        flags: [`--image-credential-provider-config=${AL2023_CREDENTIAL_PROVIDER_CONFIG}`],
      },
    },
  };
}

/** Every file the node needs, with its absolute path. */
export function al2023Files(map: MirrorMap, region: string, options: HostsFileOptions & KubeletOptions): NodeFile[] {
  return [
    ...containerdHostsFiles(map, options).map((f) => ({ path: `${CONTAINERD_CERTS_DIR}/${f.path}`, content: f.content })),
    { path: AL2023_CREDENTIAL_PROVIDER_CONFIG, content: credentialProviderYaml(map, region, options) },
  ];
}

/** A shell script that writes `files` (quoted here-documents: nothing in them is expanded). */
export function writeFilesScript(files: readonly NodeFile[]): string {
  const lines = [
    '#!/bin/bash',
    '# ptc-autopilot mirror mode: containerd hosts files and the kubelet credential provider config.',
    'set -euo pipefail',
  ];
  for (const file of files) {
    const dir = file.path.slice(0, file.path.lastIndexOf('/'));
    lines.push(`mkdir -p '${dir}'`);
    lines.push(`cat > '${file.path}' <<'${HEREDOC}'`);
    lines.push(file.content.replace(/\n$/, ''));
    lines.push(HEREDOC);
  }
  return `${lines.join('\n')}\n`;
}

/** The MIME multi-part user data for an AL2023 node group (or a Karpenter EC2NodeClass). */
export function al2023UserData(map: MirrorMap, region: string, options: HostsFileOptions & KubeletOptions): string {
  const parts = [
    ['Content-Type: application/node.eks.aws', '', `---\n${stringify(al2023NodeConfig())}`],
    ['Content-Type: text/x-shellscript; charset="us-ascii"', '', writeFilesScript(al2023Files(map, region, options))],
  ];
  const body = parts.map((p) => `--${MIME_BOUNDARY}\n${p.join('\n')}`).join('\n');
  return `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"\n\n${body}\n--${MIME_BOUNDARY}--\n`;
}
