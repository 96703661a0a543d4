/**
 * Bottlerocket settings for mirror mode (user data TOML; reference:
 * https://bottlerocket.dev/en/os/latest/api/settings/container-registry/ and the
 * `settings.kubernetes.credential-providers` defaults in bottlerocket-os/bottlerocket
 * sources/shared-defaults/kubernetes-aws-credential-provider.toml).
 *
 * What Bottlerocket cannot do today, stated in the output too:
 * - no "cache only": "The runtime will still try the default registry URL if the mirrors fail"
 *   (settings reference); asking for that is bottlerocket-os/bottlerocket#4891, open. So a
 *   Bottlerocket node always has fallback, with the credential exposure described in
 *   docs/mirror-mode.md.
 * - no mirror credential of its own: `settings.container-registry.credentials` holds static
 *   values, and an ECR token expires after 12 hours, so the node must get its token from the
 *   kubelet's `ecr-credential-provider` matching the upstream hosts (written here);
 *   bottlerocket-os/bottlerocket#3631 (open) reports mirrors to an ECR pull through cache being
 *   ignored, so verify on one node before a rollout (docs/mirror-mode.md, "Verify").
 *
 * Where the settings go on the node:
 * - `settings.container-registry.mirrors`: up to core-kit v3.x Bottlerocket rendered them as the CRI
 *   `registry.mirrors` of containerd's config.toml (bottlerocket-core-kit v3.1.1,
 *   packages/containerd/containerd-config-toml_k8s_containerd_sock), which containerd 2.x
 *   deprecates. Current core-kit renders each one into `/etc/containerd/certs.d/<host>/hosts.toml`
 *   (sources/api/thar-be-registries, bottlerocket-core-kit#819): `server` is the upstream
 *   (`registry-1.docker.io` for docker.io), every endpoint a `[host]` with pull and resolve, and
 *   `override_path = true` when the endpoint has a path, as `https://<registry>/v2/<prefix>` has.
 *   The same setting therefore works on both; it is what this module writes.
 * - `settings.kubernetes.credential-providers.<name>.environment`: rendered as the provider's `env`
 *   beside `HOME` and `AWS_PROFILE` (bottlerocket-core-kit packages/kubernetes-1.31/
 *   credential-provider-config-yaml; the key exists since Bottlerocket v1.14.0). `AWS_REGION` is
 *   set there: for a mirrored host that is not ECR's the provider cannot read a Region from the host.
 * - ecr-credential-provider: the aws-k8s-1.29 and later variants ship a v1.29+ provider (core-kit
 *   packages/kubernetes-1.29/kubernetes-1.29.spec requires ecr-credential-provider-1.29, 1.29.6);
 *   aws-k8s-1.27 and 1.28 ship 1.27.9 and 1.23-1.26 ship 1.25.x, which refuse hosts that are not
 *   ECR's. Mirror mode needs an aws-k8s-1.29 or later variant (Bottlerocket v1.18.0 or later).
 */
import { credentialProviderMatchImages, ECR_CREDENTIAL_PROVIDER, ECR_PUBLIC_TOKEN_HOSTS, kubeletMirrorMap } from './credential-provider';
import type { MirrorMap } from './mirror-map';

/**
 * Bottlerocket's default `image-patterns` (bottlerocket-os/bottlerocket commit 91632ff5,
 * sources/shared-defaults/kubernetes-aws-credential-provider.toml): setting the list replaces
 * them, so they are kept.
 */
export const BOTTLEROCKET_ECR_IMAGE_PATTERNS: readonly string[] = [
  '*.dkr.ecr.*.amazonaws.com',
  '*.dkr.ecr.*.amazonaws.com.cn',
  '*.dkr.ecr-fips.*.amazonaws.com',
  '*.dkr.ecr.us-iso-east-1.c2s.ic.gov',
  '*.dkr.ecr.us-isob-east-1.sc2s.sgov.gov',
];

/** The first Bottlerocket Kubernetes variant whose ecr-credential-provider (v1.29+) serves hosts that are not ECR's. */
export const MIN_BOTTLEROCKET_K8S_VARIANT = 'aws-k8s-1.29';

/**
 * The Bottlerocket settings object (the `settings` table of user data). `region` is the cache
 * registry's Region, given to the provider as `AWS_REGION`.
 */
export function bottlerocketSettings(map: MirrorMap, region: string): Record<string, unknown> {
  // Cache-only copy hosts stay out, mirror and provider pattern alike: Bottlerocket always falls
  // back, and a copy misses every unlisted image, so the provider's ECR token would go upstream.
  const node: MirrorMap = { ...kubeletMirrorMap(map), copies: [] };
  return {
    settings: {
      'container-registry': {
        mirrors: node.entries.map((e) => ({ registry: e.host, endpoint: [e.mirrorUrl] })),
      },
      kubernetes: {
        'credential-providers': {
          [ECR_CREDENTIAL_PROVIDER]: {
            enabled: true,
            'cache-duration': '12h',
            // Bottlerocket's own patterns carry no ECR Public host, and its v1.29-v1.31 providers would
            // answer ecr-public.aws.com with a private token: nodeadm's ECR Public hosts stay out.
            'image-patterns': [
              ...new Set([
                ...BOTTLEROCKET_ECR_IMAGE_PATTERNS,
                ...credentialProviderMatchImages(node).filter((p) => !ECR_PUBLIC_TOKEN_HOSTS.includes(p)),
              ]),
            ],
            environment: { AWS_REGION: region },
          },
        },
      },
    },
  };
}

/** What Bottlerocket cannot do, as comment lines for the generated TOML. */
export const BOTTLEROCKET_LIMITS: readonly string[] = [
  `Needs an ${MIN_BOTTLEROCKET_K8S_VARIANT} or later variant (Bottlerocket v1.18.0+): older variants ship an ecr-credential-provider before v1.29, which refuses hosts that are not ECR's.`,
  'Bottlerocket always falls back to the upstream when the cache fails: there is no cache-only setting (bottlerocket-os/bottlerocket#4891).',
  'With fallback the node credential (an ECR token) can reach the upstream token realm on a miss: see docs/mirror-mode.md, "Credentials".',
  'settings.container-registry.credentials are static and an ECR token expires in 12 hours; the token comes from the kubelet credential provider below instead.',
  'Mirrors to an ECR pull through cache have been reported ignored (bottlerocket-os/bottlerocket#3631): verify with crictl pull on one node first.',
];

/** A TOML value: a basic string (JSON escaping is valid TOML), a boolean, or an array of strings. */
function tomlValue(value: unknown): string {
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(String(v))).join(', ')}]`;
  return JSON.stringify(String(value));
}

const isTable = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `key = value` lines of a table's values that are not tables. */
const valueLines = (table: Record<string, unknown>): string[] =>
  Object.entries(table)
    .filter(([, v]) => !isTable(v))
    .map(([k, v]) => `${k} = ${tomlValue(v)}`);

/**
 * The lines of table `name`: its `key = value` lines, then a `[name.key]` table per nested table
 * (every key is a bare TOML key: letters, digits, `-`, `_`).
 */
function tableLines(name: string, table: Record<string, unknown>): string[] {
  const lines = [`[${name}]`, ...valueLines(table)];
  for (const [k, v] of Object.entries(table)) if (isTable(v)) lines.push('', ...tableLines(`${name}.${k}`, v));
  return lines;
}

/** The Bottlerocket user data TOML, with the limits stated at the top. */
export function bottlerocketToml(map: MirrorMap, region: string): string {
  const settings = bottlerocketSettings(map, region).settings as {
    'container-registry': { mirrors: Record<string, unknown>[] };
    kubernetes: { 'credential-providers': Record<string, Record<string, unknown>> };
  };
  const lines = [
    '# ptc-autopilot mirror mode for Bottlerocket (ptc node-config --format bottlerocket).',
    ...BOTTLEROCKET_LIMITS.map((l) => `# ${l}`),
    ...(map.copies ?? []).map(
      (c) =>
        `# ${c.host} (copies[${c.index}].mirror) is left out: a copy host is mirrored cache only, which Bottlerocket cannot express, and with fallback every unlisted image would send the ECR token upstream.`,
    ),
  ];
  for (const mirror of settings['container-registry'].mirrors)
    lines.push('', '[[settings.container-registry.mirrors]]', ...valueLines(mirror));
  for (const [name, provider] of Object.entries(settings.kubernetes['credential-providers'])) {
    lines.push('', ...tableLines(`settings.kubernetes.credential-providers.${name}`, provider));
  }
  return `${lines.join('\n')}\n`;
}
