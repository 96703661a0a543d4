/**
 * Only workloads are workloads (issue 21): Kyverno policies, Gatekeeper templates and
 * constraints, admission policies and CRDs from their maintainers' libraries are never rewritten
 * and never judged; a custom kind that embeds containers (an Argo Workflow) keeps its valid
 * references rewritten, and what there is no reference is skipped with its kind. Fixtures:
 * test/fixtures/gitops-kinds/SOURCE.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { renderedImages, rewriteManifests } from '../../cli/rewrite';
import { imageUses, parseDocuments } from '../../cli/audit/extract';
import { createResolver, createReverser, parseConfigText } from '../../core';
import { recordingIo } from '../cli/fake-io';

const ROOT = path.join(__dirname, '..', 'fixtures', 'gitops-kinds');
const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const R = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const ctx = { config: parseConfigText(readFileSync(EXAMPLE, 'utf8')), registryHost: R };
const resolve = createResolver(ctx);
const reverse = createReverser(ctx);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const at = path.join(dir, name);
      return statSync(at).isDirectory() ? yamlFiles(at) : name.endsWith('.yaml') ? [at] : [];
    });
}

const rel = (file: string): string => path.relative(ROOT, file);
/** Every policy, template and constraint of the corpus (the Gatekeeper sample Pods are workloads). */
const POLICIES = yamlFiles(ROOT).filter((f) => !rel(f).startsWith('argo-workflows/') && !/example_/.test(f));
const WORKFLOW = path.join(ROOT, 'argo-workflows/examples/container-set-template/sequence-workflow.yaml');

describe('policies and constraint templates from their libraries', () => {
  test('the corpus holds the Kyverno and Gatekeeper files SOURCE lists, some with image patterns in pod-spec shape', () => {
    expect(POLICIES.map(rel)).toEqual(
      expect.arrayContaining([
        'kyverno/best-practices/restrict-image-registries/restrict-image-registries.yaml',
        'kyverno/other/verify-image/verify-image.yaml',
        'gatekeeper/library/general/allowedrepos/template.yaml',
      ]),
    );
    expect(POLICIES).toHaveLength(14);
    expect(
      readFileSync(path.join(ROOT, 'kyverno/best-practices/restrict-image-registries/restrict-image-registries.yaml'), 'utf8'),
    ).toContain('- image: "eu.foo.io/* | bar.io/*"');
  });

  test.each(POLICIES.map((f) => [rel(f), f]))('%s: rewrite and --reverse leave it byte for byte, with nothing reported', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    for (const r of [resolve, reverse]) {
      const result = rewriteManifests(text, r, file);
      expect(result).toEqual({ text, changes: [], findings: [] });
    }
    expect(parseDocuments(text, file).flatMap((d) => imageUses(d))).toEqual([]);
  });

  test('--check exits 0 on every policy, template and constraint at once', async () => {
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', ...POLICIES], io)).toBe(0);
    expect(io.err).toBe('nothing to rewrite\n');
  });

  test('a Kyverno policy that injects a sidecar (vault:1.5.4 in its patch) is not rewritten, while the same image in a Deployment is', () => {
    const text = readFileSync(path.join(ROOT, 'kyverno/other/inject-sidecar-deployment/inject-sidecar-deployment.yaml'), 'utf8');
    expect(text).toContain('image: vault:1.5.4');
    expect(rewriteManifests(text, resolve).changes).toEqual([]);
    const deployment =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: v}\nspec:\n  template:\n    spec:\n      containers:\n        - name: vault\n          image: vault:1.5.4\n';
    expect(rewriteManifests(deployment, resolve).text).toContain(`image: ${R}/docker-hub/library/vault:1.5.4`);
  });

  test('the Gatekeeper sample Pods are workloads: rewritten and --check exits 1', async () => {
    const pod = path.join(ROOT, 'gatekeeper/library/general/allowedrepos/samples/repo-must-be-openpolicyagent/example_allowed.yaml');
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', pod], io)).toBe(1);
    expect(io.err).toMatch(/1 image would change in 1 file\n$/);
  });

  // Invented from the Kubernetes API reference shapes: a CRD whose schema default, and an admission
  // policy (in a List beside a Deployment), hold container lists.
  test('a List with a ValidatingAdmissionPolicy, a MutatingAdmissionPolicy and a CRD beside a Deployment rewrites only the Deployment', () => {
    const containers = (image: string) => ({ containers: [{ name: 'c', image }] });
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingAdmissionPolicy',
          metadata: { name: 'v' },
          spec: { example: containers('Not A Reference') },
        },
        {
          apiVersion: 'admissionregistration.k8s.io/v1alpha1',
          kind: 'MutatingAdmissionPolicy',
          metadata: { name: 'm' },
          spec: { example: containers('nginx:1.27') },
        },
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'c' },
          spec: { versions: [{ schema: { openAPIV3Schema: { default: containers('eu.foo.io/* | bar.io/*') } } }] },
        },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: containers('nginx:1.27') } } },
      ],
    };
    const result = rewriteManifests(JSON.stringify(list, null, 2), resolve);
    expect(result.findings).toEqual([]);
    expect(result.changes.map((c) => c.location)).toEqual(['List [doc 1] items[3].spec.template.spec.containers[0] (c)']);
  });
});

describe('a custom kind that embeds containers (Argo Workflows)', () => {
  const text = readFileSync(WORKFLOW, 'utf8');

  test('its valid references are rewritten, byte for byte nothing else; --reverse restores it; a second rewrite changes nothing', () => {
    const out = rewriteManifests(text, resolve, 'wf.yaml');
    expect(out.text).toBe(text.replaceAll('image: argoproj/argosay:v2', `image: ${R}/docker-hub/argoproj/argosay:v2`));
    expect(out.changes).toHaveLength(3);
    expect(rewriteManifests(out.text, resolve).changes).toEqual([]);
    expect(rewriteManifests(out.text, reverse).text).toBe(text);
  });

  // Derived from the workflow above: one image replaced by a placeholder that is no reference.
  test('a string there that is no image reference is reported as skipped with its kind, and the gate does not fail on it', async () => {
    const derived = text.replace('image: argoproj/argosay:v2', 'image: ARGOSAY_IMAGE');
    const out = rewriteManifests(derived, resolve, 'wf.yaml');
    expect(out.findings).toEqual([
      {
        location: 'Workflow [doc 1] spec.templates[0].containerSet.containers[0] (a)',
        reference: 'ARGOSAY_IMAGE',
        reason: 'skipped',
        message: expect.stringMatching(/^ARGOSAY_IMAGE skipped: not an image reference in a Workflow \(argoproj\.io\/v1alpha1\) \(.+\)$/),
      },
    ]);
    expect(out.changes).toHaveLength(2);
    const done = rewriteManifests(derived, resolve).text;
    const file = path.join(tmpdir(), `ptc-wf-${process.pid}.yaml`);
    writeFileSync(file, done);
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', file], io)).toBe(0);
    expect(io.err).toMatch(/nothing to rewrite; 1 skipped \(no workload's image\)\n$/);
  });

  test('the same placeholder in a Deployment is still an invalid reference', () => {
    const deployment =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: ARGOSAY_IMAGE\n';
    expect(rewriteManifests(deployment, resolve).findings.map((f) => f.reason)).toEqual(['invalid']);
  });
});

describe('a policy inside a kustomization', () => {
  test('is rendered as Kustomize renders it but never judged: --check exits 1 for the Deployment beside it, not 2, and the policy keeps its patterns', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ptc-kpolicy-'));
    const policy = readFileSync(path.join(ROOT, 'kyverno/best-practices/restrict-image-registries/restrict-image-registries.yaml'), 'utf8');
    const kustomization = 'resources:\n- policy.yaml\n- deployment.yaml\n';
    writeFileSync(path.join(root, 'kustomization.yaml'), kustomization);
    writeFileSync(path.join(root, 'policy.yaml'), policy);
    writeFileSync(
      path.join(root, 'deployment.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n',
    );
    const check = recordingIo({ cwd: root });
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', '.'], check)).toBe(1);
    expect(check.err).not.toContain('eu.foo.io');
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', '.'], recordingIo({ cwd: root }))).toBe(0);
    expect(readFileSync(path.join(root, 'kustomization.yaml'), 'utf8')).toBe(
      `${kustomization}images: # added by ptc rewrite\n- name: nginx # added by ptc rewrite\n  newName: ${R}/docker-hub/library/nginx\n`,
    );
    expect(renderedImages(['.'], root).get('kustomization.yaml')!.sort()).toEqual(
      ['eu.foo.io/* | bar.io/*', `${R}/docker-hub/library/nginx:1.27`].sort(),
    );
    expect(readFileSync(path.join(root, 'policy.yaml'), 'utf8')).toBe(policy);
  });
});
