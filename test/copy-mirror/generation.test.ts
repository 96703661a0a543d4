/**
 * What mirror mode generates for `copies` upstreams (docs/copy.md, "Mirror mode"), checked with
 * the same published schemas and rules as the rules' outputs (test/node-config): the kubelet's
 * rules for a CredentialProviderConfig and its `URLsMatch`, nodeadm's NodeConfig CRD, Bottlerocket's
 * settings model, Karpenter's EC2NodeClass CRD (fixtures with provenance in
 * test/fixtures/node-config/SOURCE). The config is invented: the ALL_UPSTREAMS_YAML rules plus
 * two copy entries (gcr.io listed and mirrored cache only, nvcr.io listed and not mirrored).
 */
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { run } from '../../cli/main';
import { buildPlan, renderPlan } from '../../core';
import { recordingIo } from '../cli/fake-io';
import {
  buildMirrorMap,
  containerdHostsFiles,
  mirrorMapLines,
  nodeConfigDocuments,
  renderNodeConfig,
  type MirrorMap,
} from '../../core/node-config';
import { modelErrors, structWithField } from '../node-config/bottlerocket-model';
import { crdValidator } from '../node-config/crd-schema';
import { ALL_UPSTREAMS_YAML, configFile, configOf } from '../node-config/fixtures';
import { kubeletConfigErrors, kubeletPatternMatches } from '../node-config/kubelet-rules';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'node-config');
const REGISTRY = { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' } as const;

const COPIES_YAML = [
  'copies:',
  '  - prefix: gcr',
  '    upstream: gcr.io',
  '    mirror: true',
  '    images: [gcr.io/distroless/static:nonroot]',
  '  - prefix: nvidia',
  '    upstream: nvcr.io',
  '    images: [nvcr.io/nvidia/k8s-device-plugin:v0.17.0]',
  '',
].join('\n');

const config = configOf(`${ALL_UPSTREAMS_YAML}${COPIES_YAML}`);
const map: MirrorMap = buildMirrorMap(config, REGISTRY, 'eu-west-2');

function render(format: 'credential-provider' | 'al2023' | 'bottlerocket' | 'karpenter', fallback: boolean, m: MirrorMap = map): string {
  const out = renderNodeConfig(format, m, 'eu-west-2', { fallback });
  if (out.kind !== 'document') throw new Error('expected a document');
  return out.text;
}

/** Every host the kubelet would run ecr-credential-provider for, among `images`. */
function providerRunsFor(text: string, image: string): boolean {
  const doc = parseYaml(text) as { providers: { matchImages: string[] }[] };
  return doc.providers[0]!.matchImages.some((p) => kubeletPatternMatches(p, image));
}

describe('the mirror map of copies', () => {
  test('mirrors a copy host only when its entry asks for cache only, and names the other entry with the reason', () => {
    expect(map.copies?.map((c) => [c.host, c.index, c.mirrorUrl])).toEqual([
      ['gcr.io', 0, 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/gcr'],
    ]);
    const nvcr = map.unmirrored.find((u) => u.host === 'nvcr.io');
    expect(nvcr?.copyIndex).toBe(1);
    expect(nvcr?.reason).toMatch(/^copies\[1\] serves only its listed images, .* falls back to the upstream with the node's ECR token/);
    expect(mirrorMapLines(map)).toContain(`nvcr.io not mirrored: ${nvcr!.reason}`);
  });

  test('a config without copies has no copy hosts in its map', () => {
    const plain = buildMirrorMap(configOf(ALL_UPSTREAMS_YAML), REGISTRY, 'eu-west-2');
    expect(plain.copies).toBeUndefined();
    expect(plain.unmirrored).toEqual([]);
  });
});

describe('--format containerd', () => {
  test.each([false, true])('the copy host is cache only whatever fallback says (fallback %s)', (fallback) => {
    const files = containerdHostsFiles(map, { fallback });
    const gcr = files.find((f) => f.path === 'gcr.io/hosts.toml');
    expect(gcr).toBeDefined();
    expect(parseToml(gcr!.content)).toEqual({
      server: 'https://gcr.io',
      capabilities: ['push'],
      host: {
        'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/gcr': { capabilities: ['pull', 'resolve'], override_path: true },
      },
    });
    expect(gcr!.content.startsWith('# ptc-autopilot mirror mode: gcr.io via copies[0]')).toBe(true);
    // The rules keep following the fallback setting.
    const docker = parseToml(files.find((f) => f.path === 'docker.io/hosts.toml')!.content);
    expect(docker.capabilities).toEqual(fallback ? undefined : ['push']);
  });

  test('writes no hosts directory for a copy host that is not mirrored', () => {
    expect(containerdHostsFiles(map, { fallback: true }).map((f) => f.path)).not.toContain('nvcr.io/hosts.toml');
  });
});

describe('--format credential-provider', () => {
  const text = render('credential-provider', false);

  test('is still a CredentialProviderConfig the kubelet loads', () => {
    expect(kubeletConfigErrors(parseYaml(text))).toEqual([]);
  });

  test('the kubelet asks the provider for images of the cache-only copy host, never of the unmirrored one', () => {
    expect(providerRunsFor(text, 'gcr.io/distroless/static')).toBe(true);
    expect(providerRunsFor(text, 'gcr.io/other/unlisted')).toBe(true);
    // No ECR token for nvcr.io: without a mirror it would go straight to NVIDIA.
    expect(providerRunsFor(text, 'nvcr.io/nvidia/k8s-device-plugin')).toBe(false);
  });
});

describe('--format al2023', () => {
  const text = render('al2023', true);

  test("the NodeConfig part still conforms to nodeadm's CRD", () => {
    const nodeConfig = parseYaml(/Content-Type: application\/node\.eks\.aws[^\n]*\n\n([\s\S]*?)\n--/.exec(text)![1]!);
    expect(crdValidator(path.join(FIXTURES, 'nodeadm-nodeconfigs-crd.yaml'), 'v1alpha1')(nodeConfig)).toEqual([]);
  });

  test('writes the cache-only hosts file of the copy host, even with fallback, and none for the unmirrored one', () => {
    expect(text).toContain('/etc/containerd/certs.d/gcr.io/hosts.toml');
    expect(text).toContain(containerdHostsFiles(map, { fallback: true }).find((f) => f.path === 'gcr.io/hosts.toml')!.content);
    expect(text).not.toContain('certs.d/nvcr.io');
  });
});

describe('--format bottlerocket', () => {
  const text = render('bottlerocket', true);
  const settings = parseToml(text) as {
    settings: {
      'container-registry': { mirrors: { registry: string }[] };
      kubernetes: { 'credential-providers': Record<string, { 'image-patterns': string[] }> };
    };
  };

  test('leaves every copy host out of the mirrors and the provider patterns (Bottlerocket always falls back)', () => {
    const registries = settings.settings['container-registry'].mirrors.map((m) => m.registry);
    expect(registries).toContain('docker.io');
    expect(registries).not.toContain('gcr.io');
    expect(registries).not.toContain('nvcr.io');
    const patterns = settings.settings.kubernetes['credential-providers']['ecr-credential-provider']!['image-patterns'];
    expect(patterns).toContain('ghcr.io');
    expect(
      patterns.filter((p) => kubeletPatternMatches(p, 'gcr.io/distroless/static') || kubeletPatternMatches(p, 'nvcr.io/nvidia/x')),
    ).toEqual([]);
    expect(text).toMatch(/^# gcr\.io \(copies\[0\]\.mirror\) is left out/m);
  });

  test("still conforms to Bottlerocket's settings model", () => {
    expect(modelErrors(settings.settings['container-registry'], 'RegistrySettingsV1', 'settings.container-registry')).toEqual([]);
    expect(modelErrors(settings.settings.kubernetes, structWithField('credential_providers'), 'settings.kubernetes')).toEqual([]);
  });
});

describe('--format karpenter', () => {
  const docs = parseAllDocuments(render('karpenter', false)).map((d) => d.toJS() as { spec: { userData: string } });

  test('the AL2023 class mirrors the copy host cache only, the Bottlerocket class leaves it out, both conform to the CRD', () => {
    const check = crdValidator(path.join(FIXTURES, 'karpenter-ec2nodeclasses-crd.yaml'), 'v1');
    for (const doc of docs) expect(check(doc)).toEqual([]);
    expect(docs[0]!.spec.userData).toContain('certs.d/gcr.io/hosts.toml');
    expect(docs[1]!.spec.userData).not.toMatch(/registry = "gcr\.io"/);
  });
});

describe('the documents every stack publishes (SSM parameters)', () => {
  test('carry the cache-only copy host where the nodes can keep it cache only, and not in the Bottlerocket ones', () => {
    const docs = nodeConfigDocuments(map, 'eu-west-2', { fallback: true });
    expect(Object.keys(JSON.parse(docs.containerd) as Record<string, string>)).toContain('gcr.io/hosts.toml');
    expect(docs.containerd).not.toContain('nvcr.io');
    expect(docs.al2023).toContain('certs.d/gcr.io/hosts.toml');
    expect(docs['karpenter-al2023']).toContain('certs.d/gcr.io/hosts.toml');
    expect(docs.bottlerocket).not.toMatch(/"gcr\.io"/);
    expect(docs['karpenter-bottlerocket']).toMatch(/registry = \\?"docker\.io/);
    expect(docs.bottlerocket).toMatch(/"docker\.io"/);
    expect(docs['karpenter-bottlerocket']).not.toMatch(/registry = \\?"gcr\.io/);
  });
});

describe('ptc plan', () => {
  test('lists the cache-only copy host in the mirror map with what it needs, and the unmirrored entry with its reason', () => {
    const text = renderPlan(buildPlan(config));
    expect(text).toContain('gcr.io -> https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/gcr');
    expect(text).toMatch(/needs every image nodes pull from gcr\.io listed in copies\[0\]\.images \(mirrored cache only/);
    expect(text).toMatch(/nvcr\.io not mirrored: copies\[1\] serves only its listed images/);
  });
});

describe('ptc node-config', () => {
  test('says which copy host is mirrored cache only and why the other is not, one line each', async () => {
    const io = recordingIo();
    expect(await run(['node-config', '-c', configFile(`${ALL_UPSTREAMS_YAML}${COPIES_YAML}`), '--format', 'containerd'], io)).toBe(0);
    expect(io.err).toMatch(
      /^note: gcr\.io is mirrored cache only \(copies\[0\]\.mirror\): images it does not list fail to pull on these nodes$/m,
    );
    expect(io.err).toMatch(/^note: nvcr\.io is not mirrored: copies\[1\] serves only its listed images, .*Kyverno policy$/m);
    expect(io.out).toContain('# --- gcr.io/hosts.toml');
    expect(io.out).not.toContain('nvcr.io/hosts.toml');
  });

  test('--format bottlerocket says the cache-only copy host is left out', async () => {
    const io = recordingIo();
    expect(await run(['node-config', '-c', configFile(`${ALL_UPSTREAMS_YAML}${COPIES_YAML}`), '--format', 'bottlerocket'], io)).toBe(0);
    expect(io.err).toMatch(/^note: gcr\.io is mirrored cache only .*\(left out of the Bottlerocket settings, which always fall back\)$/m);
  });

  test('a config whose rules cannot be mirrored still generates its cache-only copy host', async () => {
    const yaml = [
      'account: "111122223333"',
      'region: eu-west-2',
      'rules:',
      '  - { prefix: platform, upstream: ecr, upstreamAccount: "444455556666", upstreamRegion: eu-west-2, customRoleArn: "arn:aws:iam::111122223333:role/ptc-upstream", upstreamRepositoryPrefix: team }',
      COPIES_YAML,
    ].join('\n');
    const io = recordingIo();
    expect(await run(['node-config', '-c', configFile(yaml), '--format', 'containerd'], io)).toBe(0);
    expect(io.err).toMatch(/^note: 444455556666\.dkr\.ecr\.eu-west-2\.amazonaws\.com is not mirrored: rule "platform"/m);
    expect(io.out).toContain('# --- gcr.io/hosts.toml');
  });
});
