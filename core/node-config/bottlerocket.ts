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
 */
import { credentialProviderMatchImages, ECR_CREDENTIAL_PROVIDER, kubeletMirrorMap } from './credential-provider';
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

/** The Bottlerocket settings object (the `settings` table of user data). */
export function bottlerocketSettings(map: MirrorMap): Record<string, unknown> {
  const node = kubeletMirrorMap(map);
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
            'image-patterns': [...new Set([...BOTTLEROCKET_ECR_IMAGE_PATTERNS, ...credentialProviderMatchImages(map)])],
          },
        },
      },
    },
  };
}

/** What Bottlerocket cannot do, as comment lines for the generated TOML. */
export const BOTTLEROCKET_LIMITS: readonly string[] = [
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

/** `key = value` lines of a flat table (every key is a bare TOML key: letters, digits, `-`, `_`). */
const tableLines = (table: Record<string, unknown>): string[] => Object.entries(table).map(([k, v]) => `${k} = ${tomlValue(v)}`);

/** The Bottlerocket user data TOML, with the limits stated at the top. */
export function bottlerocketToml(map: MirrorMap): string {
  const settings = bottlerocketSettings(map).settings as {
    'container-registry': { mirrors: Record<string, unknown>[] };
    kubernetes: { 'credential-providers': Record<string, Record<string, unknown>> };
  };
  const lines = ['# ptc-autopilot mirror mode for Bottlerocket (ptc node-config --format bottlerocket).', ...BOTTLEROCKET_LIMITS.map((l) => `# ${l}`)];
  for (const mirror of settings['container-registry'].mirrors) lines.push('', '[[settings.container-registry.mirrors]]', ...tableLines(mirror));
  for (const [name, provider] of Object.entries(settings.kubernetes['credential-providers'])) {
    lines.push('', `[settings.kubernetes.credential-providers.${name}]`, ...tableLines(provider));
  }
  return `${lines.join('\n')}\n`;
}
