/**
 * The kubelet-facing formats checked against the schemas their maintainers publish (copies with
 * provenance in test/fixtures/node-config/SOURCE):
 * - credential-provider: the kubelet's own rules for the file (kubelet-rules.ts);
 * - al2023: nodeadm's NodeConfig CRD (awslabs/amazon-eks-ami nodeadm/crds, with ajv), MIME parts as
 *   nodeadm reads them (`application/node.eks.aws`), and the script's files;
 * - bottlerocket: Bottlerocket's own credential-provider defaults (its settings model:
 *   bottlerocket.test.ts);
 * - karpenter: the EC2NodeClass CRD (aws/karpenter-provider-aws pkg/apis/crds, with ajv), as plain YAML.
 * nodeadm's own patterns and containerd template: nodeadm.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml, parseAllDocuments, visit } from 'yaml';
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
import { crdValidator } from './crd-schema';
import { kubeletConfigErrors, kubeletPatternMatches } from './kubelet-rules';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'node-config');
const REGISTRY = { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' } as const;
const map: MirrorMap = buildMirrorMap(configOf(ALL_UPSTREAMS_YAML), REGISTRY, 'eu-west-2');
const render = (format: 'credential-provider' | 'al2023' | 'bottlerocket' | 'karpenter', fallback = false): string => {
  const out = renderNodeConfig(format, map, 'eu-west-2', { fallback });
  if (out.kind !== 'document') throw new Error('expected a document');
  return out.text;
};

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

  test('is a CredentialProviderConfig the kubelet loads (its validation rules)', () => {
    expect(kubeletConfigErrors(doc)).toEqual([]);
    expect(doc.providers).toHaveLength(1);
  });

  test('the rules catch what the kubelet refuses', () => {
    const provider = doc.providers[0]!;
    const broken = {
      ...doc,
      providers: [
        {
          ...provider,
          matchImages: ['bad host'],
          defaultCacheDuration: '12 hours',
          apiVersion: 'credentialprovider.kubelet.k8s.io/v2',
          cache: true,
        },
      ],
    };
    expect(kubeletConfigErrors(broken)).toEqual([
      'providers.cache: unknown field',
      'providers.apiVersion: credentialprovider.kubelet.k8s.io/v2 is not supported',
      'providers.matchImages: bad host is invalid',
      'providers.defaultCacheDuration: 12 hours is not a duration >= 0',
    ]);
  });

  test("the kubelet runs the provider for an image of every mirrored host, the cache's and ECR Public's (URLsMatch), and not for others", () => {
    const match = doc.providers[0]!.matchImages as string[];
    const runsFor = (image: string): boolean => match.some((p) => kubeletPatternMatches(p, image));
    for (const entry of kubeletMirrorMap(map).entries)
      expect({ image: `${entry.host}/org/app:1`, runs: runsFor(`${entry.host}/org/app:1`) }).toEqual({
        image: `${entry.host}/org/app:1`,
        runs: true,
      });
    expect(runsFor('111122223333.dkr.ecr.eu-west-2.amazonaws.com/docker-hub/library/nginx:1.27')).toBe(true);
    expect(runsFor('999988887777.dkr.ecr.ap-south-1.amazonaws.com/team/app:1')).toBe(true);
    expect(runsFor('public.ecr.aws/eks-distro/kubernetes/pause:3.9')).toBe(true);
    expect(runsFor('registry.example.com/app:1')).toBe(false);
    expect(runsFor('ghcr.io.example.com/app:1')).toBe(false);
  });

  test('matches the cache registry, every mirrored upstream host and ECR Public as nodeadm does, with the provider version it needs', () => {
    const provider = doc.providers[0]!;
    expect(provider.name).toBe('ecr-credential-provider');
    const match = provider.matchImages as string[];
    for (const host of [
      '111122223333.dkr.ecr.eu-west-2.amazonaws.com',
      'docker.io',
      'ghcr.io',
      'quay.io',
      'registry.k8s.io',
      'registry.gitlab.com',
      'cgr.dev',
      'myregistry.azurecr.io',
    ]) {
      expect(match).toContain(host);
    }
    expect(match).toContain('*.dkr.ecr.*.amazonaws.com');
    // Not mirrored on kubelet nodes, but matched: the pull goes to ECR Public with its own token.
    expect(match).toContain('public.ecr.aws');
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
    expect(crdValidator(path.join(FIXTURES, 'nodeadm-nodeconfigs-crd.yaml'), 'v1alpha1')(nodeConfig)).toEqual([]);
    const containerd = parseToml((nodeConfig as { spec: { containerd: { config: string } } }).spec.containerd.config);
    expect(containerd).toEqual({ plugins: { 'io.containerd.grpc.v1.cri': { registry: { config_path: '/etc/containerd/certs.d' } } } });
    expect((nodeConfig as { spec: { kubelet: { flags: string[] } } }).spec.kubelet.flags).toEqual([
      `--image-credential-provider-config=${AL2023_CREDENTIAL_PROVIDER_CONFIG}`,
    ]);
  });

  test('the script, run by bash, writes exactly the hosts files and the credential provider config', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ptc-al2023-'));
    const script = parts[1]!.body.split("'/etc/").join(`'${root}/etc/`);
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const expected = containerdHostsFiles(kubeletMirrorMap(map), { fallback: false });
    expect(readdirSync(path.join(root, 'etc', 'containerd', 'certs.d')).sort()).toEqual(expected.map((f) => f.path.split('/')[0]).sort());
    for (const file of expected)
      expect(readFileSync(path.join(root, 'etc', 'containerd', 'certs.d', file.path), 'utf8')).toBe(file.content);
    const provider = parseYaml(readFileSync(path.join(root, AL2023_CREDENTIAL_PROVIDER_CONFIG), 'utf8'));
    expect(provider).toEqual(parseYaml(render('credential-provider')));
  });

  test('does not mirror public.ecr.aws: its credential provider token would be refused by the cache', () => {
    expect(text).not.toContain('certs.d/public.ecr.aws');
    expect(text).toContain('certs.d/docker.io/hosts.toml');
  });

  test("leaves out an upstream ECR registry in another Region (the provider's token is for that Region) and keeps one in the cache's", () => {
    expect(text).not.toContain('certs.d/444455556666.dkr.ecr.us-east-1.amazonaws.com');
    const sameRegion = buildMirrorMap(
      configOf(ALL_UPSTREAMS_YAML.replace('upstreamRegion: us-east-1', 'upstreamRegion: eu-west-2')),
      REGISTRY,
      'eu-west-2',
    );
    const out = renderNodeConfig('al2023', sameRegion, 'eu-west-2', { fallback: false });
    expect(out.kind === 'document' && out.text).toContain('certs.d/444455556666.dkr.ecr.eu-west-2.amazonaws.com/hosts.toml');
  });
});

describe('--format bottlerocket', () => {
  const text = render('bottlerocket');
  const settings = parseToml(text) as {
    settings: {
      'container-registry': { mirrors: Record<string, unknown>[] };
      kubernetes: { 'credential-providers': Record<string, Record<string, unknown>> };
    };
  };

  test('mirrors are settings.container-registry.mirrors tables of registry and endpoint (Bottlerocket settings reference)', () => {
    const mirrors = settings.settings['container-registry'].mirrors;
    for (const m of mirrors) expect(Object.keys(m).sort()).toEqual(['endpoint', 'registry']);
    expect(mirrors).toContainEqual({
      registry: 'docker.io',
      endpoint: ['https://111122223333.dkr.ecr.eu-west-2.amazonaws.com/v2/docker-hub'],
    });
    expect(mirrors.map((m) => m.registry)).not.toContain('public.ecr.aws');
  });

  test("the credential provider table uses Bottlerocket's own keys and adds the mirrored hosts to its image patterns", () => {
    const defaults = parseToml(
      readFileSync(path.join(FIXTURES, 'bottlerocket-kubernetes-aws-credential-provider.toml'), 'utf8'),
    ) as typeof settings;
    const ours = settings.settings.kubernetes['credential-providers']['ecr-credential-provider']!;
    const theirs = defaults.settings.kubernetes['credential-providers']['ecr-credential-provider']!;
    for (const key of Object.keys(theirs)) expect(ours).toHaveProperty([key]);
    for (const pattern of theirs['image-patterns'] as string[]) expect(ours['image-patterns']).toContain(pattern);
    expect(ours['image-patterns']).toContain('ghcr.io');
    expect(ours['image-patterns']).not.toContain('ecr-public.aws.com');
  });

  test('gives the provider the Region of the cache for hosts that are not ECR hosts', () => {
    expect(settings.settings.kubernetes['credential-providers']['ecr-credential-provider']!.environment).toEqual({
      AWS_REGION: 'eu-west-2',
    });
  });

  test('says which Bottlerocket variants mirror mode needs', () => {
    expect(text).toMatch(/^# Needs an aws-k8s-1\.29 or later variant/m);
  });

  test('says plainly what Bottlerocket cannot do (bottlerocket #4891, #3631)', () => {
    expect(text).toMatch(/^# .*no cache-only setting \(bottlerocket-os\/bottlerocket#4891\)/m);
    expect(text).toMatch(/^# .*bottlerocket-os\/bottlerocket#3631/m);
  });
});

describe('--format karpenter', () => {
  const docs = parseAllDocuments(render('karpenter')).map(
    (d) => d.toJS() as { spec: { userData: string; amiSelectorTerms: { alias: string }[] } },
  );
  const check = crdValidator(path.join(FIXTURES, 'karpenter-ec2nodeclasses-crd.yaml'), 'v1');

  test('is one EC2NodeClass for AL2023 and one for Bottlerocket, each conforming to the CRD', () => {
    expect(docs.map((d) => d.spec.amiSelectorTerms[0]!.alias)).toEqual(['al2023@latest', 'bottlerocket@latest']);
    for (const doc of docs) expect(check(doc)).toEqual([]);
  });

  test('carries the same user data as the al2023 and bottlerocket formats', () => {
    expect(docs[0]!.spec.userData).toBe(render('al2023'));
    expect(docs[1]!.spec.userData).toBe(render('bottlerocket'));
  });

  test('the schema check catches a field the CRD does not know and a wrong type', () => {
    expect(check({ ...docs[0], spec: { ...docs[0]!.spec, mirrors: [] } })).toEqual(['.spec: unknown field mirrors']);
    expect(check({ ...docs[0], spec: { ...docs[0]!.spec, userData: 1 } })).toEqual(['.spec.userData: must be string']);
  });

  test('is plain YAML: no anchor or alias, although both selector terms are one object', () => {
    const text = render('karpenter');
    const nodes = parseAllDocuments(text).flatMap((d) => {
      const found: string[] = [];
      visit(d, {
        Alias: () => void found.push('alias'),
        Node: (_k, n) => void (n.anchor !== undefined && found.push(`anchor ${n.anchor}`)),
      });
      return found;
    });
    expect(nodes).toEqual([]);
    expect(text).not.toMatch(/: [&*]a\d/);
  });
});
