/**
 * What nodeadm (awslabs/amazon-eks-ami commit 81fec2e8) writes on an AL2023 node, and what the
 * `credential-provider`, `al2023` and Karpenter AL2023 outputs do to it. Fixtures (verbatim, see
 * test/fixtures/node-config/SOURCE):
 * - nodeadm/internal/kubelet/image-credential-provider.go: the provider config nodeadm generates
 *   (`ecrMatchImages`, plus `ecr-public.aws.com` for kubelet v1.32.0 and later);
 * - nodeadm/test/e2e/cases/image-credential-provider/expected-*.json: that config as nodeadm's own
 *   e2e test expects it for kubelet 1.31.0 and 1.36.0;
 * - nodeadm/internal/containerd/config.template.toml: the containerd config nodeadm merges a
 *   NodeConfig's `spec.containerd.config` over (`combineContainerdConfigs`: util.Merge, mergo
 *   WithOverride: the NodeConfig's keys replace the template's, tables merge key by key).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  DEFAULT_KUBELET_VERSION,
  NodeConfigError,
  al2023NodeConfig,
  buildMirrorMap,
  nodeadmMatchImages,
  renderNodeConfig,
  type KubeletOptions,
} from '../../core/node-config';
import { ALL_UPSTREAMS_YAML, configOf } from './fixtures';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'node-config');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
const map = buildMirrorMap(
  configOf(ALL_UPSTREAMS_YAML),
  { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' },
  'eu-west-2',
);

/** nodeadm's patterns for a kubelet version, read from its Go source (the list, then the v1.32.0 append). */
function nodeadmSourcePatterns(kubelet: string): string[] {
  const source = fixture('nodeadm-image-credential-provider.go.txt');
  const list = /ecrMatchImages := \[\]string\{([\s\S]*?)\n\t\}/.exec(source)?.[1] ?? '';
  const base = [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  const gate =
    /if semver\.Compare\(kubeletVersion, "v(\d+)\.(\d+)\.0"\) >= 0 \{[\s\S]*?ecrMatchImages = append\(ecrMatchImages, ([^)]*)\)/.exec(
      source,
    );
  if (gate === null) throw new Error('nodeadm source changed: no versioned append');
  const [major, minor] = kubelet.split('.').map(Number) as [number, number];
  const from = { major: Number(gate[1]), minor: Number(gate[2]) };
  const added = [...gate[3]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  return major > from.major || (major === from.major && minor >= from.minor) ? [...base, ...added] : base;
}

/** The provider `matchImages` inside every kubelet-facing output for a kubelet version. */
function ourPatterns(options: KubeletOptions): Record<string, string[]> {
  const doc = (format: 'credential-provider' | 'al2023' | 'karpenter'): string => {
    const out = renderNodeConfig(format, map, 'eu-west-2', { fallback: false, ...options });
    if (out.kind !== 'document') throw new Error('expected a document');
    return out.text;
  };
  const fromYaml = (text: string): string[] => (parseYaml(text) as { providers: { matchImages: string[] }[] }).providers[0]!.matchImages;
  /** The provider config the user data script writes (its here-document). */
  const fromUserData = (userData: string): string[] =>
    fromYaml(/cat > '[^']*ptc-autopilot-mirror\.yaml' <<'PTC_AUTOPILOT_EOF'\n([\s\S]*?)\nPTC_AUTOPILOT_EOF/.exec(userData)![1]!);
  const karpenterAl2023 = (parseAllDocuments(doc('karpenter'))[0]!.toJS() as { spec: { userData: string } }).spec.userData;
  return {
    'credential-provider': fromYaml(doc('credential-provider')),
    al2023: fromUserData(doc('al2023')),
    'karpenter al2023': fromUserData(karpenterAl2023),
  };
}

describe("nodeadm's own credential provider patterns survive in ours", () => {
  test("the patterns read from nodeadm's source are the ones its e2e test expects for kubelet 1.31 and 1.36", () => {
    const expected = (file: string): string[] =>
      (JSON.parse(fixture(file)) as { providers: { matchImages: string[] }[] }).providers[0]!.matchImages;
    expect(nodeadmSourcePatterns('1.31')).toEqual(expected('nodeadm-expected-image-credential-provider-config-1.31.json'));
    expect(nodeadmSourcePatterns('1.36')).toEqual(expected('nodeadm-expected-image-credential-provider-config-1.36.json'));
    expect(nodeadmSourcePatterns('1.36')).toContain('public.ecr.aws');
  });

  test.each(['1.28', '1.31', '1.32', '1.33', '1.36'])(
    'kubelet %s: every pattern nodeadm ships, and no ECR Public host it does not',
    (kubelet) => {
      const theirs = nodeadmSourcePatterns(kubelet);
      expect(nodeadmMatchImages(kubelet)).toEqual(theirs);
      for (const [output, ours] of Object.entries(ourPatterns({ kubeletVersion: kubelet }))) {
        expect({ output, missing: theirs.filter((p) => !ours.includes(p)) }).toEqual({ output, missing: [] });
        expect({ output, ecrPublicDualStack: ours.includes('ecr-public.aws.com') }).toEqual({
          output,
          ecrPublicDualStack: theirs.includes('ecr-public.aws.com'),
        });
      }
    },
  );

  test(`without --kubelet-version the outputs are written for kubelet ${DEFAULT_KUBELET_VERSION}, and say so`, () => {
    for (const ours of Object.values(ourPatterns({})))
      expect(ours).toEqual(expect.arrayContaining(nodeadmSourcePatterns(DEFAULT_KUBELET_VERSION)));
    const out = renderNodeConfig('credential-provider', map, 'eu-west-2', { fallback: false });
    expect(out.kind === 'document' && out.text).toContain(`# For kubelet ${DEFAULT_KUBELET_VERSION} (--kubelet-version)`);
  });

  test('a kubelet version that is not one is refused with one line naming the option', () => {
    expect(() => nodeadmMatchImages('latest')).toThrow(NodeConfigError);
    expect(() => nodeadmMatchImages('latest')).toThrow(
      '--kubelet-version must be a Kubernetes version such as "1.33" or "v1.31.4", got "latest"',
    );
    expect(nodeadmMatchImages('v1.31.4')).not.toContain('ecr-public.aws.com');
  });
});

describe("nodeadm's containerd config template and the al2023 NodeConfig", () => {
  /** nodeadm's template rendered for a node without SOCI (its `{{if}}` blocks out, `{{.X}}` filled in). */
  const template = (name: string): Record<string, unknown> =>
    parseToml(
      fixture(name)
        .replace(/\{\{-? ?if \.UseSOCISnapshotter\}\}[\s\S]*?\{\{-? ?end\}\}/g, '')
        .replace(/\{\{\.(\w+)\}\}/g, (_m, v: string) => (v === 'EnableCDI' ? 'true' : `template-${v}`)),
    );

  /** mergo.Merge with WithOverride over maps: tables merge, the source's values replace. */
  function merge(dst: Record<string, unknown>, src: Record<string, unknown>): Record<string, unknown> {
    const out = { ...dst };
    for (const [k, v] of Object.entries(src)) {
      const d = out[k];
      out[k] =
        typeof v === 'object' && v !== null && !Array.isArray(v) && typeof d === 'object' && d !== null && !Array.isArray(d)
          ? merge(d as Record<string, unknown>, v as Record<string, unknown>)
          : v;
    }
    return out;
  }

  const cri = (config: Record<string, unknown>): Record<string, unknown> =>
    (config.plugins as Record<string, Record<string, unknown>>)['io.containerd.grpc.v1.cri']!;
  const ours = parseToml((al2023NodeConfig() as { spec: { containerd: { config: string } } }).spec.containerd.config) as Record<
    string,
    unknown
  >;

  test('nodeadm sets two colon-separated hosts directories and discard_unpacked_layers, in both its templates', () => {
    for (const [name, plugin] of [
      ['nodeadm-containerd-config.template.toml', 'io.containerd.grpc.v1.cri'],
      ['nodeadm-containerd-config2.template.toml', 'io.containerd.cri.v1.images'],
    ] as const) {
      const t = template(name);
      const images = (t.plugins as Record<string, Record<string, unknown>>)[plugin]!;
      expect((images.registry as { config_path: string }).config_path).toBe('/etc/containerd/certs.d:/etc/docker/certs.d');
      // containerd 2.1+ falls back to the client pull when discard_unpacked_layers is set (CheckLocalImagePullConfigs).
      expect(
        plugin === 'io.containerd.grpc.v1.cri'
          ? (images.containerd as { discard_unpacked_layers: boolean }).discard_unpacked_layers
          : images.discard_unpacked_layers,
      ).toBe(true);
    }
  });

  test("merged over nodeadm's template, our NodeConfig leaves one hosts directory and keeps everything else nodeadm set", () => {
    const base = template('nodeadm-containerd-config.template.toml');
    const merged = merge(base, ours);
    expect((cri(merged).registry as { config_path: string }).config_path).toBe('/etc/containerd/certs.d');
    expect(cri(merged).containerd).toEqual(cri(base).containerd);
    expect(cri(merged).sandbox_image).toBe(cri(base).sandbox_image);
    expect({ ...merged, plugins: undefined }).toEqual({ ...base, plugins: undefined });
  });
});
