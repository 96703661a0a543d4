/**
 * The kubelet's rules for a CredentialProviderConfig file, written from its sources so a test can
 * check what ptc-autopilot generates against them (kubernetes/kubernetes commit fde22c3f):
 *
 * - pkg/credentialprovider/plugin/config.go `decode`: the kind must be `CredentialProviderConfig`
 *   and the group `kubelet.config.k8s.io` (the file's `kubelet.config.k8s.io/v1`, types in
 *   test/fixtures/node-config/kubelet-config-v1-types.go.txt); plugin.go decodes with
 *   `serializer.EnableStrict`, so a field types.go does not define is an error.
 * - same file, `validateCredentialProviderConfig`: at least one provider; a name without `/` or
 *   spaces, not `.` or `..`, not repeated; `apiVersion` required and one of `apiVersions`
 *   (plugin.go: `credentialprovider.kubelet.k8s.io/` v1alpha1, v1beta1, v1); `matchImages` not empty,
 *   each parsing as `https://` + pattern (`credentialprovider.ParseSchemelessURL`);
 *   `defaultCacheDuration` required and not negative (a `metav1.Duration`: Go's
 *   `time.ParseDuration` syntax).
 * - pkg/credentialprovider/keyring.go `URLsMatch`: how a pattern matches an image: same port,
 *   the same number of dot-separated host parts, each part a `filepath.Match` glob, and the
 *   pattern's path a prefix of the image's.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const TYPES = path.join(__dirname, '..', 'fixtures', 'node-config', 'kubelet-config-v1-types.go.txt');

/** JSON field names of a Go struct in the vendored k8s.io/kubelet config/v1 types.go. */
export function goJsonFields(struct: string): string[] {
  const body = new RegExp(`type ${struct} struct \\{([\\s\\S]*?)\\n\\}`).exec(readFileSync(TYPES, 'utf8'))?.[1] ?? '';
  return [...body.matchAll(/json:"([A-Za-z]+)[,"]/g)].map((m) => m[1]!);
}

const PROVIDER_API_VERSIONS = ['v1alpha1', 'v1beta1', 'v1'].map((v) => `credentialprovider.kubelet.k8s.io/${v}`);

/** Go's `time.ParseDuration` grammar: `0`, or a signed sequence of decimal numbers with units. */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;

/** Parses a pattern or image the way `ParseSchemelessURL` does (WHATWG URL standing in for Go's url.Parse). */
function schemeless(value: string): URL | undefined {
  try {
    return new URL(`https://${value}`);
  } catch {
    return undefined;
  }
}

/** Every rule the kubelet would refuse the config for, as `field: problem` lines; empty when it loads. */
export function kubeletConfigErrors(config: unknown): string[] {
  const errors: string[] = [];
  const doc = config as Record<string, unknown>;
  if (doc.kind !== 'CredentialProviderConfig') errors.push(`kind: ${String(doc.kind)} is not CredentialProviderConfig`);
  if (doc.apiVersion !== 'kubelet.config.k8s.io/v1') errors.push(`apiVersion: ${String(doc.apiVersion)} is not kubelet.config.k8s.io/v1`);
  for (const key of Object.keys(doc))
    if (!['apiVersion', 'kind', ...goJsonFields('CredentialProviderConfig')].includes(key)) errors.push(`${key}: unknown field`);
  const providers = Array.isArray(doc.providers) ? (doc.providers as Record<string, unknown>[]) : [];
  if (providers.length === 0) errors.push('providers: at least 1 item in plugins is required');
  const seen = new Set<string>();
  for (const p of providers) {
    const name = typeof p.name === 'string' ? p.name : '';
    for (const key of Object.keys(p)) if (!goJsonFields('CredentialProvider').includes(key)) errors.push(`providers.${key}: unknown field`);
    if (name.includes('/') || name.includes(' ') || name === '.' || name === '..')
      errors.push(`providers.name: ${name} is not a valid provider name`);
    if (seen.has(name)) errors.push(`providers.name: duplicate ${name}`);
    seen.add(name);
    if (!PROVIDER_API_VERSIONS.includes(String(p.apiVersion)))
      errors.push(`providers.apiVersion: ${String(p.apiVersion)} is not supported`);
    const match = Array.isArray(p.matchImages) ? (p.matchImages as unknown[]) : [];
    if (match.length === 0) errors.push('providers.matchImages: at least 1 item in matchImages is required');
    for (const m of match)
      if (typeof m !== 'string' || schemeless(m) === undefined) errors.push(`providers.matchImages: ${String(m)} is invalid`);
    const duration = p.defaultCacheDuration;
    if (typeof duration !== 'string' || !GO_DURATION.test(duration) || duration.startsWith('-'))
      errors.push(`providers.defaultCacheDuration: ${String(duration)} is not a duration >= 0`);
    for (const env of Array.isArray(p.env) ? (p.env as Record<string, unknown>[]) : []) {
      for (const key of Object.keys(env)) if (!goJsonFields('ExecEnvVar').includes(key)) errors.push(`providers.env.${key}: unknown field`);
    }
  }
  return errors;
}

/** `filepath.Match` for one host part (`*` matches any run of characters; no `/` in a host). */
const globPart = (glob: string, part: string): boolean =>
  new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(part);

/** Whether pattern `glob` matches image `image` (`URLsMatch`). */
export function kubeletPatternMatches(glob: string, image: string): boolean {
  const g = schemeless(glob);
  const t = schemeless(image);
  if (g === undefined || t === undefined || g.port !== t.port) return false;
  const gParts = g.hostname.split('.');
  const tParts = t.hostname.split('.');
  if (gParts.length !== tParts.length || !t.pathname.startsWith(g.pathname)) return false;
  return gParts.every((part, i) => globPart(part, tParts[i]!));
}
