/**
 * The kubelet-facing formats checked against the schemas their maintainers publish (copies with
 * provenance in test/fixtures/node-config/SOURCE):
 * - credential-provider: kubelet CredentialProviderConfig (k8s.io/kubelet/config/v1 types.go);
 * - al2023: nodeadm's NodeConfig CRD (awslabs/amazon-eks-ami nodeadm/crds), MIME parts as nodeadm
 *   reads them (`application/node.eks.aws`), and the script's files;
 * - bottlerocket: the settings reference (bottlerocket.dev .../api/settings/container-registry/)
 *   and Bottlerocket's own credential-provider defaults;
 * - karpenter: the EC2NodeClass CRD (aws/karpenter-provider-aws pkg/apis/crds).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  AL2023_CREDENTIAL_PROVIDER_CONFIG,
  MIN_ECR_CREDENTIAL_PROVIDER_VERSION,
  buildMirrorMap,
  containerdHostsFiles,
  kubeletMirrorMap,
  renderNodeConfig,
  type MirrorMap,
} from '../../core/node-config';
import { ALL_UPSTREAMS_YAML, configOf } from './fixtures';
import { crdSchema, schemaErrors } from './openapi';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'node-config');
const REGISTRY = { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' } as const;
const map: MirrorMap = buildMirrorMap(configOf(ALL_UPSTREAMS_YAML), REGISTRY, 'eu-west-2');
const render = (format: 'credential-provider' | 'al2023' | 'bottlerocket' | 'karpenter', fallback = false): string => {
  const out = renderNodeConfig(format, map, 'eu-west-2', { fallback });
  if (out.kind !== 'document') throw new Error('expected a document');
  return out.text;
};

/** JSON field names of a Go struct in types.go (`json:"name,omitempty"`). */
function goJsonFields(struct: string): string[] {
  const source = readFileSync(path.join(FIXTURES, 'kubelet-config-v1-types.go.txt'), 'utf8');
  const body = new RegExp(`type ${struct} struct \\{([\\s\\S]*?)\\n\\}`).exec(source)?.[1] ?? '';
  return [...body.matchAll(/json:"([A-Za-z]+)[,"]/g)].map((m) => m[1]!);
}

/** Splits MIME multi-part user data into its parts (headers and body). */
function mimeParts(text: string): { contentType: string; body: string }[] {
  const boundary = /boundary="([^"]+)"/.exec(text)?.[1];
  if (boundary === undefined) throw new Error('no MIME boundary');
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const [head, ...rest] = part.replace(/^\n/, '').split('\n\n');
      return { contentType: /Content-Type: ([^;\n]+)/.exec(head ?? '')?.[1] ?? '', body: rest.join('\n\n') };
    });
}

describe('--format credential-provider', () => {
  const doc = parseYaml(render('credential-provider')) as Record<string, unknown> & { providers: Record<string, unknown>[] };

  test('is a kubelet.config.k8s.io/v1 CredentialProviderConfig using only fields types.go defines', () => {
    expect(doc).toMatchObject({ apiVersion: 'kubelet.config.k8s.io/v1', kind: 'CredentialProviderConfig' });
    expect(goJsonFields('CredentialProviderConfig')).toEqual(['providers']);
    const providerFields = goJsonFields('CredentialProvider');
    for (const provider of doc.providers) {
      for (const key of Object.keys(provider)) expect(providerFields).toContain(key);
      // name, matchImages, defaultCacheDuration and apiVersion carry no omitempty: required.
      for (const key of ['name', 'matchImages', 'defaultCacheDuration', 'apiVersion']) expect(provider).toHaveProperty(key);
      for (const env of provider.env as Record<string, unknown>[]) expect(Object.keys(env).sort()).toEqual(goJsonFields('ExecEnvVar').sort());
    }
  });

  test('matches the cache registry and every mirrored upstream host except public.ecr.aws, with the provider version it needs', () => {
    const provider = doc.providers[0]!;
    expect(provider.name).toBe('ecr-credential-provider');
    const match = provider.matchImages as string[];
    for (const host of ['111122223333.dkr.ecr.eu-west-2.amazonaws.com', 'docker.io', 'ghcr.io', 'quay.io', 'registry.k8s.io', 'registry.gitlab.com', 'cgr.dev', 'myregistry.azurecr.io']) {
      expect(match).toContain(host);
    }
    expect(match).toContain('*.dkr.ecr.*.amazonaws.com');
    expect(match).not.toContain('public.ecr.aws');
    expect(provider.env).toEqual([{ name: 'AWS_REGION', value: 'eu-west-2' }]);
    expect(render('credential-provider')).toContain(`ecr-credential-provider ${MIN_ECR_CREDENTIAL_PROVIDER_VERSION} or later`);
  });
});

describe('--format al2023', () => {
  const text = render('al2023');
  const parts = mimeParts(text);

  test('is MIME multi-part user data: a NodeConfig part, then a shell script part', () => {
    expect(text.startsWith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="')).toBe(true);
    expect(parts.map((p) => p.contentType)).toEqual(['application/node.eks.aws', 'text/x-shellscript']);
  });

  test("the NodeConfig conforms to nodeadm's CRD (node.eks.aws/v1alpha1)", () => {
    const nodeConfig = parseYaml(parts[0]!.body);
    expect(nodeConfig).toMatchObject({ apiVersion: 'node.eks.aws/v1alpha1', kind: 'NodeConfig' });
    expect(schemaErrors(nodeConfig, crdSchema(path.join(FIXTURES, 'nodeadm-nodeconfigs-crd.yaml'), 'v1alpha1'))).toEqual([]);
    const containerd = parseToml((nodeConfig as { spec: { containerd: { config: string } } }).spec.containerd.config);
    expect(containerd).toEqual({ plugins: { 'io.containerd.grpc.v1.cri': { registry: { config_path: '/etc/containerd/certs.d' } } } });
    expect((nodeConfig as { spec: { kubelet: { flags: string[] } } }).spec.kubelet.flags).toEqual([`--image-credential-provider-config=${AL2023_CREDENTIAL_PROVIDER_CONFIG}`]);
  });

  test('the script, run by bash, writes exactly the hosts files and the credential provider config', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ptc-al2023-'));
    const script = parts[1]!.body.split("'/etc/").join(`'${root}/etc/`);
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const expected = containerdHostsFiles(kubeletMirrorMap(map), { fallback: false });
    expect(readdirSync(path.join(root, 'etc', 'containerd', 'certs.d')).sort()).toEqual(expected.map((f) => f.path.split('/')[0]).sort());
    for (const file of expected) expect(readFileSync(path.join(root, 'etc', 'containerd', 'certs.d', file.path), 'utf8')).toBe(file.content);
    const provider = parseYaml(readFileSync(path.join(root, AL2023_CREDENTIAL_PROVIDER_CONFIG), 'utf8'));
    expect(provider).toEqual(parseYaml(render('credential-provider')));
  });

  test('leaves public.ecr.aws out: its credential provider token would be refused by the cache', () => {
    expect(text).not.toContain('certs.d/public.ecr.aws');
    expect(text).toContain('certs.d/docker.io/hosts.toml');
  });

  test("leaves out an upstream ECR registry in another Region (the provider's token is for that Region) and keeps one in the cache's", () => {
    expect(text).not.toContain('certs.d/444455556666.dkr.ecr.us-east-1.amazonaws.com');
    const sameRegion = buildMirrorMap(configOf(ALL_UPSTREAMS_YAML.replace('upstreamRegion: us-east-1', 'upstreamRegion: eu-west-2')), REGISTRY, 'eu-west-2');
    const out = renderNodeConfig('al2023', sameRegion, 'eu-west-2', { fallback: false });
    expect(out.kind === 'document' && out.text).toContain("certs.d/444455556666.dkr.ecr.eu-west-2.amazonaws.com/hosts.toml");
  });
});

describe('--format bottlerocket', () => {
  const text = render('bottlerocket');
  const settings = parseToml(text) as { settings: { 'container-registry': { mirrors: Record<string, unknown>[] }; kubernetes: { 'credential-providers': Record<string, Record<string, unknown>> } } };

  test('mirrors are settings.container-registry.mirrors tables of registry and endpoint (Bottlerocket settings reference)', () => {
    const mirrors = settings.settings['container-registry'].mirrors;
    for (const m of mirrors) expect(Object.keys(m).sort()).toEqual(['endpoint', 'registry']);
    expect(mirrors).toContainEqual({ registry: 'docker.io', endpoint: ['https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/docker-hub'] });
    expect(mirrors.map((m) => m.registry)).not.toContain('public.ecr.aws');
  });

  test("the credential provider table uses Bottlerocket's own keys and adds the mirrored hosts to its image patterns", () => {
    const defaults = parseToml(readFileSync(path.join(FIXTURES, 'bottlerocket-kubernetes-aws-credential-provider.toml'), 'utf8')) as typeof settings;
    const ours = settings.settings.kubernetes['credential-providers']['ecr-credential-provider']!;
    const theirs = defaults.settings.kubernetes['credential-providers']['ecr-credential-provider']!;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const pattern of theirs['image-patterns'] as string[]) expect(ours['image-patterns']).toContain(pattern);
    expect(ours['image-patterns']).toContain('ghcr.io');
  });

  test('says plainly what Bottlerocket cannot do (bottlerocket #4891, #3631)', () => {
    expect(text).toMatch(/^# .*no cache-only setting \(bottlerocket-os\/bottlerocket#4891\)/m);
    expect(text).toMatch(/^# .*bottlerocket-os\/bottlerocket#3631/m);
  });
});

describe('--format karpenter', () => {
  const docs = parseAllDocuments(render('karpenter')).map((d) => d.toJS() as { spec: { userData: string; amiSelectorTerms: { alias: string }[] } });
  const schema = crdSchema(path.join(FIXTURES, 'karpenter-ec2nodeclasses-crd.yaml'), 'v1');

  test('is one EC2NodeClass for AL2023 and one for Bottlerocket, each conforming to the CRD', () => {
    expect(docs.map((d) => d.spec.amiSelectorTerms[0]!.alias)).toEqual(['al2023@latest', 'bottlerocket@latest']);
    for (const doc of docs) expect(schemaErrors(doc, schema)).toEqual([]);
  });

  test('carries the same user data as the al2023 and bottlerocket formats', () => {
    expect(docs[0]!.spec.userData).toBe(render('al2023'));
    expect(docs[1]!.spec.userData).toBe(render('bottlerocket'));
  });

  test('the schema check catches a field the CRD does not know', () => {
    expect(schemaErrors({ ...docs[0], spec: { ...docs[0]!.spec, mirrors: [] } }, schema)).toEqual(['.spec: unknown field mirrors']);
  });
});
