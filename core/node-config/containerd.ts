/**
 * containerd's registry host configuration (`hosts.toml`, containerd docs/hosts.md): one file per
 * upstream host of the mirror map, so a node fetches `docker.io/library/nginx:1.27` from
 * `<registry>/v2/docker-hub/library/nginx` without the reference changing.
 *
 * containerd reads a hosts file as: the `[host."..."]` entries in order, then `server` (the
 * upstream) last. `override_path = true` makes containerd use the mirror URL's path as the
 * registry API root instead of appending `/v2`. Without fallback the `server` keeps only the
 * `push` capability, so no pull or resolve ever reaches the upstream (containerd 1.6.20
 * remotes/docker/config/hosts.go: an absent `server` would fall back to the default host with
 * every capability, so leaving it out does not disable the upstream).
 */
import type { CopyMirrorEntry, MirrorEntry, MirrorMap } from './mirror-map';

/** The directory containerd reads hosts files from (`config_path`). */
export const CONTAINERD_CERTS_DIR = '/etc/containerd/certs.d';

/** Options of the hosts files. */
export interface HostsFileOptions {
  /**
   * Let containerd try the upstream when the cache fails (a miss, an outage, a rejected
   * credential). Off by default: on a miss containerd hands the node's registry credential,
   * an ECR token, to the upstream's token realm (see docs/mirror-mode.md, "Credentials").
   * @default false
   */
  readonly fallback: boolean;
  /**
   * The endpoint written as `server` for a host, instead of the real upstream. Tests point it
   * at a loopback port so nothing ever reaches the internet.
   * @default the entry's upstream server
   */
  readonly upstreamServer?: (entry: MirrorEntry) => string;
}

/** One file to write: a path relative to the hosts directory, and its text. */
export interface NodeFile {
  readonly path: string;
  readonly content: string;
}

/** A TOML basic string (the values are hosts and URLs; JSON escaping is valid TOML). */
const tomlString = (value: string): string => JSON.stringify(value);

/** The `hosts.toml` of one mirrored upstream host. */
export function hostsToml(entry: MirrorEntry, options: HostsFileOptions): string {
  const server = options.upstreamServer?.(entry) ?? entry.upstreamServer;
  const lines = [`# ptc-autopilot mirror mode: ${entry.host} via rule "${entry.rule.prefix}"`, `server = ${tomlString(server)}`];
  if (!options.fallback) lines.push('capabilities = ["push"] # cache only: the upstream never serves a pull or resolve');
  lines.push('');
  lines.push(`[host.${tomlString(entry.mirrorUrl)}]`);
  lines.push('  capabilities = ["pull", "resolve"]');
  lines.push('  override_path = true');
  return `${lines.join('\n')}\n`;
}

/**
 * The `hosts.toml` of a `copies` upstream mirrored cache only (`copies[N].mirror: true`): the
 * upstream keeps only `push` whatever `fallback` says, so an image the entry does not list fails
 * at the mirror (ECR answers 404) and nothing, above all not the node's ECR token, reaches the
 * upstream (test/copy-mirror measures both).
 */
export function copyHostsToml(entry: CopyMirrorEntry): string {
  return [
    `# ptc-autopilot mirror mode: ${entry.host} via copies[${entry.index}] (prefix "${entry.prefix}"), cache only: only listed images exist`,
    `server = ${tomlString(entry.upstreamServer)}`,
    `capabilities = ["push"] # cache only, even with fallback: every unlisted image would send the node's ECR token upstream`,
    '',
    `[host.${tomlString(entry.mirrorUrl)}]`,
    '  capabilities = ["pull", "resolve"]',
    '  override_path = true',
    '',
  ].join('\n');
}

/**
 * Every hosts file of a mirror map: `<host>/hosts.toml` per mirrored upstream host (the rules',
 * then the cache-only copy hosts'), and no directory for a host nothing covers (containerd then
 * uses the host itself, as before).
 */
export function containerdHostsFiles(map: MirrorMap, options: HostsFileOptions): NodeFile[] {
  return [
    ...map.entries.map((entry) => ({ path: `${entry.host}/hosts.toml`, content: hostsToml(entry, options) })),
    ...(map.copies ?? []).map((entry) => ({ path: `${entry.host}/hosts.toml`, content: copyHostsToml(entry) })),
  ];
}

/** The containerd major line a node runs, which decides where `config_path` goes. */
export type ContainerdLine = '1.x' | '2.x';

/**
 * The containerd config drop-in that points the CRI plugin at the hosts directory.
 *
 * - 1.6/1.7 (config `version = 2`): `[plugins."io.containerd.grpc.v1.cri".registry] config_path`.
 * - 2.x (config `version = 3`): the CRI image plugin is `io.containerd.cri.v1.images`, with the
 *   same `registry.config_path` in 2.0, 2.1 and 2.2 (internal/cri/config/config.go). From 2.1 the
 *   CRI pulls through the transfer service unless `use_local_image_pull` (new in 2.1.0) or an
 *   option the transfer service lacks (`discard_unpacked_layers`, ...; `CheckLocalImagePullConfigs`)
 *   selects the client pull. The transfer service reads `config_path` as one directory
 *   (`registry.WithHostDir`, core/transfer/registry; containerd #12415, #12636), the client pull
 *   splits it on `:`. The drop-in sets one directory, which both read, and nothing else: it is
 *   valid for every 2.x, and `use_local_image_pull` (unknown to 2.0, which ignores it with a
 *   warning) is not needed.
 *
 * Which line a node runs: `containerd --version` (nodeadm also reads `/etc/eks/containerd-version.txt`),
 * or the `version =` line at the top of `/etc/containerd/config.toml`.
 */
export function containerdConfigDropIn(line: ContainerdLine): string {
  if (line === '1.x') {
    return [
      'version = 2',
      '[plugins."io.containerd.grpc.v1.cri".registry]',
      `  config_path = ${tomlString(CONTAINERD_CERTS_DIR)}`,
      '',
    ].join('\n');
  }
  return [
    'version = 3',
    '[plugins."io.containerd.cri.v1.images".registry]',
    `  config_path = ${tomlString(CONTAINERD_CERTS_DIR)}`,
    '',
  ].join('\n');
}
