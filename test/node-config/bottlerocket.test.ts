/**
 * `--format bottlerocket` (and Karpenter's Bottlerocket user data) against Bottlerocket's own
 * definitions (verbatim copies, provenance in test/fixtures/node-config/SOURCE):
 * - the settings model (bottlerocket-os/bottlerocket commit f36b20a9, the last with the models in
 *   that repository: sources/models/src/lib.rs, sources/models/modeled-types/src/kubernetes.rs,
 *   sources/settings-extensions/container-registry/src/lib.rs): every key we write is a field of
 *   the model and every value has the field's type;
 * - the template that turns `settings.kubernetes.credential-providers` into the kubelet's
 *   provider config (bottlerocket-core-kit v3.1.1, packages/kubernetes-1.31/credential-provider-config-yaml):
 *   `environment` becomes the provider's `env`, which is how `AWS_REGION` reaches it.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { buildMirrorMap, renderNodeConfig } from '../../core/node-config';
import { modelErrors, structWithField } from './bottlerocket-model';
import { ALL_UPSTREAMS_YAML, configOf } from './fixtures';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'node-config');
const map = buildMirrorMap(
  configOf(ALL_UPSTREAMS_YAML),
  { scheme: 'https', host: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' },
  'eu-west-2',
);
const document = (format: 'bottlerocket' | 'karpenter'): string => {
  const out = renderNodeConfig(format, map, 'eu-west-2', { fallback: false });
  if (out.kind !== 'document') throw new Error('expected a document');
  return out.text;
};

type Settings = { settings: Record<string, Record<string, unknown>> };
const outputs: [string, Settings][] = [
  ['bottlerocket', parseToml(document('bottlerocket')) as Settings],
  [
    'karpenter bottlerocket userData',
    parseToml((parseAllDocuments(document('karpenter'))[1]!.toJS() as { spec: { userData: string } }).spec.userData) as Settings,
  ],
];

/** The model struct of each top-level settings table we write. */
const MODEL: Record<string, string[]> = {
  // The settings extension is named after its key (sources/settings-extensions/container-registry);
  // the older in-tree model has the same shape (RegistrySettings in sources/models/src/lib.rs).
  'container-registry': ['RegistrySettingsV1', 'RegistrySettings'],
  kubernetes: [structWithField('credential_providers')],
};

describe.each(outputs)("%s against Bottlerocket's settings model", (_name, doc) => {
  test('writes only the container-registry and kubernetes settings', () => {
    expect(Object.keys(doc.settings).sort()).toEqual(['container-registry', 'kubernetes']);
  });

  test.each(Object.entries(MODEL).flatMap(([key, structs]) => structs.map((s) => [key, s] as const)))(
    'settings.%s: every key and type is one of %s',
    (key, struct) => {
      expect(modelErrors(doc.settings[key], struct, `settings.${key}`)).toEqual([]);
    },
  );

  test("the provider table sets the Region through environment (EnvVarMap), beside Bottlerocket's own keys", () => {
    const provider = (doc.settings.kubernetes!['credential-providers'] as Record<string, Record<string, unknown>>)[
      'ecr-credential-provider'
    ]!;
    expect(provider.environment).toEqual({ AWS_REGION: 'eu-west-2' });
  });
});

describe('the model checker', () => {
  test('catches an unknown key and a value of the wrong type', () => {
    const settings = { mirrors: [{ registry: 'docker.io', endpoint: 'https://example.com', server: 'x' }] };
    expect(modelErrors(settings, 'RegistrySettingsV1', 'settings.container-registry')).toEqual([
      'settings.container-registry.mirrors[0].endpoint: expected an array (Vec<Url>)',
      'settings.container-registry.mirrors[0]: RegistryMirrorV1 has no field server',
    ]);
    const kubernetes = {
      'credential-providers': { ecr: { enabled: 'yes', 'cache-duration': '12 hours', environment: { AWS_REGION: 1 } } },
    };
    expect(modelErrors(kubernetes, structWithField('credential_providers'), 'k')).toEqual([
      'k.credential-providers.ecr.enabled: expected a boolean',
      'k.credential-providers.ecr.cache-duration: "12 hours" is not a KubernetesDurationValue',
      'k.credential-providers.ecr.environment.AWS_REGION: expected a single-line string',
    ]);
  });
});

describe("Bottlerocket's credential provider template", () => {
  const template = readFileSync(path.join(FIXTURES, 'bottlerocket-credential-provider-config-yaml.hbs'), 'utf8');

  test('renders every environment entry as an env variable of the provider, beside HOME', () => {
    const provider =
      /\{\{#each settings\.kubernetes\.credential-providers\}\}([\s\S]*?)\{\{\/each\}\}\n\{\{\/if\}\}\s*$/.exec(template)?.[1] ?? '';
    expect(provider).toMatch(
      /env:\n[\s\S]*\{\{#each this\.environment\}\}\n\s+- name: \{\{@key\}\}\n\s+value: '\{\{this\}\}'\n\{\{\/each\}\}/,
    );
    expect(provider).toMatch(/- name: HOME/);
    expect(provider).not.toMatch(/AWS_REGION/);
  });
});
